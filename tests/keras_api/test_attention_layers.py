"""EinsumDense and the attention layers against NumPy transcriptions of Keras 3's formulas (weights
taken from the layer, so the references are independent of initialisation), on the reference and
LLVM backends; weight shapes/order/names, get_config keys, masks, training through fit, saving."""
from __future__ import annotations

import numpy as np
import pytest

import keras_api as keras


def softmax(x, axis=-1):
    e = np.exp(x - x.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


@pytest.fixture(params=["reference", "llvm"])
def mode(request):
    import symnet as sn
    with sn.config.change_flags(mode=request.param):
        yield request.param


# ------------------------------------------------------------------------------------------
# EinsumDense
# ------------------------------------------------------------------------------------------
@pytest.mark.parametrize("equation,output_shape,bias_axes,input_shape,kernel,bias,out", [
    ("ab,bc->ac", 64, "c", (None, 32), (32, 64), (64,), (None, 64)),
    ("abc,cd->abd", (None, 64), "d", (None, 32, 128), (128, 64), (64,), (None, 32, 64)),
    ("...x,xy->...y", 64, "y", (None, 32, 128), (128, 64), (64,), (None, 32, 64)),
    ("abc,cde->abde", (None, 2, 3), "de", (None, 5, 8), (8, 2, 3), (2, 3), (None, 5, 2, 3)),
    ("abcd,cde->abe", (None, 8), "e", (None, 5, 2, 3), (2, 3, 8), (8,), (None, 5, 8)),
    ("ab...,bc->ac...", (4,), "c", (None, 3, 7), (3, 4), (4, 1), (None, 4, 7)),
    ("abc,cd->abd", (None, 5), None, (None, 2, 3), (3, 5), None, (None, 2, 5)),
])
def test_einsum_dense_shapes(equation, output_shape, bias_axes, input_shape, kernel, bias, out, mode):
    layer = keras.layers.EinsumDense(equation, output_shape=output_shape, bias_axes=bias_axes,
                                     bias_initializer="random_normal")
    y = layer(keras.Input(input_shape[1:]))
    assert y.shape == out
    assert layer.kernel.shape == kernel
    assert (layer.bias.shape if layer.bias is not None else None) == bias
    x = np.random.default_rng(0).standard_normal((2,) + input_shape[1:]).astype("float32")
    got = layer(x)
    want = np.einsum(equation, x, layer.kernel.numpy())
    if bias is not None:
        want = want + layer.bias.numpy()
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-5)


def test_einsum_dense_config_and_errors():
    layer = keras.layers.EinsumDense("abc,cd->abd", output_shape=(None, 64), bias_axes="d", name="ed")
    config = layer.get_config()
    assert {"output_shape", "equation", "activation", "bias_axes", "kernel_initializer", "bias_initializer",
            "kernel_regularizer", "bias_regularizer", "activity_regularizer", "kernel_constraint",
            "bias_constraint"} <= set(config)
    assert config["output_shape"] == (None, 64) and config["activation"] == "linear"
    clone = keras.layers.EinsumDense.from_config(config)
    assert clone.equation == "abc,cd->abd"
    with pytest.raises(ValueError, match="Invalid einsum equation"):
        keras.layers.EinsumDense("ab,bc,cd->ad", output_shape=3)(keras.Input((4,)))
    with pytest.raises(ValueError, match="Bias dimension 'z'"):
        keras.layers.EinsumDense("ab,bc->ac", output_shape=3, bias_axes="z")(keras.Input((4,)))


def test_einsum_dense_fan_from_axes():
    """glorot_uniform on a (8, 2, 3) kernel uses fan_in=8, fan_out=6 (Keras's input/output axes)."""
    keras.utils.set_random_seed(0)
    layer = keras.layers.EinsumDense("abc,cde->abde", output_shape=(None, 200, 300))
    layer.build((None, 5, 100))
    limit = np.sqrt(6.0 / (100 + 60000))
    k = layer.kernel.numpy()
    assert np.abs(k).max() <= limit and np.abs(k).max() > 0.9 * limit


# ------------------------------------------------------------------------------------------
# MultiHeadAttention
# ------------------------------------------------------------------------------------------
def mha_reference(layer, q, v, k=None, mask=None, causal=False, softmax_path=False):
    """Keras's MultiHeadAttention on rank-3 inputs, from the layer's weights.

    dot_product_attention path: masked logits -0.7 * float32 max; softmax path (dropout > 0 or
    returned scores): masked logits -1e9 and masked probabilities 0."""
    k = v if k is None else k
    w = {x.path.split("/")[-2] + "/" + x.name: x.numpy() for x in layer.weights}

    def proj(name, x):
        y = np.einsum("abc,cde->abde", x, w[f"{name}/kernel"])
        return y + w[f"{name}/bias"] if f"{name}/bias" in w else y
    Q, K, V = proj("query", q), proj("key", k), proj("value", v)
    logits = np.einsum("aecd,abcd->acbe", K, Q / np.sqrt(layer.key_dim))
    keep = np.ones(logits.shape, bool)
    if mask is not None:
        keep &= mask[:, None]
    if causal:
        keep &= np.tril(np.ones(logits.shape[2:], bool))
    if softmax_path:
        p = np.where(keep, softmax(np.where(keep, logits, -1e9)), 0.0)
    else:
        p = softmax(np.where(keep, logits, -0.7 * 3.38953e38))
    out = np.einsum("acbe,aecd->abcd", p, V)
    y = np.einsum("abcd,cde->abe", out, w["attention_output/kernel"])
    if "attention_output/bias" in w:
        y = y + w["attention_output/bias"]
    return y, p


def test_mha_weights_layout_and_config(fresh_session):
    layer = keras.layers.MultiHeadAttention(num_heads=2, key_dim=3, value_dim=4, output_shape=5)
    q = keras.Input((5, 8))
    v = keras.Input((7, 6))
    out = layer(q, v)
    assert out.shape == (None, 5, 5)
    assert [(w.path.split("/")[-2] + "/" + w.name, w.shape) for w in layer.weights] == [
        ("query/kernel", (8, 2, 3)), ("query/bias", (2, 3)), ("key/kernel", (6, 2, 3)), ("key/bias", (2, 3)),
        ("value/kernel", (6, 2, 4)), ("value/bias", (2, 4)), ("attention_output/kernel", (2, 4, 5)),
        ("attention_output/bias", (5,))]
    assert layer.query_dense.name == "query" and layer.output_dense.name == "attention_output"
    config = layer.get_config()
    for key, value in {"num_heads": 2, "key_dim": 3, "value_dim": 4, "dropout": 0.0, "use_bias": True,
                       "use_gate": False, "output_shape": (5,), "attention_axes": (1,), "sliding_window": None,
                       "seed": None}.items():
        assert config[key] == value, key
    assert config["kernel_initializer"]["class_name"] == "GlorotUniform"
    assert keras.layers.MultiHeadAttention.from_config(config).value_dim == 4


def test_mha_argument_errors():
    with pytest.raises(ValueError, match="num_heads"):
        keras.layers.MultiHeadAttention(0, 2)
    with pytest.raises(ValueError, match="key_dim"):
        keras.layers.MultiHeadAttention(2, None)
    with pytest.raises(ValueError, match="All dimensions of `value` and `key`"):
        keras.layers.MultiHeadAttention(2, 2)(keras.Input((5, 4)), keras.Input((7, 4)), keras.Input((6, 4)))


@pytest.mark.parametrize("dropout", [0.0, 0.2])
def test_mha_matches_reference(dropout, mode):
    rng = np.random.default_rng(1)
    q = rng.standard_normal((3, 5, 8)).astype("float32")
    v = rng.standard_normal((3, 7, 6)).astype("float32")
    mask = rng.random((3, 5, 7)) > 0.3
    mask[0, 1] = False                         # a fully masked query row: the two paths differ there
    layer = keras.layers.MultiHeadAttention(2, 3, dropout=dropout, bias_initializer="random_normal")
    got = layer(q, v, attention_mask=mask)
    want, _ = mha_reference(layer, q, v, mask=mask, softmax_path=dropout > 0)
    np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-5)
    got, scores = layer(q, v, attention_mask=mask, return_attention_scores=True)
    want, p = mha_reference(layer, q, v, mask=mask, softmax_path=True)
    np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(scores, p, rtol=1e-4, atol=1e-6)
    assert scores.shape == (3, 2, 5, 7)


def test_mha_padding_masks_and_causal(mode):
    rng = np.random.default_rng(2)
    x = rng.standard_normal((2, 6, 4)).astype("float32")
    qmask = np.array([[1, 1, 1, 1, 0, 0], [1, 1, 1, 1, 1, 1]], bool)
    layer = keras.layers.MultiHeadAttention(2, 2, use_bias=False)
    assert len(layer(x, x).shape) == 3 and len(layer.weights) == 4
    got = layer(x, x, query_mask=qmask, value_mask=qmask, use_causal_mask=True)
    mask = qmask[:, :, None] & qmask[:, None, :]
    want, _ = mha_reference(layer, x, x, mask=mask, causal=True)
    np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-5)
    got = layer(x, x, use_causal_mask=True)
    want, _ = mha_reference(layer, x, x, causal=True)
    np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-5)


def test_mha_trains_through_fit(fresh_session):
    """Each output step copies the input at a fixed other position: attention must learn where to look."""
    rng = np.random.default_rng(0)
    x = rng.standard_normal((256, 6, 4)).astype("float32")
    y = np.roll(x, 2, axis=1)
    inp = keras.Input((6, 4))
    pos = keras.layers.Dense(8)(inp)
    out = keras.layers.MultiHeadAttention(2, 8, output_shape=4)(pos, pos)
    model = keras.Model(inp, out)
    model.compile(optimizer=keras.optimizers.Adam(0.01), loss="mse")
    first = model.evaluate(x, y, verbose=0)
    model.fit(x, y, epochs=15, batch_size=32, verbose=0)
    assert model.evaluate(x, y, verbose=0) < 0.9 * first


def test_mha_save_load_roundtrip(tmp_path, fresh_session):
    inp = keras.Input((5, 4))
    model = keras.Model(inp, keras.layers.MultiHeadAttention(2, 3)(inp, inp))
    x = np.random.default_rng(0).standard_normal((2, 5, 4)).astype("float32")
    before = model.predict(x, verbose=0)
    model.save_weights(tmp_path / "m.weights.h5")
    keras.clear_session()
    inp = keras.Input((5, 4))
    other = keras.Model(inp, keras.layers.MultiHeadAttention(2, 3)(inp, inp))
    other.load_weights(tmp_path / "m.weights.h5")
    np.testing.assert_allclose(other.predict(x, verbose=0), before, rtol=1e-6)


def test_mha_attention_axes_2d(mode):
    rng = np.random.default_rng(3)
    z = rng.standard_normal((2, 3, 4, 6)).astype("float32")
    layer = keras.layers.MultiHeadAttention(2, 2, attention_axes=(1, 2))
    got = layer(z, z)
    w = {x.path.split("/")[-2] + "/" + x.name: x.numpy() for x in layer.weights}
    Q = np.einsum("abcd,def->abcef", z, w["query/kernel"]) + w["query/bias"]
    K = np.einsum("abcd,def->abcef", z, w["key/kernel"]) + w["key/bias"]
    V = np.einsum("abcd,def->abcef", z, w["value/kernel"]) + w["value/bias"]
    s = np.einsum("afgde,abcde->adbcfg", K, Q / np.sqrt(2))
    p = softmax(s.reshape(s.shape[:4] + (-1,))).reshape(s.shape)
    o = np.einsum("adbcfg,afgde->abcde", p, V)
    want = np.einsum("abcde,def->abcf", o, w["attention_output/kernel"]) + w["attention_output/bias"]
    np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-5)


# ------------------------------------------------------------------------------------------
# GroupQueryAttention
# ------------------------------------------------------------------------------------------
def test_group_query_attention(mode):
    rng = np.random.default_rng(4)
    q = rng.standard_normal((2, 5, 8)).astype("float32")
    v = rng.standard_normal((2, 7, 8)).astype("float32")
    layer = keras.layers.GroupQueryAttention(head_dim=3, num_query_heads=4, num_key_value_heads=2,
                                             bias_initializer="random_normal")
    got = layer(q, v)
    assert [w.shape for w in layer.weights] == [(8, 4, 3), (4, 3), (8, 2, 3), (2, 3), (8, 2, 3), (2, 3),
                                                (4, 3, 8), (8,)]
    w = [x.numpy() for x in layer.weights]
    Q = np.einsum("bqm,muh->bquh", q, w[0]) + w[1]
    K = np.repeat(np.einsum("bkm,mvh->bkvh", v, w[2]) + w[3], 2, axis=2)
    V = np.repeat(np.einsum("bkm,mvh->bkvh", v, w[4]) + w[5], 2, axis=2)
    p = softmax(np.einsum("bquh,bkuh->buqk", Q / np.sqrt(3), K))
    want = np.einsum("bquh,uhm->bqm", np.einsum("buqk,bkuh->bquh", p, V), w[6]) + w[7]
    np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-5)
    out, scores = layer(q, v, return_attention_scores=True)
    np.testing.assert_allclose(scores, p, rtol=1e-4, atol=1e-6)
    assert set(layer.get_config()) >= {"head_dim", "num_query_heads", "num_key_value_heads", "dropout", "use_bias"}
    with pytest.raises(ValueError, match="divisible"):
        keras.layers.GroupQueryAttention(2, 3, 2)


# ------------------------------------------------------------------------------------------
# Attention, AdditiveAttention
# ------------------------------------------------------------------------------------------
@pytest.mark.parametrize("score_mode,use_scale", [("dot", False), ("dot", True), ("concat", False),
                                                  ("concat", True)])
def test_attention_layer(score_mode, use_scale, mode):
    rng = np.random.default_rng(5)
    q = rng.standard_normal((2, 3, 4)).astype("float32")
    v = rng.standard_normal((2, 5, 4)).astype("float32")
    vmask = np.array([[1, 1, 1, 0, 0], [1, 1, 1, 1, 1]], bool)
    qmask = np.array([[1, 1, 0], [1, 1, 1]], bool)
    layer = keras.layers.Attention(use_scale=use_scale, score_mode=score_mode)
    got, weights = layer([q, v], mask=[qmask, vmask], return_attention_scores=True, use_causal_mask=True)
    if score_mode == "dot":
        s = q @ v.transpose(0, 2, 1)
    else:
        s = np.tanh(q[:, :, None] + v[:, None]).sum(-1)
    keep = vmask[:, None, :] & np.tril(np.ones((3, 5), bool))[None]
    p = softmax(np.where(~keep, s - 1e9, s))
    want = np.where(qmask[..., None], p @ v, 0.0)
    np.testing.assert_allclose(weights, p, rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-5)
    assert [w.name for w in layer.weights] == (["scale"] if use_scale else []) + \
        (["concat_score_weight"] if score_mode == "concat" else [])
    assert layer.get_config()["score_mode"] == score_mode


def test_additive_attention(mode):
    rng = np.random.default_rng(6)
    q = rng.standard_normal((2, 3, 4)).astype("float32")
    v = rng.standard_normal((2, 5, 4)).astype("float32")
    k = rng.standard_normal((2, 5, 4)).astype("float32")
    layer = keras.layers.AdditiveAttention()
    got = layer([q, v, k])
    scale = layer.weights[0].numpy()
    assert scale.shape == (4,)
    p = softmax((scale * np.tanh(q[:, :, None] + k[:, None])).sum(-1))
    np.testing.assert_allclose(got, p @ v, rtol=1e-4, atol=1e-5)
    assert "score_mode" not in layer.get_config() and layer.get_config()["use_scale"] is True


def test_attention_errors():
    with pytest.raises(ValueError, match="score_mode"):
        keras.layers.Attention(score_mode="bad")
    with pytest.raises(ValueError, match="list of inputs"):
        keras.layers.Attention()(np.zeros((1, 2, 3), "float32"))


def test_attention_in_functional_model_fit(fresh_session):
    rng = np.random.default_rng(7)
    q_in, v_in = keras.Input((3, 4)), keras.Input((5, 4))
    att = keras.layers.Attention(use_scale=True)([q_in, v_in])
    out = keras.layers.Dense(1)(keras.layers.Flatten()(att))
    model = keras.Model([q_in, v_in], out)
    model.compile("adam", "mse")
    q, v = rng.standard_normal((64, 3, 4)).astype("float32"), rng.standard_normal((64, 5, 4)).astype("float32")
    h = model.fit([q, v], q.sum(axis=(1, 2)), epochs=3, verbose=0)
    assert np.isfinite(h.history["loss"]).all()


def test_mha_keyword_call_and_key(mode):
    rng = np.random.default_rng(8)
    q = rng.standard_normal((2, 3, 4)).astype("float32")
    v = rng.standard_normal((2, 5, 4)).astype("float32")
    k = rng.standard_normal((2, 5, 6)).astype("float32")
    layer = keras.layers.MultiHeadAttention(2, 3)
    got = layer(query=q, value=v, key=k)
    want, _ = mha_reference(layer, q, v, k=k)
    np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-5)
    qi, vi, ki = keras.Input((3, 4)), keras.Input((5, 4)), keras.Input((5, 6))
    model = keras.Model([qi, vi, ki], layer(query=qi, value=vi, key=ki))
    np.testing.assert_allclose(model.predict([q, v, k], verbose=0), want, rtol=1e-4, atol=1e-5)


@pytest.mark.skipif(not hasattr(keras.layers, "Embedding"), reason="Embedding is the recurrent helper's layer")
def test_mha_takes_masks_from_embedding(mode, fresh_session):
    ids = np.array([[3, 4, 0, 0], [5, 6, 7, 0]])
    inp = keras.Input((4,), dtype="int64")
    emb = keras.layers.Embedding(10, 6, mask_zero=True)
    layer = keras.layers.MultiHeadAttention(2, 3)
    model = keras.Model(inp, layer(emb(inp), emb(inp)))
    got = model.predict(ids, verbose=0)
    x = emb.embeddings.numpy()[ids]
    pad = ids != 0
    want, _ = mha_reference(layer, x, x, mask=pad[:, :, None] & pad[:, None, :])
    np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-5)
