"""SpectralNormalization (Miyato et al., 2018): wraps a layer with a `kernel` (or `embeddings`) and, in
training, divides it by its largest singular value estimated by power iteration on `vector_u`.

How the normalised kernel takes effect: in a training call the wrapped layer's graph is built with the
kernel replaced by kernel / sigma (so the loss and its gradient see the normalised kernel), and
`vector_u` is updated as non-trainable state. The stored kernel itself is not overwritten with
kernel / sigma (Keras's TensorFlow backend assigns it; its JAX trainer keeps only non-trainable state),
so inference (training=False) uses the stored kernel, as on Keras/JAX."""
from __future__ import annotations

from typing import Any

import symnet as sn

from ..base import InputSpec, Layer


def _normalize(x: sn.Variable, epsilon: float = 1e-7) -> sn.Variable:
    """ops.normalize(x, axis=None): x * min(rsqrt(sum(x**2)), 1/epsilon)."""
    inv = sn.minimum(1.0 / sn.sqrt(sn.sum(sn.square(x))), sn.constant(1.0 / epsilon, dtype=x.dtype))
    return x * inv


class SpectralNormalization(Layer):
    def __init__(self, layer: Layer, power_iterations: int = 1, **kwargs: Any) -> None:
        if not isinstance(layer, Layer):
            raise ValueError(f"Layer {layer} supplied to Wrapper isn't a supported layer type. Please ensure "
                             "wrapped layer is a valid Keras layer.")
        super().__init__(**kwargs)
        self.layer = layer
        if power_iterations <= 0:
            raise ValueError("`power_iterations` should be greater than zero. Received: "
                             f"`power_iterations={power_iterations}`")
        self.power_iterations = power_iterations

    def build(self, input_shape: Any) -> None:
        if not self.layer.built:
            self.layer._maybe_build(input_shape)
        self.input_spec = InputSpec(min_ndim=1, axes={-1: input_shape[-1]})
        kernel = getattr(self.layer, "kernel", None)
        if kernel is None:
            kernel = getattr(self.layer, "embeddings", None)
        if kernel is None:
            raise ValueError(f"{type(self.layer).__name__} object has no attribute 'kernel' nor 'embeddings'")
        self.kernel = kernel
        self.kernel_shape = kernel.shape
        from ... import initializers
        self.vector_u = self.add_weight(shape=(1, self.kernel_shape[-1]),
                                        initializer=initializers.TruncatedNormal(stddev=0.02), trainable=False,
                                        name="vector_u", dtype=kernel.dtype)
        self.built = True

    def normalized_weights(self) -> tuple[sn.Variable, sn.Variable]:
        w = sn.reshape(self.kernel.value, (-1, self.kernel_shape[-1]))
        u = self.vector_u.value
        v = None
        for _ in range(self.power_iterations):
            v = _normalize(sn.matmul(u, sn.transpose(w)))
            u = _normalize(sn.matmul(v, w))
        u = sn.stop_gradient(u)
        v = sn.stop_gradient(v)
        sigma = sn.matmul(sn.matmul(v, w), sn.transpose(u))
        kernel = sn.reshape(self.kernel.value / sn.reshape(sigma, ()), self.kernel_shape)
        return u, kernel

    def call(self, inputs: Any, training: bool | None = False) -> Any:
        x = sn.graph.as_variable(inputs)
        out = self.layer(x)
        if training:
            all_zero = sn.all(sn.eq(self.kernel.value, 0))
            new_u, new_kernel = self.normalized_weights()
            new_u = sn.where(all_zero, self.vector_u.value, new_u)
            new_kernel = sn.where(all_zero, self.kernel.value, new_kernel)
            self.add_state_update(self.vector_u, new_u)
            (out,), _ = sn.graph.clone_graph([sn.graph.as_variable(out)], replace={self.kernel.value: new_kernel})
        return sn.cast(out, x.dtype) if out.dtype != x.dtype else out

    def compute_output_shape(self, input_shape: Any) -> Any:
        return self.layer.compute_output_shape(input_shape)

    def get_config(self) -> dict:
        config = super().get_config()
        layer_config = {"module": "keras.layers", "class_name": type(self.layer).__name__,
                        "config": self.layer.get_config(), "registered_name": None}
        config.update({"layer": layer_config, "power_iterations": self.power_iterations})
        return config

    @classmethod
    def from_config(cls, config: dict) -> "SpectralNormalization":
        from ... import layers as layers_module
        config = dict(config)
        spec = config.pop("layer")
        layer = getattr(layers_module, spec["class_name"]).from_config(spec["config"])
        return cls(layer, **config)
