"""An RBM trained by contrastive divergence, the Gibbs chain written with sn.scan and random draws
inside the step (Theano's RBM tutorial): the chain's random-state updates come back from scan and
go to sn.function(updates=...)."""
import numpy as np

import _path  # noqa: F401
import symnet as sn

rng = np.random.default_rng(0)
n_vis, n_hid = 16, 8
# data: 4x4 images with one full bar (horizontal or vertical)
bars = []
for i in range(4):
    img = np.zeros((4, 4), "float32"); img[i] = 1; bars.append(img.ravel())
    img = np.zeros((4, 4), "float32"); img[:, i] = 1; bars.append(img.ravel())
data = np.array(bars * 16, dtype="float32")

W = sn.shared((rng.normal(size=(n_vis, n_hid)) * 0.1).astype("float32"), "W")
hbias = sn.shared(np.zeros(n_hid, "float32"), "hbias")
vbias = sn.shared(np.zeros(n_vis, "float32"), "vbias")
theano_rng = sn.random.RandomStream(1234)


def gibbs_vhv(v0):
    h_mean = sn.sigmoid(sn.dot(v0, W) + hbias)
    h = theano_rng.binomial(size=h_mean.shape, n=1, p=h_mean, dtype="float32")
    v_mean = sn.sigmoid(sn.dot(h, W.T) + vbias)
    v = theano_rng.binomial(size=v_mean.shape, n=1, p=v_mean, dtype="float32")
    return v_mean, v


def free_energy(v):
    return -sn.dot(v, vbias) - sn.sum(sn.softplus(sn.dot(v, W) + hbias), axis=1)


x = sn.matrix("x")
k = 1
(v_means, v_samples), updates = sn.scan(gibbs_vhv, outputs_info=[None, x], n_steps=k)
chain_end = v_samples[-1]
cost = sn.mean(free_energy(x)) - sn.mean(free_energy(chain_end))
params = [W, hbias, vbias]
grads = sn.grad(cost, params, consider_constant=[chain_end])
lr = np.float32(0.1)
for p_, g in zip(params, grads):
    updates[p_] = p_ - lr * g
recon = sn.mean(sn.sum((x - v_means[-1]) ** 2, axis=1))
train = sn.function([x], recon, updates=updates)

errors = []
for epoch in range(40):
    for b in range(0, len(data), 16):
        errors.append(float(train(data[rng.permutation(len(data))[:16]])))
first, last = np.mean(errors[:8]), np.mean(errors[-8:])
print(f"reconstruction error: first {first:.3f}, last {last:.3f}")
assert last < 0.7 * first, (first, last)
