"""Run with a Python that has Keras 3 + JAX (not symnet): writes, for each case of conv_cases.py, the
input batch, Keras's (randomised) weights, its inference and training outputs, the moving statistics
after one training call, get_config, output shape and parameter count, to a pickle."""
import json
import os
import pickle
import sys

os.environ.setdefault("KERAS_BACKEND", "jax")
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import numpy as np  # noqa: E402
import keras  # noqa: E402

from conv_cases import CASES  # noqa: E402


def main(out_path: str) -> None:
    rng = np.random.default_rng(0)
    results = []
    for cls, kwargs, shape in CASES:
        layer = getattr(keras.layers, cls)(**kwargs)
        x = rng.standard_normal((3,) + shape).astype("float32")
        model = keras.Sequential([keras.Input(shape), layer])
        weights = [(rng.uniform(0.5, 1.5, w.shape) if "variance" in w.path else rng.standard_normal(w.shape))
                   .astype("float32") for w in layer.weights]
        layer.set_weights(weights)
        y_inf = np.asarray(model.predict(x, verbose=0))
        y_train = np.asarray(layer(x, training=True)) if cls.startswith(("Batch", "Layer")) else None
        config = layer.get_config()
        config.pop("name")
        config = json.loads(json.dumps(config, default=lambda o: list(o) if hasattr(o, "__iter__") else str(o)))
        results.append(dict(cls=cls, kwargs=kwargs, x=x, weights=weights, y_inf=y_inf, y_train=y_train,
                            after_train=[np.asarray(w) for w in layer.weights], config=config,
                            output_shape=tuple(model.output_shape), params=layer.count_params(),
                            weight_names=[w.name for w in layer.weights]))
    with open(out_path, "wb") as f:
        pickle.dump(results, f)


if __name__ == "__main__":
    main(sys.argv[1])
