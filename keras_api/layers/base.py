"""The Layer base class and the pieces of Keras's functional machinery it needs.

A layer is called in one of three ways, picked from what it is given:
- KerasTensors (from ``keras.Input``): the layer is built, its ops are traced once on symnet
  placeholders to learn the output shapes, and a Node records the call for the functional graph.
- symnet Variables: the layer's ops are added to that graph (what compiled train steps do), inside
  ``sn.name_scope(layer.name)`` so compiled kernels can be traced back to layer names.
- NumPy arrays (or lists, scalars): run eagerly through a small compiled function, cached per
  input signature.
"""
from __future__ import annotations

import inspect
import math
import warnings
from typing import Any, Sequence

import numpy as np

import symnet as sn

from .._names import snake_case
from .layer_utils import (CallContext, _ctx, call_context, clear_session, current_context, flatten,  # noqa: F401
                          fmt_shape, get_uid, map_struct, pack_like, unique_name)
from .tensors import (EagerTensor, InputSpec, KerasHistory, KerasTensor, KerasVariable, Node,  # noqa: F401
                      _floatx, _standardize_dtype, assert_input_compatibility)


# ------------------------------------------------------------------------------------------
# Layer
# ------------------------------------------------------------------------------------------
class Layer:
    """Keras's Layer: subclasses implement build(input_shape), call(inputs[, training]) and
    get_config(); weights come from add_weight()."""

    _TRACKING_SKIP = frozenset({"_inbound_nodes", "_outbound_nodes", "_layers", "_tracked_layers",
                                "_operations", "_functional", "_input_layer_ref", "optimizer"})

    def __init__(self, activity_regularizer: Any = None, trainable: bool = True, dtype: Any = None,
                 autocast: bool = True, name: str | None = None, **kwargs: Any) -> None:
        object.__setattr__(self, "_tracked_layers", [])
        self._trainable_variables: list[KerasVariable] = []
        self._non_trainable_variables: list[KerasVariable] = []
        self._inbound_nodes: list[Node] = []
        self._outbound_nodes: list[Node] = []
        self._trainable = bool(trainable)
        self.built = False
        self.input_spec = None
        self.supports_masking = False
        self._eager_cache: dict = {}
        self._build_shapes: Any = None
        self.dtype = _standardize_dtype(dtype)
        self.compute_dtype = self.dtype
        self.variable_dtype = self.dtype
        self.name = name if name is not None else unique_name(snake_case(type(self).__name__))
        if not isinstance(self.name, str) or "/" in self.name:
            raise ValueError(f"Argument `name` must be a string and cannot contain character `/`. Received: name={name!r}")
        if activity_regularizer is not None:
            from .. import regularizers
            activity_regularizer = regularizers.get(activity_regularizer)
        self.activity_regularizer = activity_regularizer
        self._input_shape_arg = None
        input_dim = kwargs.pop("input_dim", None)
        input_shape = kwargs.pop("input_shape", None)
        batch_input_shape = kwargs.pop("batch_input_shape", None)
        batch_size = kwargs.pop("batch_size", None)
        kwargs.pop("input_length", None)
        if input_dim is not None:
            warnings.warn(f"Layer {self.name!r}: `input_dim={input_dim}` is the Keras 1/2 spelling; use "
                          f"`input_shape=({input_dim},)` or a `keras.Input(shape=({input_dim},))` as the first "
                          "layer", DeprecationWarning, stacklevel=3)
            input_shape = (input_dim,)
        if input_shape is not None:
            if isinstance(input_shape, int):
                input_shape = (input_shape,)
            self._input_shape_arg = (batch_size,) + tuple(input_shape)
        elif batch_input_shape is not None:
            self._input_shape_arg = tuple(batch_input_shape)
        if kwargs:
            raise TypeError(f"Unrecognized keyword arguments passed to {type(self).__name__}: {kwargs}")
        self._call_params = inspect.signature(self.call).parameters
        self._call_has_training = "training" in self._call_params

    # -- attribute tracking: sublayers assigned as attributes -----------------------------
    def __setattr__(self, name: str, value: Any) -> None:
        tracked = self.__dict__.get("_tracked_layers")
        if tracked is not None and name not in self._TRACKING_SKIP:
            items = value if isinstance(value, (list, tuple)) else [value]
            for v in items:
                if isinstance(v, Layer) and v is not self and not any(v is t for t in tracked):
                    tracked.append(v)
        object.__setattr__(self, name, value)

    def _sublayers(self) -> list["Layer"]:
        return list(self._tracked_layers)

    def _flatten_layers(self, include_self: bool = True) -> list["Layer"]:
        out, seen = [], set()
        stack = [self] if include_self else list(reversed(self._sublayers()))
        while stack:
            layer = stack.pop()
            if id(layer) in seen:
                continue
            seen.add(id(layer))
            out.append(layer)
            stack.extend(reversed(layer._sublayers()))
        return out

    # -- weights ------------------------------------------------------------------------
    def add_weight(self, shape: Sequence | None = None, initializer: Any = None, dtype: Any = None,
                   trainable: bool = True, autocast: bool = True, regularizer: Any = None,
                   constraint: Any = None, aggregation: str = "none", name: str | None = None,
                   **kwargs: Any) -> KerasVariable:
        """Create a weight; the value comes from a keras_api initializer (glorot_uniform for floats
        by default, zeros otherwise)."""
        from .. import constraints, initializers, regularizers
        shape = () if shape is None else tuple(int(d) for d in shape)
        dtype = _standardize_dtype(dtype or self.variable_dtype)
        if initializer is None:
            initializer = "glorot_uniform" if np.dtype(dtype).kind == "f" else "zeros"
        init = initializers.get(initializer)
        value = np.asarray(init(shape, dtype=dtype))
        value = value.astype(dtype, copy=False).reshape(shape)
        if name is None:
            name = f"variable_{len(self._trainable_variables) + len(self._non_trainable_variables)}" \
                if (self._trainable_variables or self._non_trainable_variables) else "variable"
        var = KerasVariable(value, name=name, path=f"{self.name}/{name}", trainable=trainable,
                            regularizer=regularizers.get(regularizer) if regularizer is not None else None,
                            constraint=constraints.get(constraint) if constraint is not None else None)
        if trainable:
            self._trainable_variables.append(var)
        else:
            self._non_trainable_variables.append(var)
        return var

    def add_variable(self, shape: Sequence, initializer: Any, dtype: Any = None, trainable: bool = True,
                     name: str | None = None, **kwargs: Any) -> KerasVariable:
        return self.add_weight(shape=shape, initializer=initializer, dtype=dtype, trainable=trainable,
                               name=name, **kwargs)

    @property
    def trainable(self) -> bool:
        return self._trainable

    @trainable.setter
    def trainable(self, value: bool) -> None:
        value = bool(value)
        self._trainable = value
        for v in self._trainable_variables:
            v.trainable = value
        for layer in self._sublayers():
            layer.trainable = value

    @property
    def weights(self) -> list[KerasVariable]:
        out: list[KerasVariable] = []
        seen: set[int] = set()
        for w in self._trainable_variables + self._non_trainable_variables:
            if id(w) not in seen:
                seen.add(id(w))
                out.append(w)
        for layer in self._sublayers():
            for w in layer.weights:
                if id(w) not in seen:
                    seen.add(id(w))
                    out.append(w)
        return out

    @property
    def variables(self) -> list[KerasVariable]:
        return self.weights

    @property
    def trainable_weights(self) -> list[KerasVariable]:
        if not self.trainable:
            return []
        return [w for w in self.weights if w.trainable]

    trainable_variables = trainable_weights

    @property
    def non_trainable_weights(self) -> list[KerasVariable]:
        if not self.trainable:
            return self.weights
        return [w for w in self.weights if not w.trainable]

    non_trainable_variables = non_trainable_weights

    def get_weights(self) -> list[np.ndarray]:
        return [w.numpy() for w in self.weights]

    def set_weights(self, weights: Sequence[Any]) -> None:
        params = self.weights
        if len(params) != len(weights):
            raise ValueError(f"You called `set_weights(weights)` on layer '{self.name}' with a weight list of "
                             f"length {len(weights)}, but the layer was expecting {len(params)} weights.")
        for p, w in zip(params, weights):
            w = np.asarray(w)
            if tuple(w.shape) != p.shape:
                raise ValueError(f"Layer {self.name} weight shape {p.shape} is not compatible with provided "
                                 f"weight shape {tuple(w.shape)}.")
        for p, w in zip(params, weights):
            p.assign(w)

    def count_params(self) -> int:
        if not self.built:
            raise ValueError(f"You tried to call `count_params` on layer '{self.name}', but the layer isn't "
                             "built. You can build it manually via: `layer.build(input_shape)`.")
        return int(sum(math.prod(w.shape) for w in self.weights))

    @property
    def losses(self) -> list:
        """Keras's ``layer.losses``: the losses add_loss() received in the last eager call (this layer's,
        then its sublayers'), then the weight-regularization penalties of its trainable weights.

        While a graph is traced they are symbolic (the regularization penalties only: traced add_loss
        values go to the step being built); otherwise concrete arrays."""
        reg = [w.regularizer(w.value) for w in self.trainable_weights if w.regularizer is not None]
        if current_context() is not None:
            return reg
        added = [v for layer in self._flatten_layers() for v in layer.__dict__.get("_eager_losses", [])]
        if reg:
            values = sn.function([], [sn.cast(sn.graph.as_variable(r), self.compute_dtype) for r in reg],
                                 mode="reference", name=f"{self.name}_regularization_losses")()
            reg = [np.asarray(v).view(EagerTensor) for v in values]
        return added + reg

    def add_loss(self, loss: Any) -> None:
        """Add a loss computed in call() (the endpoint-layer pattern, activity regularization). While a
        training step is traced it is summed into the training loss; in an eager call its value is kept
        in ``layer.losses``. Outside any call there is nothing to attach it to: an error."""
        ctx = current_context()
        for x in flatten(loss):
            if not (isinstance(x, (sn.Variable, np.ndarray, np.generic)) or hasattr(type(x), "__symnet_variable__")):
                raise ValueError("`add_loss()` can only be called from inside `build()` or `call()`, on a tensor "
                                 f"input. Received invalid value: {x}")
            if ctx is None:
                if isinstance(x, sn.Variable):
                    raise ValueError(f"Layer {self.name!r}: add_loss() received a symbolic tensor outside of "
                                     "call(); call it inside call() so it joins the traced training step")
                self.__dict__.setdefault("_eager_losses", []).append(np.asarray(x).view(EagerTensor))
                continue
            x = sn.graph.as_variable(x)
            ctx.losses.append(x)
            ctx.loss_owners[id(x)] = self

    def add_state_update(self, variable: "KerasVariable", new_value: Any) -> None:
        """Record `variable <- new_value` for the compiled step being traced (non-trainable state such as
        moving averages); the trainer applies it with the optimizer's updates."""
        ctx = current_context()
        if ctx is not None:
            ctx.updates.append((variable.value, sn.cast(sn.graph.as_variable(new_value), variable.dtype)))

    # -- building -----------------------------------------------------------------------
    def build(self, input_shape: Any) -> None:
        self.built = True

    def _maybe_build(self, shapes: Any) -> None:
        if self.built:
            return
        self._build_shapes = shapes
        with sn.name_scope(self.name):
            self.build(shapes)
        self.built = True

    def compute_output_shape(self, input_shape: Any) -> Any:
        """Static output shape, found by tracing call() on symnet placeholders."""
        def ph(s: Sequence) -> sn.Variable:
            return sn.tensor(tuple(s), dtype=self.compute_dtype)
        is_multi = isinstance(input_shape, list) and input_shape and isinstance(input_shape[0], (tuple, list))
        args = [ph(s) for s in input_shape] if is_multi else ph(input_shape)
        self._maybe_build(input_shape)
        with call_context(False):
            out = self._symbolic_call(args, {})
        return map_struct(lambda v: tuple(v.type.shape), out)

    # -- calling ------------------------------------------------------------------------
    def call(self, inputs: Any, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError(f"Layer {type(self).__name__} does not have a `call()` method implemented.")

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        if not args:
            if "inputs" in kwargs:
                args = (kwargs.pop("inputs"),)
            else:
                raise TypeError(f"Layer {self.name!r} was called without inputs")
        inputs, rest = args[0], args[1:]
        flat = flatten(inputs)
        if any(isinstance(t, KerasTensor) for t in flat):
            return self._functional_call(inputs, rest, kwargs)
        if all(isinstance(t, sn.Variable) or hasattr(type(t), "__symnet_variable__") for t in flat):
            shapes = map_struct(lambda v: tuple(sn.graph.as_variable(v).type.shape), inputs)
            self._maybe_build(_shape_arg(shapes))
            assert_input_compatibility(self.input_spec, flatten_shapes(shapes), self.name)
            return self._symbolic_call(inputs, dict(kwargs), *rest)
        return self._eager_call(inputs, rest, kwargs)

    def _symbolic_call(self, inputs: Any, kwargs: dict, *rest: Any) -> Any:
        """Add this layer's ops to the current graph (inputs are symnet Variables)."""
        ctx = current_context()
        if self._call_has_training:
            if kwargs.get("training") is None:
                kwargs["training"] = ctx.training if ctx is not None else None
        else:
            kwargs.pop("training", None)
        previous_mask = kwargs.get("mask")
        if previous_mask is None:   # Keras 3: a mask travels with its tensor
            previous_mask = keras_mask_of(inputs)
            if previous_mask is not None and "mask" in self._call_params:
                kwargs["mask"] = previous_mask
        kwargs.pop("mask", None) if "mask" not in self._call_params else None
        with sn.name_scope(self.name):
            outputs = self.call(inputs, *rest, **kwargs)
            set_mask_metadata(self, inputs, outputs, previous_mask)
            if self.activity_regularizer is not None and ctx is not None:
                for o in flatten(outputs):
                    if isinstance(o, sn.Variable):
                        penalty = self.activity_regularizer(o)
                        ctx.losses.append(penalty)
                        ctx.loss_owners[id(penalty)] = self
        return outputs

    def _functional_call(self, inputs: Any, rest: tuple, kwargs: dict) -> Any:
        shapes = map_struct(lambda t: t.shape if isinstance(t, KerasTensor) else None, inputs)
        self._maybe_build(_shape_arg(shapes))
        assert_input_compatibility(self.input_spec, flatten_shapes(shapes), self.name)
        placeholders = map_struct(lambda t: sn.tensor(t.shape, dtype=t.dtype, name=t.name)
                                  if isinstance(t, KerasTensor) else t, inputs)
        tensor_args = {}       # KerasTensors after the first argument get placeholders too

        def arg_placeholder(t: Any) -> Any:
            if not isinstance(t, KerasTensor):
                return t
            if id(t) not in tensor_args:
                tensor_args[id(t)] = sn.tensor(t.shape, dtype=t.dtype, name=t.name)
            return tensor_args[id(t)]
        sym_rest = tuple(map_struct(arg_placeholder, r) for r in rest)
        sym_kwargs = {k: map_struct(arg_placeholder, v) for k, v in kwargs.items()}
        with call_context(False):
            sym_out = self._symbolic_call(placeholders, sym_kwargs, *sym_rest)
        outputs = map_struct(lambda v: KerasTensor(sn.graph.as_variable(v).type.shape,
                                                   sn.graph.as_variable(v).dtype), sym_out)
        for i, t in enumerate(flatten(outputs)):
            t.name = f"keras_tensor_{get_uid('keras_tensor')}"
        Node(self, inputs, {"rest": rest, **kwargs}, outputs)
        return outputs

    def _eager_call(self, inputs: Any, rest: tuple, kwargs: dict) -> Any:
        arrays = map_struct(lambda a: self._to_array(a), inputs)
        flat = flatten(arrays)
        shapes = map_struct(lambda a: (None,) + tuple(a.shape[1:]) if a.ndim else (), arrays)
        self._maybe_build(_shape_arg(shapes))
        assert_input_compatibility(self.input_spec, [tuple(a.shape) for a in flat], self.name)
        training = kwargs.pop("training", None)
        arg_arrays: list = []      # arrays passed after the first argument (masks, attention's value) are inputs too

        def lift(v: Any) -> Any:
            if isinstance(v, np.ndarray):
                arg_arrays.append(np.asarray(v))
                return _ArrayArg(len(arg_arrays) - 1)
            return v
        rest = tuple(map_struct(lift, r) for r in rest)
        kwargs = {k: map_struct(lift, v) for k, v in kwargs.items()}
        key = (tuple((a.shape[1:], str(a.dtype)) for a in flat), bool(training), repr(rest),
               repr(sorted(kwargs.items(), key=lambda kv: kv[0])),
               tuple((a.shape[1:], str(a.dtype)) for a in arg_arrays))
        entry = self._eager_cache.get(key)
        if entry is None:
            placeholders = [sn.tensor((None,) + tuple(a.shape[1:]) if a.ndim else (), dtype=str(a.dtype))
                            for a in flat]
            arg_placeholders = [sn.tensor((None,) + tuple(a.shape[1:]) if a.ndim else (), dtype=str(a.dtype))
                                for a in arg_arrays]

            def unlift(v: Any) -> Any:
                return arg_placeholders[v.index] if isinstance(v, _ArrayArg) else v
            sym_rest = tuple(map_struct(unlift, r) for r in rest)
            sym_kwargs = {k: map_struct(unlift, v) for k, v in kwargs.items()}
            sym_in = pack_like(arrays, placeholders)
            with call_context(bool(training)) as ctx:
                out = self._symbolic_call(sym_in, dict(sym_kwargs, training=training) if training is not None
                                          else dict(sym_kwargs), *sym_rest)
            out_flat = [sn.graph.as_variable(o) for o in flatten(out)]
            owners = [ctx.loss_owners.get(id(l), self) for l in ctx.losses]
            loss_outs = [sn.graph.as_variable(l) for l in ctx.losses]
            # state updates (BatchNormalization's moving statistics) apply on an eager call, as in Keras
            fn = sn.function(placeholders + arg_placeholders, out_flat + loss_outs, on_unused_input="ignore",
                             name=f"{self.name}_call", updates=list(ctx.updates))
            entry = self._eager_cache[key] = (fn, out, owners)
        fn, out_struct, owners = entry
        values = fn(*flat, *arg_arrays)
        n_out = len(values) - len(owners)
        results = [np.asarray(r).view(EagerTensor) for r in values[:n_out]]
        for layer in self._flatten_layers():            # each eager call replaces the losses of the last one
            layer.__dict__["_eager_losses"] = []
        for owner, v in zip(owners, values[n_out:]):
            owner.__dict__.setdefault("_eager_losses", []).append(np.asarray(v).view(EagerTensor))
        return pack_like(out_struct, results)

    def _to_array(self, a: Any) -> np.ndarray:
        arr = np.asarray(a)
        if arr.dtype.kind == "f" or arr.dtype == object or arr.dtype.kind == "b":
            arr = arr.astype(self.compute_dtype)
        return arr

    # -- masks (Keras 3) --------------------------------------------------------------------
    def compute_mask(self, inputs: Any, previous_mask: Any) -> Any:
        return previous_mask

    # -- config -------------------------------------------------------------------------
    def get_config(self) -> dict:
        config = {"name": self.name, "trainable": self.trainable,
                  "dtype": {"module": "keras", "class_name": "DTypePolicy",
                            "config": {"name": self.dtype}, "registered_name": None}}
        return config

    @classmethod
    def from_config(cls, config: dict) -> "Layer":
        from ..saving.layer_config import layer_kwargs_from_config
        config = layer_kwargs_from_config(cls, config)
        try:
            return cls(**config)
        except Exception as e:
            raise TypeError(f"Error when deserializing class '{cls.__name__}' using config={config}.\n\n"
                            f"Exception encountered: {e}") from e

    def build_from_config(self, config: dict) -> None:
        """Build from get_build_config()'s dict (Keras's saving calls it before loading weights)."""
        from ..saving.serialization_lib import to_shape
        shape = to_shape(config.get("input_shape")) if config else None
        if shape is not None and not self.built:
            self._maybe_build(shape)

    def get_build_config(self) -> dict | None:
        if self._build_shapes is not None:
            return {"input_shape": self._build_shapes}
        return None

    # -- functional introspection ---------------------------------------------------------
    @property
    def input(self) -> Any:
        if not self._inbound_nodes:
            raise AttributeError(f"Layer {self.name} has never been called and thus has no defined input.")
        return self._inbound_nodes[0].call_args

    @property
    def output(self) -> Any:
        if not self._inbound_nodes:
            raise AttributeError(f"Layer {self.name} has never been called and thus has no defined output.")
        return self._inbound_nodes[0].outputs

    @property
    def input_shape(self) -> Any:
        return map_struct(lambda t: t.shape, self.input)

    @property
    def output_shape(self) -> Any:
        return map_struct(lambda t: t.shape, self.output)

    @property
    def path(self) -> str:
        return self.name

    def __repr__(self) -> str:
        return f"<{type(self).__name__} name={self.name}, built={self.built}>"


class _ArrayArg:
    """Stands for the i-th array argument after the first in an eager call (for the cache key)."""

    def __init__(self, index: int) -> None:
        self.index = index

    def __repr__(self) -> str:
        return f"<array argument {self.index}>"


def _shape_arg(shapes: Any) -> Any:
    """What build() receives: a tuple for one input, a list of tuples for several."""
    if isinstance(shapes, tuple) and all(d is None or isinstance(d, (int, np.integer)) for d in shapes):
        return shapes
    if isinstance(shapes, (list, tuple)):
        return [_shape_arg(s) for s in shapes]
    if isinstance(shapes, dict):
        return {k: _shape_arg(v) for k, v in shapes.items()}
    return shapes


def flatten_shapes(shapes: Any) -> list:
    if isinstance(shapes, tuple) and all(d is None or isinstance(d, (int, np.integer)) for d in shapes):
        return [shapes]
    if isinstance(shapes, (list, tuple)):
        return [s for e in shapes for s in flatten_shapes(e)]
    if isinstance(shapes, dict):
        return [s for k in sorted(shapes) for s in flatten_shapes(shapes[k])]
    return [shapes]


# ------------------------------------------------------------------------------------------
# Masks (Keras 3 semantics): a boolean (batch, time) mask rides on its symnet tensor's tag
# ------------------------------------------------------------------------------------------
def get_keras_mask(x: Any) -> Any:
    tag = getattr(x, "tag", None)
    return tag.get("keras_mask") if isinstance(tag, dict) else None


def set_keras_mask(x: Any, mask: Any) -> None:
    if isinstance(getattr(x, "tag", None), dict):
        x.tag["keras_mask"] = mask


def keras_mask_of(inputs: Any) -> Any:
    """The mask of a tensor, or the list of masks of a list (None when none has one)."""
    if isinstance(inputs, (list, tuple)):
        masks = [get_keras_mask(x) for x in inputs]
        return masks if any(m is not None for m in masks) else None
    return get_keras_mask(inputs)


def _supports_masking(layer: Layer) -> bool:
    return bool(layer.supports_masking) or type(layer).compute_mask is not Layer.compute_mask


def set_mask_metadata(layer: Layer, inputs: Any, outputs: Any, previous_mask: Any) -> None:
    """Attach compute_mask's result to the outputs (unless they all carry one already)."""
    flat_out = [o for o in flatten(outputs) if isinstance(o, sn.Variable)]
    if not flat_out:
        return
    if not _supports_masking(layer):
        if previous_mask is not None and any(m is not None for m in flatten(previous_mask)):
            warnings.warn(f"Layer '{layer.name}' (of type {type(layer).__name__}) was passed an input with a mask "
                          "attached to it. However, this layer does not support masking and will therefore destroy "
                          "the mask information. Downstream layers will not see the mask.", stacklevel=4)
        return
    if all(get_keras_mask(o) is not None for o in flat_out):
        return
    masks = layer.compute_mask(inputs, previous_mask)
    if masks is None:
        return
    for o, m in zip(flat_out, flatten(masks) if isinstance(masks, (list, tuple)) else [masks]):
        if m is not None and get_keras_mask(o) is None:
            set_keras_mask(o, m)
