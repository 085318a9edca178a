package io.tensorgate.server.grpc;

import io.grpc.Detachable;
import io.grpc.HasByteBuffer;
import io.grpc.KnownLength;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * A message as grpc-java's Netty transport hands it to a marshaller: a known-length stream over the
 * buffers of the frames it arrived in, detachable, with those buffers readable in place. Closing it
 * is what gives the buffers back; {@link #closed} tells whether that happened.
 */
final class FrameStream extends InputStream implements KnownLength, Detachable, HasByteBuffer {
  private List<ByteBuffer> frames;
  private int frame;
  private int markFrame;
  private int markPosition;
  private boolean released;
  private final FrameStream[] detached = new FrameStream[1];

  FrameStream(List<ByteBuffer> frames) {
    this.frames = new ArrayList<>();
    for (ByteBuffer f : frames) {
      this.frames.add(f.duplicate());
    }
  }

  /** Whether the stream holding the buffers (this one, or the one detached from it) was closed. */
  boolean closed() {
    return detached[0] != null ? detached[0].closed() : released;
  }

  @Override
  public InputStream detach() {
    FrameStream d = new FrameStream(List.of());
    d.frames = frames;
    d.frame = frame;
    frames = List.of();
    frame = 0;
    detached[0] = d;
    return d;
  }

  @Override
  public boolean byteBufferSupported() {
    return true;
  }

  @Override
  public ByteBuffer getByteBuffer() {
    skipEmpty();
    return frame < frames.size() ? frames.get(frame).slice() : null;
  }

  @Override
  public int available() {
    int n = 0;
    for (int i = frame; i < frames.size(); i++) {
      n += frames.get(i).remaining();
    }
    return n;
  }

  @Override
  public int read() {
    skipEmpty();
    return frame < frames.size() ? frames.get(frame).get() & 0xff : -1;
  }

  @Override
  public long skip(long n) {
    long left = n;
    while (left > 0) {
      skipEmpty();
      if (frame == frames.size()) {
        break;
      }
      ByteBuffer f = frames.get(frame);
      int step = (int) Math.min(left, f.remaining());
      f.position(f.position() + step);
      left -= step;
    }
    return n - left;
  }

  @Override
  public boolean markSupported() {
    return true;
  }

  @Override
  public void mark(int readLimit) {
    skipEmpty();
    markFrame = frame;
    markPosition = frame < frames.size() ? frames.get(frame).position() : 0;
    for (int i = frame + 1; i < frames.size(); i++) {
      frames.get(i).mark();
    }
  }

  @Override
  public void reset() {
    for (int i = markFrame + 1; i < frames.size(); i++) {
      frames.get(i).reset();
    }
    frame = markFrame;
    if (frame < frames.size()) {
      frames.get(frame).position(markPosition);
    }
  }

  @Override
  public void close() {
    released = true;
  }

  private void skipEmpty() {
    while (frame < frames.size() && !frames.get(frame).hasRemaining()) {
      frame++;
    }
  }
}
