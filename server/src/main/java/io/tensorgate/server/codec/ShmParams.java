package io.tensorgate.server.codec;

import io.tensorgate.backend.InferenceException;
import io.tensorgate.proto.inference.InferParameter;
import java.util.Map;

/**
 * A tensor's {@code shared_memory_region / _offset / _byte_size} parameters, checked as Triton
 * does.
 */
record ShmParams(String region, long offset, long byteSize) {
  /**
   * @return the parameters, or {@code null} when the tensor does not use shared memory
   */
  static ShmParams parse(String tensor, Map<String, InferParameter> p) throws InferenceException {
    if (p.isEmpty()) {
      return null;
    }
    InferParameter region = p.get("shared_memory_region");
    InferParameter offset = p.get("shared_memory_offset");
    InferParameter size = p.get("shared_memory_byte_size");
    if (region == null) {
      if (offset != null) {
        throw RequestDecoder.invalid(
            "'shared_memory_offset' can not be specified without 'shared_memory_region' parameter"
                + " for tensor '"
                + tensor
                + "'");
      }
      if (size != null) {
        throw RequestDecoder.invalid(
            "'shared_memory_byte_size' can not be specified without 'shared_memory_region'"
                + " parameter for tensor '"
                + tensor
                + "'");
      }
      return null;
    }
    if (!region.hasStringParam()) {
      throw RequestDecoder.invalid(
          "invalid value type for 'shared_memory_region' parameter for tensor '"
              + tensor
              + "', expected string_param.");
    }
    long off = 0;
    if (offset != null) {
      if (!offset.hasInt64Param()) {
        throw RequestDecoder.invalid(
            "invalid value type for 'shared_memory_offset' parameter for tensor '"
                + tensor
                + "', expected int64_param.");
      }
      off = offset.getInt64Param();
    }
    if (size == null) {
      throw RequestDecoder.invalid(
          "'shared_memory_byte_size' must be specified along with 'shared_memory_region'"
              + " parameter for tensor '"
              + tensor
              + "'");
    }
    if (!size.hasInt64Param()) {
      throw RequestDecoder.invalid(
          "invalid value type for 'shared_memory_byte_size' parameter for tensor '"
              + tensor
              + "', expected int64_param.");
    }
    return new ShmParams(region.getStringParam(), off, size.getInt64Param());
  }
}
