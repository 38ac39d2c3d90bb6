"""PReLU layer: relu(x) - alpha * relu(-x) with a learned alpha per (non-shared) input position."""
from __future__ import annotations

from typing import Any

import symnet as sn

from ..base import InputSpec, Layer
from ..dense import _ser


class PReLU(Layer):
    def __init__(self, alpha_initializer: Any = "Zeros", alpha_regularizer: Any = None, alpha_constraint: Any = None,
                 shared_axes: Any = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        from ... import constraints, initializers, regularizers
        self.supports_masking = True
        self.alpha_initializer = initializers.get(alpha_initializer)
        self.alpha_regularizer = regularizers.get(alpha_regularizer) if alpha_regularizer is not None else None
        self.alpha_constraint = constraints.get(alpha_constraint) if alpha_constraint is not None else None
        if shared_axes is None:
            self.shared_axes = None
        elif not isinstance(shared_axes, (list, tuple)):
            self.shared_axes = [shared_axes]
        else:
            self.shared_axes = list(shared_axes)

    def build(self, input_shape: Any) -> None:
        param_shape = list(input_shape[1:])
        if self.shared_axes is not None:
            for i in self.shared_axes:
                param_shape[i - 1] = 1
        if any(d is None for d in param_shape):
            raise ValueError(f"Layer {self.name!r}: PReLU needs every non-shared input dimension to be known; "
                             f"received input shape {tuple(input_shape)} with shared_axes={self.shared_axes}")
        self.alpha = self.add_weight(shape=param_shape, name="alpha", initializer=self.alpha_initializer,
                                     regularizer=self.alpha_regularizer, constraint=self.alpha_constraint)
        axes = {i: input_shape[i] for i in range(1, len(input_shape))
                if not self.shared_axes or i not in self.shared_axes}
        self.input_spec = InputSpec(ndim=len(input_shape), axes=axes)
        self.built = True

    def call(self, inputs: Any) -> Any:
        x = sn.graph.as_variable(inputs)
        return sn.relu(x) - self.alpha.value * sn.relu(-x)

    def compute_output_shape(self, input_shape: Any) -> Any:
        return input_shape

    def get_config(self) -> dict:
        from ... import constraints, initializers, regularizers
        config = super().get_config()
        config.update({"alpha_initializer": _ser(initializers, self.alpha_initializer),
                       "alpha_regularizer": _ser(regularizers, self.alpha_regularizer),
                       "alpha_constraint": _ser(constraints, self.alpha_constraint),
                       "shared_axes": self.shared_axes})
        return config
