"""Recurrent layers against NumPy implementations of Keras 3's documented gate equations."""
from __future__ import annotations

import os

import numpy as np
import pytest

import keras_api as keras
import symnet as sn
from keras_api import layers

from fixture_files import FIXTURES  # noqa: E402
rng = np.random.default_rng(0)


def sigmoid(x):
    return 1 / (1 + np.exp(-x))


# ---------------------------------------------------------------------------- references
def np_simple_rnn(x, W, U, b, h0=None, mask=None, backwards=False):
    B, T, _ = x.shape
    h = np.zeros((B, U.shape[0])) if h0 is None else h0
    outs = []
    steps = range(T - 1, -1, -1) if backwards else range(T)
    for t in steps:
        new = np.tanh(x[:, t] @ W + b + h @ U)
        if mask is not None:
            new = np.where(mask[:, t:t + 1], new, h)
        h = new
        outs.append(h)
    return np.stack(outs, 1), h


def np_lstm(x, W, U, b, mask=None, backwards=False):
    B, T, _ = x.shape
    u = U.shape[0]
    h, c = np.zeros((B, u)), np.zeros((B, u))
    outs = []
    steps = range(T - 1, -1, -1) if backwards else range(T)
    for t in steps:
        z = x[:, t] @ W + h @ U + b
        i, f, g, o = sigmoid(z[:, :u]), sigmoid(z[:, u:2 * u]), np.tanh(z[:, 2 * u:3 * u]), sigmoid(z[:, 3 * u:])
        c_new = f * c + i * g
        h_new = o * np.tanh(c_new)
        if mask is not None:
            m = mask[:, t:t + 1]
            h_new, c_new = np.where(m, h_new, h), np.where(m, c_new, c)
        h, c = h_new, c_new
        outs.append(h)
    return np.stack(outs, 1), h, c


def np_gru(x, W, U, b, reset_after=True):
    B, T, _ = x.shape
    u = U.shape[0]
    h = np.zeros((B, u))
    outs = []
    for t in range(T):
        if reset_after:
            mx = x[:, t] @ W + b[0]
            mi = h @ U + b[1]
            z = sigmoid(mx[:, :u] + mi[:, :u])
            r = sigmoid(mx[:, u:2 * u] + mi[:, u:2 * u])
            hh = np.tanh(mx[:, 2 * u:] + r * mi[:, 2 * u:])
        else:
            mx = x[:, t] @ W + b
            z = sigmoid(mx[:, :u] + h @ U[:, :u])
            r = sigmoid(mx[:, u:2 * u] + h @ U[:, u:2 * u])
            hh = np.tanh(mx[:, 2 * u:] + (r * h) @ U[:, 2 * u:])
        h = z * h + (1 - z) * hh
        outs.append(h)
    return np.stack(outs, 1), h


def _randomize(model, scale=0.5):
    model.set_weights([rng.normal(size=w.shape).astype(w.dtype) * scale for w in model.get_weights()])


def _x(B=3, T=5, F=4):
    return rng.normal(size=(B, T, F)).astype("float32")


# ---------------------------------------------------------------------------- forward
@pytest.mark.parametrize("mode", ["reference", "llvm"])
def test_simple_rnn_matches_equations(mode):
    with sn.config.change_flags(mode=mode):
        x = _x()
        for back in (False, True):
            m = keras.Sequential([keras.Input((5, 4)), layers.SimpleRNN(6, return_sequences=True, go_backwards=back)])
            _randomize(m)
            W, U, b = m.get_weights()
            ref, _ = np_simple_rnn(x, W, U, b, backwards=back)
            np.testing.assert_allclose(m.predict(x, verbose=0), ref, rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("mode", ["reference", "llvm"])
def test_lstm_matches_equations_and_state(mode):
    with sn.config.change_flags(mode=mode):
        x = _x()
        inp = keras.Input((5, 4))
        out, h, c = layers.LSTM(6, return_sequences=True, return_state=True)(inp)
        m = keras.Model(inp, [out, h, c])
        _randomize(m)
        W, U, b = m.get_weights()
        assert W.shape == (4, 24) and U.shape == (6, 24) and b.shape == (24,)
        ref, rh, rc = np_lstm(x, W, U, b)
        o, hv, cv = m.predict(x, verbose=0)
        np.testing.assert_allclose(o, ref, rtol=1e-4, atol=1e-5)
        np.testing.assert_allclose(hv, rh, rtol=1e-4, atol=1e-5)
        np.testing.assert_allclose(cv, rc, rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("reset_after", [True, False])
def test_gru_matches_equations(reset_after, reference_backend):
    x = _x()
    m = keras.Sequential([keras.Input((5, 4)), layers.GRU(6, return_sequences=True, reset_after=reset_after)])
    _randomize(m)
    W, U, b = m.get_weights()
    assert b.shape == ((2, 18) if reset_after else (18,))
    ref, _ = np_gru(x, W, U, b, reset_after)
    np.testing.assert_allclose(m.predict(x, verbose=0), ref, rtol=1e-4, atol=1e-5)


def test_unit_forget_bias_and_defaults():
    layer = layers.LSTM(3)
    layer.build((None, 2, 4))
    np.testing.assert_array_equal(layer.cell.bias.numpy(), [0, 0, 0, 1, 1, 1, 0, 0, 0, 0, 0, 0])
    g = layers.GRU(3)
    assert g.reset_after is True and g.cell.recurrent_activation.__name__ == "sigmoid"
    # recurrent_kernel is orthogonal by default
    rk = layer.cell.recurrent_kernel.numpy()
    assert rk.shape == (3, 12)


def test_masks_from_embedding_through_lstm(reference_backend):
    ids = np.array([[3, 1, 4, 0, 0], [5, 9, 2, 6, 5]], dtype="int32")
    inp = keras.Input((5,), dtype="int32")
    e = layers.Embedding(10, 4, mask_zero=True)
    seq = layers.LSTM(3, return_sequences=True)(e(inp))
    m = keras.Model(inp, seq)
    _randomize(m)
    table, W, U, b = m.get_weights()
    ref, _, _ = np_lstm(table[ids], W, U, b, mask=ids != 0)
    np.testing.assert_allclose(m.predict(ids, verbose=0), ref, rtol=1e-4, atol=1e-5)
    # padding at the end: the last output equals the last unmasked step's output
    last = keras.Model(inp, layers.LSTM(3)(e(inp)))
    out = last.predict(ids, verbose=0)
    seq_out = keras.Model(inp, layers.LSTM(3, return_sequences=True)(e(inp)))
    seq_out.layers[-1].set_weights(last.layers[-1].get_weights())
    full = seq_out.predict(ids, verbose=0)
    np.testing.assert_allclose(out[0], full[0, 2], rtol=1e-5)


def test_masking_layer_and_compute_mask(reference_backend):
    x = _x(2, 4, 3)
    x[0, 2:] = 0.0
    m = keras.Sequential([keras.Input((4, 3)), layers.Masking(0.0), layers.SimpleRNN(5, return_sequences=True)])
    _randomize(m)
    W, U, b = m.get_weights()
    ref, _ = np_simple_rnn(x, W, U, b, mask=np.any(x != 0, -1))
    np.testing.assert_allclose(m.predict(x, verbose=0), ref, rtol=1e-4, atol=1e-5)
    mask = layers.Masking().compute_mask(sn.tensor((None, 4, 3)), None)
    assert mask.ndim == 2


def test_bidirectional_merge_modes(reference_backend):
    x = _x()
    for mode in ("concat", "sum", "ave", "mul", None):
        inp = keras.Input((5, 4))
        bi = layers.Bidirectional(layers.SimpleRNN(3, return_sequences=True), merge_mode=mode)
        out = bi(inp)
        m = keras.Model(inp, out)
        _randomize(m)
        Wf, Uf, bf, Wb, Ub, bb = m.get_weights()
        f, _ = np_simple_rnn(x, Wf, Uf, bf)
        r, _ = np_simple_rnn(x, Wb, Ub, bb, backwards=True)
        r = r[:, ::-1]
        want = {"concat": np.concatenate([f, r], -1), "sum": f + r, "ave": (f + r) / 2, "mul": f * r}.get(mode)
        got = m.predict(x, verbose=0)
        if mode is None:
            np.testing.assert_allclose(got[0], f, rtol=1e-4, atol=1e-5)
            np.testing.assert_allclose(got[1], r, rtol=1e-4, atol=1e-5)
        else:
            np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-5)
    assert bi.forward_layer.name.startswith("forward_") and bi.backward_layer.go_backwards


def test_time_distributed_and_stacked_cells(reference_backend):
    x = _x()
    m = keras.Sequential([keras.Input((5, 4)), layers.RNN([layers.SimpleRNNCell(3), layers.SimpleRNNCell(2)],
                                                          return_sequences=True),
                          layers.TimeDistributed(layers.Dense(2))])
    _randomize(m)
    W1, U1, b1, W2, U2, b2, Wd, bd = m.get_weights()
    h1, _ = np_simple_rnn(x, W1, U1, b1)
    h2, _ = np_simple_rnn(h1, W2, U2, b2)
    np.testing.assert_allclose(m.predict(x, verbose=0), h2 @ Wd + bd, rtol=1e-4, atol=1e-5)


def test_custom_cell(reference_backend):
    class MinimalRNNCell(layers.Layer):
        def __init__(self, units, **kwargs):
            super().__init__(**kwargs)
            self.units = units
            self.state_size = units

        def build(self, input_shape):
            self.kernel = self.add_weight(shape=(input_shape[-1], self.units), initializer="uniform", name="kernel")
            self.recurrent_kernel = self.add_weight(shape=(self.units, self.units), initializer="uniform",
                                                    name="recurrent_kernel")

        def call(self, inputs, states):
            prev = states[0]
            output = sn.matmul(inputs, self.kernel.value) + sn.matmul(prev, self.recurrent_kernel.value)
            return output, [output]

    x = _x()
    m = keras.Sequential([keras.Input((5, 4)), layers.RNN(MinimalRNNCell(3))])
    K, R = m.get_weights()
    h = np.zeros((3, 3))
    for t in range(5):
        h = x[:, t] @ K + h @ R
    np.testing.assert_allclose(m.predict(x, verbose=0), h, rtol=1e-4, atol=1e-6)


def test_stateful_and_reset_states(reference_backend):
    x = _x(2, 3, 4)
    m = keras.Sequential([keras.Input(batch_shape=(2, 3, 4)), layers.SimpleRNN(3, stateful=True)])
    m.compile(optimizer="sgd", loss="mse")
    W, U, b = m.get_weights()
    y = np.zeros((2, 3), "float32")
    m.train_on_batch(x, y)       # the state after the batch is kept
    layer = m.layers[-1]
    state = layer.states[0].numpy()
    _, ref = np_simple_rnn(x, W, U, b)
    np.testing.assert_allclose(state, ref, rtol=1e-4, atol=1e-5)
    layer.reset_states()
    assert not layer.states[0].numpy().any()
    assert len(m.weights) == 3          # the state is not a weight (as in Keras)


def test_dropout_changes_training_only(reference_backend):
    x = _x()
    m = keras.Sequential([keras.Input((5, 4)), layers.LSTM(4, dropout=0.5, recurrent_dropout=0.5, seed=1)])
    a = m.predict(x, verbose=0)
    b = m.predict(x, verbose=0)
    np.testing.assert_array_equal(a, b)
    layer = m.layers[-1]
    xs = sn.tensor((None, 5, 4))
    f = sn.function([xs], layer(xs, training=True))
    t1, t2 = f(x), f(x)
    assert not np.allclose(t1, a) and not np.allclose(t1, t2)


def test_embedding_gradient_is_a_scatter_add(reference_backend):
    e = layers.Embedding(50, 3)
    ids = sn.tensor((None, 4), dtype="int32")
    cost = sn.sum(e(ids) ** 2)
    g = sn.grad(cost, e.embeddings.value)
    f = sn.function([ids], g)
    from symnet.ops.subtensor import AdvancedIncSubtensor1
    assert any(isinstance(n.op, AdvancedIncSubtensor1) for n in f.fgraph.nodes)
    idv = np.array([[1, 2, 2, 0]], "int32")
    table = e.embeddings.numpy()
    want = np.zeros_like(table)
    np.add.at(want, idv.ravel(), 2 * table[idv.ravel()])
    np.testing.assert_allclose(f(idv), want, rtol=1e-6)


def test_get_config_keys_and_round_trip():
    keys = {
        "LSTM": {"activation", "activity_regularizer", "bias_constraint", "bias_initializer", "bias_regularizer",
                 "dropout", "dtype", "go_backwards", "kernel_constraint", "kernel_initializer", "kernel_regularizer",
                 "name", "recurrent_activation", "recurrent_constraint", "recurrent_dropout", "recurrent_initializer",
                 "recurrent_regularizer", "return_sequences", "return_state", "seed", "stateful", "trainable",
                 "unit_forget_bias", "units", "unroll", "use_bias", "zero_output_for_mask"},
        "Embedding": {"activity_regularizer", "dtype", "embeddings_constraint", "embeddings_initializer",
                      "embeddings_regularizer", "input_dim", "mask_zero", "name", "output_dim", "quantization_config",
                      "trainable"},
        "Bidirectional": {"backward_layer", "dtype", "layer", "merge_mode", "name", "trainable"},
        "TimeDistributed": {"dtype", "layer", "name", "trainable"},
        "Masking": {"dtype", "mask_value", "name", "trainable"},
    }
    made = {"LSTM": layers.LSTM(2), "Embedding": layers.Embedding(10, 3), "Masking": layers.Masking(),
            "Bidirectional": layers.Bidirectional(layers.LSTM(2)), "TimeDistributed": layers.TimeDistributed(layers.Dense(2))}
    for name, want in keys.items():
        assert set(made[name].get_config()) == want, name
    assert "seed" not in layers.SimpleRNN(2).get_config()
    assert "reset_after" in layers.GRU(2).get_config()
    g = layers.GRU.from_config(layers.GRU(4, return_sequences=True, reset_after=False).get_config())
    assert g.units == 4 and g.return_sequences and not g.reset_after
    assert layers.Embedding(10, 3).get_config()["embeddings_initializer"]["class_name"] == "RandomUniform"


def test_errors():
    with pytest.raises(ValueError, match="units"):
        layers.LSTM(0)
    with pytest.raises(ValueError, match="input_dim"):
        layers.Embedding(0, 3)
    with pytest.raises(ValueError, match="merge mode"):
        layers.Bidirectional(layers.LSTM(2), merge_mode="max")
    with pytest.raises(ValueError, match="ndim=3"):
        keras.Sequential([keras.Input((4,)), layers.LSTM(2)])
    with pytest.raises(ValueError, match="batch size must be static"):
        keras.Sequential([keras.Input((3, 4)), layers.LSTM(2, stateful=True)])
    with pytest.warns(UserWarning, match="input_length"):
        layers.Embedding(10, 3, input_length=5)


# ---------------------------------------------------------------------------- Keras's files
@pytest.mark.skipif(not os.path.exists(f"{FIXTURES}/gru_seq.npz"), reason="shared fixtures not present")
@pytest.mark.parametrize("mode", ["reference", "llvm"])
def test_gru_seq_weights_from_real_keras(mode):
    data = np.load(f"{FIXTURES}/gru_seq.npz")
    with sn.config.change_flags(mode=mode):
        m = keras.Sequential([keras.Input((7, 3)), layers.GRU(5, return_sequences=True), layers.SimpleRNN(4),
                              layers.Dense(1, activation="sigmoid")])
        m.load_weights(f"{FIXTURES}/gru_seq.weights.h5")
        np.testing.assert_allclose(m.predict(data["x"], verbose=0), data["y0"], rtol=1e-5, atol=1e-6)
        # and back: what we save loads into a fresh model
        path = os.path.join(os.environ.get("TMPDIR", "/tmp"), f"gru_seq_roundtrip_{os.getpid()}.weights.h5")
        m.save_weights(path)
        m2 = keras.Sequential([keras.Input((7, 3)), layers.GRU(5, return_sequences=True), layers.SimpleRNN(4),
                               layers.Dense(1, activation="sigmoid")])
        m2.load_weights(path)
        os.unlink(path)
        np.testing.assert_allclose(m2.predict(data["x"], verbose=0), data["y0"], rtol=1e-5, atol=1e-6)


def test_stateful_predict_carries_state(reference_backend):
    x = _x(2, 3, 4)
    m = keras.Sequential([keras.Input(batch_shape=(2, 3, 4)), layers.SimpleRNN(3, stateful=True)])
    W, U, b = m.get_weights()
    a = m.predict(x, batch_size=2, verbose=0)
    b2 = m.predict(x, batch_size=2, verbose=0)
    _, h1 = np_simple_rnn(x, W, U, b)
    _, h2 = np_simple_rnn(x, W, U, b, h0=h1)
    np.testing.assert_allclose(a, h1, rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(b2, h2, rtol=1e-4, atol=1e-5)
    m.layers[-1].reset_states()
    np.testing.assert_allclose(m.predict(x, batch_size=2, verbose=0), h1, rtol=1e-4, atol=1e-5)


@pytest.mark.skipif(not hasattr(layers, "GlobalAveragePooling1D"), reason="pooling layers not in this checkout")
def test_mask_flows_from_embedding_into_pooling(reference_backend):
    ids = np.array([[3, 1, 0, 0], [5, 9, 2, 6]], dtype="int32")
    inp = keras.Input((4,), dtype="int32")
    m = keras.Model(inp, layers.GlobalAveragePooling1D()(layers.Embedding(10, 3, mask_zero=True)(inp)))
    table = m.get_weights()[0]
    keep = (ids != 0)[..., None]
    want = (table[ids] * keep).sum(1) / keep.sum(1)
    np.testing.assert_allclose(m.predict(ids, verbose=0), want, rtol=1e-5)


def test_sequential_without_input_takes_int_ids(reference_backend):
    """Keras's IMDB example shape: Embedding first, no Input, int64 ids from NumPy."""
    m = keras.Sequential([layers.Embedding(100, 8), layers.LSTM(4), layers.Dense(1, activation="sigmoid")])
    ids = np.random.default_rng(0).integers(0, 100, size=(16, 10))
    m.compile("adam", "binary_crossentropy")
    m.fit(ids, np.ones(16, "float32"), epochs=1, verbose=0)
    assert m.predict(ids[:3], verbose=0).shape == (3, 1)
    table, W, U, b, Wd, bd = m.get_weights()
    ref, h, _ = np_lstm(table[ids[:3]], W, U, b)
    np.testing.assert_allclose(m.predict(ids[:3], verbose=0), sigmoid(h @ Wd + bd), rtol=1e-4, atol=1e-5)


def test_eager_calls(reference_backend):
    x = _x(2, 3, 4)
    out, h, c = layers.LSTM(3, return_state=True)(x)
    assert out.shape == h.shape == c.shape == (2, 3)
    np.testing.assert_allclose(out, h)
    assert layers.Bidirectional(layers.GRU(2, return_sequences=True))(x).shape == (2, 3, 4)
