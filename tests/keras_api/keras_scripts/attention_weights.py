"""Run under real Keras 3 (JAX): saves attention models' weights and predictions for test_attention_vs_keras."""
import os, sys, json
os.environ["KERAS_BACKEND"] = "jax"
import numpy as np, keras
out = sys.argv[1]
rng = np.random.default_rng(0)
x = rng.standard_normal((3, 5, 8)).astype("float32")
y = rng.standard_normal((3, 7, 6)).astype("float32")
mask = (rng.random((3, 5, 7)) > 0.3)
res = {}
def save(name, model, inputs):
    model.save_weights(f"{out}/{name}.weights.h5")
    p = model.predict(inputs, verbose=0)
    np.save(f"{out}/{name}.npy", p if not isinstance(p, list) else p[0])
# 1. self-attention
q = keras.Input((5, 8)); o = keras.layers.MultiHeadAttention(2, 3)(q, q); save("self", keras.Model(q, o), x)
# 2. cross attention with value dim, output_shape, mask, dropout
q = keras.Input((5, 8)); v = keras.Input((7, 6)); m = keras.Input((5, 7), dtype="bool")
o = keras.layers.MultiHeadAttention(3, 4, value_dim=2, output_shape=5, dropout=0.1)(q, v, attention_mask=m)
save("cross", keras.Model([q, v, m], o), [x, y, mask])
# 3. causal, return scores
q = keras.Input((5, 8)); o, s = keras.layers.MultiHeadAttention(2, 4, use_bias=False)(q, q, use_causal_mask=True, return_attention_scores=True)
mm = keras.Model(q, [o, s]); mm.save_weights(f"{out}/causal.weights.h5"); po, ps = mm.predict(x, verbose=0)
np.save(f"{out}/causal.npy", po); np.save(f"{out}/causal_scores.npy", ps)
# 4. causal, no scores -> dpa path
q = keras.Input((5, 8)); o = keras.layers.MultiHeadAttention(2, 4)(q, q, use_causal_mask=True); save("causal_dpa", keras.Model(q, o), x)
# 5. GQA
gv = rng.standard_normal((3, 7, 8)).astype("float32"); np.save(f"{out}/gv.npy", gv)
q = keras.Input((5, 8)); v = keras.Input((7, 8)); o = keras.layers.GroupQueryAttention(3, 4, 2)(q, v); save("gqa", keras.Model([q, v], o), [x, gv])
# 6. attention_axes 2D
z = rng.standard_normal((2, 3, 4, 6)).astype("float32"); np.save(f"{out}/z.npy", z)
q = keras.Input((3, 4, 6)); o = keras.layers.MultiHeadAttention(2, 2, attention_axes=(1, 2))(q, q); save("axes", keras.Model(q, o), z)
np.save(f"{out}/x.npy", x); np.save(f"{out}/y.npy", y); np.save(f"{out}/mask.npy", mask)
