"""Trains the sample repository's two digit classifiers with numpy, for make_models.py.

The data is scikit-learn's bundled copy of the UCI optical handwritten digits (1797 images of
8x8 pixels, ink 0..16; Debian's python3-sklearn ships it, nothing is downloaded). A stratified
20 % is held out and never trained on; the accuracy printed for it is the model's.

- ``mlp_classifier`` reads the 64 pixels scaled to [0, 1].
- ``cnn_digits`` reads a 28x28 image like MNIST's: the 8x8 digit resized bilinearly to 20x20,
  centred in a 28x28 frame, ink 1.0 on a 0.0 background, quantised to 8 bits (what a PNG holds).

Both are trained with plain numpy (mini-batch Adam on cross-entropy); the forward passes here
are the same arithmetic as the ONNX graphs make_models.py writes from the weights.
"""

import numpy as np

IMAGE = 28
BOX = 20


def load_split(seed):
    """(x_train, y_train, x_test, y_test) as 8x8 images in [0, 1]; a stratified 20 % held out."""
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    digits = load_digits()
    x = (digits.images / 16.0).astype(np.float32)
    x_train, x_test, y_train, y_test = train_test_split(
        x, digits.target, test_size=0.2, random_state=seed % (2**32), stratify=digits.target)
    return x_train, y_train, x_test, y_test


def to_image28(x8):
    """[N, 8, 8] in [0, 1] -> [N, 1, 28, 28]: bilinear resize to 20x20, centred, 8-bit steps."""
    # Pixel centres of the 20x20 output mapped onto the 8x8 input (align-corners off).
    pos = (np.arange(BOX) + 0.5) * (8 / BOX) - 0.5
    pos = np.clip(pos, 0, 7)
    lo = np.floor(pos).astype(int)
    hi = np.minimum(lo + 1, 7)
    frac = (pos - lo).astype(np.float32)
    rows = x8[:, lo, :] * (1 - frac)[None, :, None] + x8[:, hi, :] * frac[None, :, None]
    box = rows[:, :, lo] * (1 - frac)[None, None, :] + rows[:, :, hi] * frac[None, None, :]
    out = np.zeros((x8.shape[0], 1, IMAGE, IMAGE), dtype=np.float32)
    off = (IMAGE - BOX) // 2
    out[:, 0, off:off + BOX, off:off + BOX] = box
    return (np.round(out * 255) / 255).astype(np.float32)


def softmax(z):
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


class Adam:
    def __init__(self, params, lr):
        self.params, self.lr, self.t = params, lr, 0
        self.m = {k: np.zeros_like(v) for k, v in params.items()}
        self.v = {k: np.zeros_like(v) for k, v in params.items()}

    def step(self, grads, b1=0.9, b2=0.999, eps=1e-8):
        self.t += 1
        for k, g in grads.items():
            self.m[k] = b1 * self.m[k] + (1 - b1) * g
            self.v[k] = b2 * self.v[k] + (1 - b2) * g * g
            m_hat = self.m[k] / (1 - b1**self.t)
            v_hat = self.v[k] / (1 - b2**self.t)
            self.params[k] -= (self.lr * m_hat / (np.sqrt(v_hat) + eps)).astype(np.float32)


def train(params, loss_and_grads, x, y, rng, epochs, lr, batch=32):
    opt = Adam(params, lr)
    for _ in range(epochs):
        order = rng.permutation(len(x))
        for start in range(0, len(x), batch):
            idx = order[start:start + batch]
            opt.step(loss_and_grads(params, x[idx], y[idx]))
    return params


def cross_entropy_grad(logits, y):
    """d(mean cross-entropy)/d(logits)."""
    g = softmax(logits)
    g[np.arange(len(y)), y] -= 1
    return g / len(y)


# ---- MLP: features[64] -> Gemm 128 -> ReLU -> Gemm 10 -> softmax ----

def mlp_forward(p, x):
    hidden = np.maximum(x @ p["dense1_weight"] + p["dense1_bias"], 0)
    return hidden @ p["dense2_weight"] + p["dense2_bias"], hidden


def mlp_loss_and_grads(p, x, y, weight_decay=1e-4):
    logits, hidden = mlp_forward(p, x)
    g = cross_entropy_grad(logits, y)
    g_hidden = (g @ p["dense2_weight"].T) * (hidden > 0)
    return {
        "dense1_weight": x.T @ g_hidden + weight_decay * p["dense1_weight"],
        "dense1_bias": g_hidden.sum(axis=0),
        "dense2_weight": hidden.T @ g + weight_decay * p["dense2_weight"],
        "dense2_bias": g.sum(axis=0),
    }


def train_mlp(params, x8, y, rng):
    return train(params, mlp_loss_and_grads, x8.reshape(len(x8), 64), y, rng, epochs=60, lr=1e-3)


def mlp_predict(p, x8):
    return softmax(mlp_forward(p, x8.reshape(len(x8), 64))[0])


# ---- CNN: conv3x3 8 + ReLU + maxpool 2 -> conv3x3 16 + ReLU + maxpool 2 -> Gemm 10 ----

def im2col(x):
    """[N, C, H, W] -> [N*H*W, C*9]: 3x3 windows with padding 1."""
    n, c, h, w = x.shape
    padded = np.pad(x, ((0, 0), (0, 0), (1, 1), (1, 1)))
    windows = np.lib.stride_tricks.sliding_window_view(padded, (3, 3), axis=(2, 3))
    return windows.transpose(0, 2, 3, 1, 4, 5).reshape(n * h * w, c * 9)


def col2im(cols, shape):
    """Adjoint of im2col: [N*H*W, C*9] -> [N, C, H, W], summing overlapping windows."""
    n, c, h, w = shape
    cols = cols.reshape(n, h, w, c, 3, 3)
    padded = np.zeros((n, c, h + 2, w + 2), dtype=cols.dtype)
    for i in range(3):
        for j in range(3):
            padded[:, :, i:i + h, j:j + w] += cols[:, :, :, :, i, j].transpose(0, 3, 1, 2)
    return padded[:, :, 1:-1, 1:-1]


def conv(x, weight, bias):
    n, _, h, w = x.shape
    cols = im2col(x)
    out = cols @ weight.reshape(len(weight), -1).T + bias
    return out.reshape(n, h, w, -1).transpose(0, 3, 1, 2), cols


def conv_backward(g_out, cols, x_shape, weight):
    g_flat = g_out.transpose(0, 2, 3, 1).reshape(-1, len(weight))
    g_weight = (g_flat.T @ cols).reshape(weight.shape)
    g_x = col2im(g_flat @ weight.reshape(len(weight), -1), x_shape)
    return g_x, g_weight, g_flat.sum(axis=0)


def maxpool(x):
    n, c, h, w = x.shape
    return x.reshape(n, c, h // 2, 2, w // 2, 2).max(axis=(3, 5))


def maxpool_backward(g_out, x, out):
    mask = x == np.repeat(np.repeat(out, 2, axis=2), 2, axis=3)
    return mask * np.repeat(np.repeat(g_out, 2, axis=2), 2, axis=3)


def cnn_forward(p, x):
    a1, cols1 = conv(x, p["conv1_weight"], p["conv1_bias"])
    r1 = np.maximum(a1, 0)
    p1 = maxpool(r1)
    a2, cols2 = conv(p1, p["conv2_weight"], p["conv2_bias"])
    r2 = np.maximum(a2, 0)
    p2 = maxpool(r2)
    flat = p2.reshape(len(x), -1)
    logits = flat @ p["dense_weight"] + p["dense_bias"]
    return logits, (x, cols1, r1, p1, cols2, r2, p2, flat)


def cnn_loss_and_grads(p, x, y, weight_decay=1e-4):
    logits, (x, cols1, r1, p1, cols2, r2, p2, flat) = cnn_forward(p, x)
    g = cross_entropy_grad(logits, y)
    grads = {
        "dense_weight": flat.T @ g + weight_decay * p["dense_weight"],
        "dense_bias": g.sum(axis=0),
    }
    g_p2 = (g @ p["dense_weight"].T).reshape(p2.shape)
    g_a2 = maxpool_backward(g_p2, r2, p2) * (r2 > 0)
    g_p1, grads["conv2_weight"], grads["conv2_bias"] = conv_backward(
        g_a2, cols2, p1.shape, p["conv2_weight"])
    g_a1 = maxpool_backward(g_p1, r1, p1) * (r1 > 0)
    _, grads["conv1_weight"], grads["conv1_bias"] = conv_backward(
        g_a1, cols1, x.shape, p["conv1_weight"])
    grads["conv1_weight"] += weight_decay * p["conv1_weight"]
    grads["conv2_weight"] += weight_decay * p["conv2_weight"]
    return grads


def train_cnn(params, x8, y, rng):
    return train(params, cnn_loss_and_grads, to_image28(x8), y, rng, epochs=15, lr=2e-3)


def cnn_predict(p, x8):
    return softmax(cnn_forward(p, to_image28(x8))[0])


def accuracy(probabilities, y):
    return float((probabilities.argmax(axis=1) == y).mean())
