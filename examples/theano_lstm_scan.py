"""A Theano-style LSTM written with sn.scan and trained by plain SGD (Theano's LSTM tutorial shape):
classify whether a noisy sequence's running sum ends positive. Only the import lines would differ
under Theano (`import theano; import theano.tensor as T`)."""
import numpy as np

import _path  # noqa: F401
import symnet as sn

rng = np.random.default_rng(0)
n_in, n_hid, T_len, n = 1, 12, 10, 512
x_data = rng.normal(size=(T_len, n, n_in)).astype("float32")          # time-major, as in the tutorial
y_data = (x_data.sum(axis=(0, 2)) > 0).astype("float32")


def param(*shape, scale=0.3):
    return sn.shared((rng.normal(size=shape) * scale).astype("float32"))


W, U, b = param(n_in, 4 * n_hid), param(n_hid, 4 * n_hid), sn.shared(np.zeros(4 * n_hid, "float32"))
w_out, b_out = param(n_hid), sn.shared(np.float32(0.0))
params = [W, U, b, w_out, b_out]


def lstm_step(x_t, h_prev, c_prev, W, U, b):
    z = sn.dot(x_t, W) + sn.dot(h_prev, U) + b
    i, f = sn.sigmoid(z[:, :n_hid]), sn.sigmoid(z[:, n_hid:2 * n_hid])
    g, o = sn.tanh(z[:, 2 * n_hid:3 * n_hid]), sn.sigmoid(z[:, 3 * n_hid:])
    c = f * c_prev + i * g
    return o * sn.tanh(c), c


x, y = sn.tensor3("x"), sn.vector("y")
h0 = sn.zeros((x.shape[1], n_hid), dtype="float32")
(h, c), updates = sn.scan(lstm_step, sequences=x, outputs_info=[h0, h0], non_sequences=[W, U, b])
p = sn.sigmoid(sn.dot(h[-1], w_out) + b_out)
cost = -sn.mean(y * sn.log(p + 1e-7) + (1 - y) * sn.log(1 - p + 1e-7))
grads = sn.grad(cost, params)
lr = np.float32(0.5)
train = sn.function([x, y], cost, updates=list(updates.items()) + [(q, q - lr * g) for q, g in zip(params, grads)])
predict = sn.function([x], p > 0.5)

first = None
for epoch in range(30):
    for k in range(0, n, 64):
        loss = train(x_data[:, k:k + 64], y_data[k:k + 64])
        first = loss if first is None else first
acc = float(np.mean(predict(x_data) == y_data))
print(f"first loss {first:.3f}, last loss {loss:.3f}, accuracy {acc:.3f}")
assert loss < first and acc > 0.9, (first, loss, acc)
