"""compile / fit / evaluate / predict / *_on_batch.

Each role (train, test, predict) is ONE compiled symnet function, built on first use and reused
for every batch: the batch axis is None in every placeholder, so the last, partial batch needs no
new compile. The train step holds the forward pass (training=True), the loss (plus regularization
losses), the gradient, the optimizer's updates and the metric-state updates; it returns the
metric results computed from the *updated* states, so logs need no second call. A function is
rebuilt only when what it was built for changes (input dtypes/ranks, the set of trainable
weights, a recompile)."""
from __future__ import annotations

import math
import warnings
from typing import Any, Sequence

import numpy as np

import symnet as sn

from . import arguments as args_check
from . import data_adapter as da
from .compiled_kernels import CompiledKernel, compiled_step_kernels


class Trainer:
    """Mixin giving Model the Keras 3 training API."""

    def __init__(self) -> None:
        self.compiled = False
        self.optimizer = None
        self.loss = None
        self.stop_training = False
        self.history = None
        self._compile_args: dict | None = None
        self._compile_state = None
        self._fns: dict[str, tuple] = {}

    # -- compile ------------------------------------------------------------------------------
    def compile(self, optimizer: Any = "rmsprop", loss: Any = None, loss_weights: Any = None, metrics: Any = None,
                weighted_metrics: Any = None, run_eagerly: bool = False, steps_per_execution: int = 1,
                jit_compile: Any = "auto", auto_scale_loss: bool = True, **kwargs: Any) -> None:
        """Configure the model for training (Keras 3's arguments; run_eagerly/jit_compile are accepted and
        ignored: every step is compiled)."""
        from .. import optimizers
        for legacy in ("sample_weight_mode", "target_tensors", "distribute"):
            if legacy in kwargs:
                raise NotImplementedError(f"keras_api compile(): `{legacy}` (Keras 1/2) is not supported")
        if kwargs:
            raise TypeError(f"compile() got unexpected keyword arguments {sorted(kwargs)}")
        if steps_per_execution != 1:
            warnings.warn("keras_api compile(): steps_per_execution > 1 is accepted but runs one step per call",
                          stacklevel=2)
        self.optimizer = optimizers.get(optimizer)
        self.loss = loss
        if loss is not None:   # unknown loss names fail here, as in Keras
            from .. import losses
            for l in (loss.values() if isinstance(loss, dict) else loss if isinstance(loss, (list, tuple)) else [loss]):
                if l is not None:
                    losses.get(l)
        self._compile_args = dict(loss=loss, loss_weights=loss_weights, metrics=metrics,
                                  weighted_metrics=weighted_metrics)
        self._compile_config = dict(optimizer=self.optimizer, loss=loss, loss_weights=loss_weights, metrics=metrics,
                                    weighted_metrics=weighted_metrics, run_eagerly=run_eagerly,
                                    steps_per_execution=steps_per_execution,
                                    jit_compile=True if jit_compile == "auto" else jit_compile)
        self._compile_state = None
        self._fns = {}
        self.compiled = True

    def get_compile_config(self) -> dict | None:
        """compile()'s arguments, serialized (saved as config.json's compile_config)."""
        from ..saving.compile_config import get_compile_config
        return get_compile_config(self)

    def compile_from_config(self, config: dict) -> None:
        from ..saving.compile_config import compile_from_config
        compile_from_config(self, config)

    def _reset_compiled_functions(self) -> None:
        self._fns = {}
        self._compile_state = None

    def _assert_compiled(self) -> None:
        if not getattr(self, "compiled", False):
            raise ValueError("You must call `compile()` before using the model.")

    @property
    def metrics(self) -> list:
        return self._compile_state.all_trackers() if self._compile_state is not None else []

    @property
    def metrics_names(self) -> list[str]:
        return [m.name for m in self.metrics]

    def reset_metrics(self) -> None:
        for m in self.metrics:
            m.reset_state()

    # -- model structure used by the steps -------------------------------------------------------
    def _input_specs(self, x: list[np.ndarray]) -> list[tuple[str, tuple, str]]:
        """(name, shape with None batch, dtype) of each model input; builds a deferred Sequential."""
        from ..models.functional import Functional
        from ..models.sequential import Sequential
        if isinstance(self, Sequential) and not self.built:
            a = x[0]
            self.build((None,) + tuple(a.shape[1:]))
        if isinstance(self, Sequential):
            fn = self._functional
        elif isinstance(self, Functional):
            fn = self
        else:
            return [(f"input_{i}", (None,) + tuple(a.shape[1:]), str(a.dtype)) for i, a in enumerate(x)]
        return [(t._keras_history[0].name, t.shape, t.dtype) for t in fn._inputs_flat]

    def _input_names(self) -> list[str] | None:
        from ..models.functional import Functional
        from ..models.sequential import Sequential
        if isinstance(self, Sequential):
            return self._functional.input_names if self._functional is not None else None
        if isinstance(self, Functional):
            return self.input_names
        return None

    def _output_names_for(self, n_out: int) -> list[str]:
        try:
            names = list(self.output_names)
            if len(names) == n_out:
                return names
        except (AttributeError, IndexError):
            pass
        return [f"output_{i}" for i in range(n_out)] if n_out > 1 else ["output"]

    def _check_input_shapes(self, x: list[np.ndarray], specs: list) -> None:
        """Wrong feature sizes are reported with the consuming layer's name and both shapes."""
        for i, (a, (name, shape, dtype)) in enumerate(zip(x, specs)):
            got = tuple(a.shape)
            if len(got) != len(shape) or any(s is not None and s != g for s, g in zip(shape[1:], got[1:])):
                layer_name = self._first_consumer(i) or name
                raise ValueError(f'Input {i} of layer "{layer_name}" is incompatible with the layer: expected '
                                 f'shape={_fmt(shape)}, found shape={_fmt(got)}')

    def _first_consumer(self, i: int) -> str | None:
        from ..models.functional import Functional
        from ..models.sequential import Sequential
        fn = self._functional if isinstance(self, Sequential) else self if isinstance(self, Functional) else None
        if fn is None:
            return None
        target = fn._inputs_flat[i]
        for node in fn._nodes_post:
            if any(t is target for t in node.input_tensors):
                return node.operation.name
        return None

    def _forward(self, x_syms: list, training: bool) -> tuple[list, list, list]:
        """Symbolic outputs (flat), the added losses and the state updates of one forward pass."""
        from ..layers.base import call_context, flatten, _shape_arg
        with call_context(training) as ctx:
            from ..models.functional import Functional
            from ..models.sequential import Sequential
            if isinstance(self, (Functional, Sequential)):
                out = self.call(x_syms if len(x_syms) > 1 else x_syms[0], training=training)
            else:
                inputs = x_syms[0] if len(x_syms) == 1 else x_syms
                self._maybe_build(_shape_arg(tuple(x_syms[0].type.shape)) if len(x_syms) == 1
                                  else [tuple(v.type.shape) for v in x_syms])
                kwargs = {"training": training} if self._call_has_training else {}
                out = self.call(inputs, **kwargs)
        outs = [sn.graph.as_variable(o) for o in flatten(out)]
        return outs, list(ctx.losses), list(ctx.updates)

    # -- building the compiled steps ---------------------------------------------------------------
    def _ensure_compile_state(self, y: list | None, pred_shapes: list[tuple]) -> None:
        if self._compile_state is not None:
            return
        from .compile_utils import CompileState
        names = self._output_names_for(len(pred_shapes))
        y_ndims = [a.ndim if (y and a is not None) else None for a in (y or [None] * len(pred_shapes))]
        y_last = [a.shape[-1] if (y and a is not None and a.ndim) else None for a in (y or [None] * len(pred_shapes))]
        self._compile_state = CompileState(output_names=names, y_ndims=y_ndims, y_last_dims=y_last,
                                           pred_shapes=pred_shapes, **self._compile_args)

    def _placeholders(self, x: list[np.ndarray]) -> tuple[list, list]:
        specs = self._input_specs(x)
        self._check_input_shapes(x, specs)
        x_syms = [sn.tensor((None,) + tuple(shape[1:]), dtype=dtype, name=name) for name, shape, dtype in specs]
        return specs, x_syms

    def _get_function(self, role: str, x: list[np.ndarray], y: list | None) -> tuple:
        specs = self._input_specs(x)
        if not self.built and role == "train":   # a subclassed model: build its sublayers before listing weights
            from ..layers.base import Layer
            Layer.compute_output_shape(self, specs[0][1] if len(specs) == 1 else [s for _, s, _ in specs])
        self._check_input_shapes(x, specs)
        trainable = [w for w in self.trainable_weights] if role == "train" else []
        key = (tuple((d, len(s)) for _, s, d in specs),
               tuple((a.dtype.str, a.ndim) if a is not None else None for a in (y or [])),
               tuple(id(w) for w in trainable))
        cached = self._fns.get(role)
        if cached is not None and cached[0] == key:
            return cached[1]
        built = getattr(self, f"_build_{role}_function")(specs, y, trainable)
        self._fns[role] = (key, built)
        return built

    def _symbolic_targets(self, y: list | None, n_out: int) -> tuple[list, list]:
        floatx = sn.config.floatX
        y_syms, sw_syms = [], []
        names = self._compile_state.output_names
        for i in range(n_out):
            a = y[i] if y is not None and i < len(y) else None
            if a is None or not self._compile_state.needs_target(i):
                y_syms.append(None)
                sw_syms.append(None)
                continue
            y_syms.append(sn.tensor((None,) + tuple(a.shape[1:]), dtype=str(a.dtype), name=f"{names[i]}_target"))
            sw_syms.append(sn.tensor((None,), dtype=floatx, name=f"{names[i]}_sample_weight"))
        return y_syms, sw_syms

    def _loss_and_metric_updates(self, x_syms: list, outs: list, y_syms: list, sw_syms: list, added_losses: list,
                                 reg: bool) -> tuple[Any, list, list]:
        """Total loss, the metric-state updates and (name, result-from-updated-state) pairs."""
        floatx = sn.config.floatX
        cs = self._compile_state
        batch = sn.cast(x_syms[0].shape[0], floatx)
        per_output = []
        total = None
        for i, (yt, yp, sw) in enumerate(zip(y_syms, outs, sw_syms)):
            loss_fn = cs.losses[i]
            if loss_fn is None or yt is None:
                continue
            with sn.name_scope(f"loss_{cs.output_names[i]}" if len(outs) > 1 else "loss"):
                value = sn.cast(loss_fn(yt, yp, sample_weight=sw), floatx)
            per_output.append((i, value))
            w = cs.loss_weights[i]
            term = value * sn.constant(w, dtype=floatx) if w is not None else value
            total = term if total is None else total + term
        extra = list(added_losses)
        if reg:
            extra += [w.regularizer(w.value) for w in self.trainable_weights if w.regularizer is not None]
        for e in extra:
            e = sn.cast(sn.sum(e), floatx)
            total = e if total is None else total + e
        if total is None:
            total = sn.constant(0.0, dtype=floatx)
        updates: list = []
        updates += cs.loss_tracker.update_state(total, sample_weight=batch)
        for i, value in per_output:
            if i in cs.output_loss_trackers:
                updates += cs.output_loss_trackers[i].update_state(value, sample_weight=batch)
        for i, (yt, yp, sw) in enumerate(zip(y_syms, outs, sw_syms)):
            if yt is None:
                continue
            for m in cs.metrics[i]:
                updates += m.update_state(yt, yp)
            for m in cs.weighted_metrics[i]:
                updates += m.update_state(yt, yp, sample_weight=sw)
        trackers = [m for m in cs.all_trackers()
                    if m is cs.loss_tracker or any(m is t for t in cs.output_loss_trackers.values())
                    or any(m is t for ms in cs.metrics + cs.weighted_metrics for t in ms)]
        new_state = {var: expr for var, expr in updates}
        from ..metrics.metric import symbolic_results
        named = [(k, sn.cast(r, floatx)) for m in trackers for k, r in symbolic_results(m)]   # dict results expand
        results = [r for _, r in named]
        from symnet.graph import clone_graph
        results, _ = clone_graph(results, replace=dict(new_state))
        return total, updates, [(k, r) for (k, _), r in zip(named, results)]

    def _build_train_function(self, specs: list, y: list | None, trainable: list) -> tuple:
        x_syms = [sn.tensor((None,) + tuple(shape[1:]), dtype=dtype, name=name) for name, shape, dtype in specs]
        outs, added, state_updates = self._forward(x_syms, training=True)
        self._ensure_compile_state(y, [tuple(o.type.shape) for o in outs])
        y_syms, sw_syms = self._symbolic_targets(y, len(outs))
        if not any(l is not None for l in self._compile_state.losses) and not added and not any(
                w.regularizer is not None for w in self.trainable_weights):
            raise ValueError("No loss to compute. Provide a `loss` argument in `compile()`.")
        total, metric_updates, named = self._loss_and_metric_updates(x_syms, outs, y_syms, sw_syms, added, reg=True)
        params = [w.value for w in trainable]
        updates: list = []
        if params:
            with sn.name_scope("gradients"):
                grads = sn.grad(total, params, disconnected_inputs="ignore", return_disconnected="none")
            constraints = {w.value: w.constraint for w in trainable if w.constraint is not None}
            if not self.optimizer.built:
                self.optimizer.build([w.value for w in self.trainable_weights])
            updates += self.optimizer.get_updates(params, grads, constraints or None)
        updates += metric_updates + state_updates
        return self._compile_step("train_step", x_syms, y_syms, sw_syms, named, updates)

    def _build_test_function(self, specs: list, y: list | None, trainable: list) -> tuple:
        x_syms = [sn.tensor((None,) + tuple(shape[1:]), dtype=dtype, name=name) for name, shape, dtype in specs]
        outs, added, _ = self._forward(x_syms, training=False)
        self._ensure_compile_state(y, [tuple(o.type.shape) for o in outs])
        y_syms, sw_syms = self._symbolic_targets(y, len(outs))
        _, metric_updates, named = self._loss_and_metric_updates(x_syms, outs, y_syms, sw_syms, added, reg=True)
        return self._compile_step("test_step", x_syms, y_syms, sw_syms, named, metric_updates)

    def _build_predict_function(self, specs: list, y: Any, trainable: list) -> tuple:
        x_syms = [sn.tensor((None,) + tuple(shape[1:]), dtype=dtype, name=name) for name, shape, dtype in specs]
        outs, _, state_updates = self._forward(x_syms, training=False)
        # inference-time state updates (a stateful RNN's states) apply in predict too, as in Keras
        fn = sn.function(x_syms, outs, name="predict_step", on_unused_input="ignore", updates=state_updates or None)
        return fn, None, None

    def _compile_step(self, name: str, x_syms: list, y_syms: list, sw_syms: list, named: list,
                      updates: list) -> tuple:
        order = sorted(range(len(named)), key=lambda k: named[k][0])
        names = [named[k][0] for k in order]
        outputs = [named[k][1] for k in order]
        inputs = x_syms + [v for v in y_syms if v is not None] + [v for v in sw_syms if v is not None]
        fn = sn.function(inputs, outputs, updates=updates, name=name, on_unused_input="ignore")
        return fn, names, [i for i, v in enumerate(y_syms) if v is not None]

    # -- running one batch -------------------------------------------------------------------------
    def _run_step(self, role: str, x: list, y: list | None, sw: list | None, entry: tuple | None = None) -> dict:
        """Run one compiled step on one batch; `entry` is the (function, log names, target indices) to use."""
        fn, names, target_idx = entry if entry is not None else self._get_function(role, x, y)
        n = len(x[0])
        ys = [y[i] for i in target_idx]
        sws = []
        for i in target_idx:
            w = sw[i] if sw is not None and i < len(sw) and sw[i] is not None else None
            sws.append(self._ones(n) if w is None else np.asarray(w, dtype=sn.config.floatX).reshape(n))
        values = fn(*da.ints_to_float_inputs(fn, x), *ys, *sws)
        return {k: float(v) for k, v in zip(names, values)}

    def _ones(self, n: int) -> np.ndarray:
        cache = self.__dict__.setdefault("_ones_cache", {})
        key = (n, sn.config.floatX)
        if key not in cache:
            cache[key] = np.ones(n, dtype=sn.config.floatX)
        return cache[key]

    # -- data preparation --------------------------------------------------------------------------
    def _prepare(self, x: Any, y: Any, sample_weight: Any, class_weight: Any = None
                 ) -> tuple[list, list | None, list | None]:
        if x is None:
            raise ValueError("Expected input data `x`; got None")
        xs = da.standardize(x, self._input_names(), "x", self._input_dtypes())
        xs = self._apply_preprocessing_boundary(xs)
        args_check.check_numeric_data(xs, "x")
        if self._input_names() is None and isinstance(x, dict):
            pass
        n_out = self._n_outputs_guess()
        out_names = self._output_names_for(n_out) if n_out else None
        ys = da.standardize(y, out_names, "y") if y is not None else None
        args_check.check_numeric_data(ys, "y")
        sws = None
        if sample_weight is not None:
            sws = da.standardize(sample_weight, out_names, "sample_weight")
            if ys is not None and len(sws) == 1 and len(ys) > 1:
                sws = sws * len(ys)
        if class_weight is not None:
            if ys is None:
                raise ValueError("`class_weight` needs targets `y`")
            if len(ys) > 1:
                raise ValueError("`class_weight` is only supported for Models with a single output.")
            if sws is not None:
                raise ValueError("You cannot `class_weight` and `sample_weight` at the same time.")
            sws = [da.class_weight_to_sample_weight(ys[0], class_weight)]
        da.check_lengths(xs, ys, sws)
        return xs, ys, sws

    def _eager_call(self, inputs: Any, rest: tuple, kwargs: dict) -> Any:
        from ..models.sequential import Sequential
        if isinstance(self, Sequential) and self._functional is not None and self._functional._boundary:
            inputs = self._functional.apply_boundary([inputs])[0]
        return super()._eager_call(inputs, rest, kwargs)

    def _apply_preprocessing_boundary(self, xs: list) -> list:
        """NumPy-only preprocessing layers (TextVectorization, ...) on model inputs run on the data here."""
        from ..models.functional import Functional
        from ..models.sequential import Sequential
        fn = self._functional if isinstance(self, Sequential) else self if isinstance(self, Functional) else None
        return fn.apply_boundary(xs) if fn is not None and getattr(fn, "_boundary", None) else xs

    def _input_dtypes(self) -> list[str] | None:
        from ..models.functional import Functional
        from ..models.sequential import Sequential
        fn = self._functional if isinstance(self, Sequential) else self if isinstance(self, Functional) else None
        if fn is None:
            return None
        return [t.dtype for t in fn._inputs_flat]

    def _n_outputs_guess(self) -> int | None:
        from ..models.functional import Functional
        from ..models.sequential import Sequential
        if isinstance(self, Sequential):
            return 1
        if isinstance(self, Functional):
            return len(self._outputs_flat)
        return None

    # -- fit ----------------------------------------------------------------------------------------
    def fit(self, x: Any = None, y: Any = None, batch_size: int | None = None, epochs: int = 1, verbose: Any = "auto",
            callbacks: Any = None, validation_split: float = 0.0, validation_data: Any = None, shuffle: Any = True,
            class_weight: dict | None = None, sample_weight: Any = None, initial_epoch: int = 0,
            steps_per_epoch: int | None = None, validation_steps: int | None = None,
            validation_batch_size: int | None = None, validation_freq: Any = 1, **kwargs: Any):
        """Train for `epochs` epochs; returns the History callback (Keras 3 semantics)."""
        from ..callbacks.callback_list import CallbackList
        if "nb_epoch" in kwargs:
            warnings.warn("fit(nb_epoch=...) is the Keras 1 spelling; use epochs=", DeprecationWarning, stacklevel=2)
            epochs = kwargs.pop("nb_epoch")
        if kwargs:
            raise TypeError(f"fit() got unexpected keyword arguments {sorted(kwargs)}")
        self._assert_compiled()
        args_check.check_fit_arguments(batch_size, epochs, initial_epoch, validation_split, steps_per_epoch,
                                       validation_steps, validation_batch_size, validation_freq)
        batch_size = 32 if batch_size is None else int(batch_size)
        verbose = args_check.verbosity(verbose)
        if da.is_batch_source(x):      # generators and PyDataset: trainers/source_loops.py
            from .source_loops import fit_source
            args_check.no_y_with_source(y, sample_weight, "fit")
            return fit_source(self, x, epochs, verbose, callbacks, validation_data, shuffle, class_weight,
                              initial_epoch, steps_per_epoch, validation_steps, validation_freq, validation_split)
        xs, ys, sws = self._prepare(x, y, sample_weight, class_weight)
        val = None
        if validation_data is not None:
            if da.is_batch_source(validation_data):
                raise NotImplementedError("keras_api fit: generator/PyDataset validation_data with array x "
                                          "(pass x as a generator or PyDataset too)")
            if not isinstance(validation_data, (list, tuple)) or len(validation_data) not in (2, 3):
                raise ValueError("`validation_data` should be a tuple `(x_val, y_val)` or `(x_val, y_val, "
                                 f"val_sample_weight)`. Received: validation_data={type(validation_data)}")
            vx, vy = validation_data[0], validation_data[1]
            vsw = validation_data[2] if len(validation_data) == 3 else None
            val = self._prepare(vx, vy, vsw)
        elif validation_split and validation_split > 0:
            (xs, ys, sws), (vx, vy, vsw) = da.split_validation([xs, ys, sws], validation_split)
            val = (vx, vy, vsw)
        n = len(xs[0])
        it = da.BatchIterator(n, batch_size, shuffle=shuffle, steps_per_epoch=steps_per_epoch)
        cbs = CallbackList(callbacks, add_history=True, add_progbar=verbose != 0, model=self, verbose=verbose,
                           epochs=epochs, steps=it.num_batches)
        self.stop_training = False
        cbs.on_train_begin()
        initial_epoch = self.__dict__.pop("_initial_epoch", None) or initial_epoch   # BackupAndRestore's resume point
        training_logs: dict = {}
        logs: dict = {}
        for epoch in range(initial_epoch, epochs):
            entry = self._get_function("train", xs, ys)      # built once; rebuilt only if the model changed
            self.reset_metrics()
            cbs.on_epoch_begin(epoch)
            contiguous = not shuffle
            for step, idx in it.epoch():
                cbs.on_train_batch_begin(step)
                logs = self._run_step("train", da.take(xs, idx, contiguous), da.take(ys, idx, contiguous),
                                      da.take(sws, idx, contiguous), entry)
                cbs.on_train_batch_end(step, logs)
                if self.stop_training:
                    break
            epoch_logs = dict(logs)
            if val is not None and args_check.should_validate(epoch, validation_freq):
                val_logs = self._evaluate_arrays(*val, batch_size=validation_batch_size or batch_size,
                                                 steps=validation_steps, callbacks=cbs)
                epoch_logs.update({"val_" + k: v for k, v in val_logs.items()})
            cbs.on_epoch_end(epoch, epoch_logs)
            training_logs = epoch_logs
            if self.stop_training:
                break
        cbs.on_train_end(logs=training_logs)
        if cbs._history is not None and not cbs._history.epoch:   # epochs=0 / initial_epoch=epochs: Keras
            self.history = cbs._history                             # still returns a (empty) History
        return self.history

    # -- evaluate -------------------------------------------------------------------------------------
    def evaluate(self, x: Any = None, y: Any = None, batch_size: int | None = None, verbose: Any = "auto",
                 sample_weight: Any = None, steps: int | None = None, callbacks: Any = None, return_dict: bool = False,
                 **kwargs: Any) -> Any:
        """Loss and metrics over the data: a scalar when there is one value, else a list in
        model.metrics_names order (or a dict with return_dict=True)."""
        from ..callbacks.callback_list import CallbackList
        self._assert_compiled()
        args_check.positive_int("batch_size", batch_size)
        args_check.positive_int("steps", steps)
        batch_size = 32 if batch_size is None else int(batch_size)
        verbose = args_check.verbosity(verbose)
        if da.is_batch_source(x):
            from .source_loops import evaluate_source
            args_check.no_y_with_source(y, sample_weight, "evaluate")
            source = da.BatchSource(x, steps=steps)
            cbs = CallbackList(callbacks, add_history=False, add_progbar=verbose != 0, model=self, verbose=verbose,
                               epochs=1, steps=source.num_batches)
            logs = evaluate_source(self, source, steps, cbs)
            return logs if return_dict else self._flatten_metrics_in_order(logs)
        xs, ys, sws = self._prepare(x, y, sample_weight)
        n = len(xs[0])
        steps_n = steps or int(math.ceil(n / batch_size))
        cbs = CallbackList(callbacks, add_history=False, add_progbar=verbose != 0, model=self, verbose=verbose,
                           epochs=1, steps=steps_n)
        logs = self._evaluate_arrays(xs, ys, sws, batch_size=batch_size, steps=steps, callbacks=cbs)
        if return_dict:
            return logs
        return self._flatten_metrics_in_order(logs)

    def _evaluate_arrays(self, xs: list, ys: list | None, sws: list | None, batch_size: int, steps: int | None,
                         callbacks: Any) -> dict:
        n = len(xs[0])
        it = da.BatchIterator(n, batch_size, shuffle=False, steps_per_epoch=steps)
        entry = self._get_function("test", xs, ys)
        callbacks.on_test_begin()
        self.reset_metrics()
        logs: dict = {}
        for step, idx in it.epoch():
            callbacks.on_test_batch_begin(step)
            logs = self._run_step("test", da.take(xs, idx, True), da.take(ys, idx, True), da.take(sws, idx, True),
                                  entry)
            callbacks.on_test_batch_end(step, logs)
        callbacks.on_test_end(logs)
        return logs

    def _flatten_metrics_in_order(self, logs: dict) -> Any:
        """Keras 3's order: loss, the compiled metrics (single output), the per-output losses, then the
        remaining keys sorted (with several outputs Keras's prefixed metric names land there)."""
        cs = self._compile_state
        names = ["loss"]
        if cs is not None:
            if len(cs.output_names) == 1:
                names += [m.name for m in cs.compile_metrics()]
            names += [m.name for m in cs.output_loss_trackers.values()]
        results = [logs[k] for k in names if k in logs]
        results += [logs[k] for k in sorted(logs) if k not in names]
        return results[0] if len(results) == 1 else results

    # -- predict ----------------------------------------------------------------------------------------
    def predict(self, x: Any, batch_size: int | None = None, verbose: Any = "auto", steps: int | None = None,
                callbacks: Any = None) -> Any:
        """Outputs for every sample, batch by batch, concatenated (a list for several outputs)."""
        from ..callbacks.callback_list import CallbackList
        args_check.positive_int("batch_size", batch_size)
        args_check.positive_int("steps", steps)
        batch_size = 32 if batch_size is None else int(batch_size)
        verbose = args_check.verbosity(verbose)
        if da.is_batch_source(x):
            from .source_loops import predict_source
            return predict_source(self, x, steps, verbose, callbacks)
        xs = da.standardize(x, self._input_names(), "x", self._input_dtypes())
        xs = self._apply_preprocessing_boundary(xs)
        args_check.check_numeric_data(xs, "x")
        da.check_lengths(xs, None, None)
        n = len(xs[0])
        it = da.BatchIterator(n, batch_size, shuffle=False, steps_per_epoch=steps)
        fn, _, _ = self._get_function("predict", xs, None)
        cbs = CallbackList(callbacks, add_history=False, add_progbar=verbose != 0, model=self, verbose=verbose,
                           epochs=1, steps=it.num_batches)
        cbs.on_predict_begin()
        chunks: list[list[np.ndarray]] = []
        for step, idx in it.epoch():
            cbs.on_predict_batch_begin(step)
            outs = fn(*da.ints_to_float_inputs(fn, da.take(xs, idx, True)))
            chunks.append(outs)
            cbs.on_predict_batch_end(step, {"outputs": outs})
        cbs.on_predict_end()
        if not chunks:
            raise ValueError("Expected input data to be non-empty.")
        merged = [np.concatenate([c[i] for c in chunks], axis=0) for i in range(len(chunks[0]))]
        return self._pack_outputs(merged)

    def _pack_outputs(self, flat: list) -> Any:
        from ..layers.base import pack_like
        from ..models.functional import Functional
        from ..models.sequential import Sequential
        if isinstance(self, Functional) and not isinstance(self, Sequential):
            return pack_like(self._outputs_struct, flat)
        return flat[0] if len(flat) == 1 else flat

    # -- on_batch ------------------------------------------------------------------------------------------
    def train_on_batch(self, x: Any, y: Any = None, sample_weight: Any = None, class_weight: Any = None,
                       return_dict: bool = False) -> Any:
        """One training step; metrics are reset first (Keras 3.15), so the values are this batch's."""
        self._assert_compiled()
        xs, ys, sws = self._prepare(x, y, sample_weight, class_weight)
        self._get_function("train", xs, ys)
        self.reset_metrics()
        logs = self._run_step("train", xs, ys, sws)
        return logs if return_dict else self._flatten_metrics_in_order(logs)

    def test_on_batch(self, x: Any, y: Any = None, sample_weight: Any = None, return_dict: bool = False) -> Any:
        self._assert_compiled()
        xs, ys, sws = self._prepare(x, y, sample_weight)
        self._get_function("test", xs, ys)
        self.reset_metrics()
        logs = self._run_step("test", xs, ys, sws)
        return logs if return_dict else self._flatten_metrics_in_order(logs)

    def predict_on_batch(self, x: Any) -> Any:
        xs = da.standardize(x, self._input_names(), "x", self._input_dtypes())
        fn, _, _ = self._get_function("predict", xs, None)
        return self._pack_outputs(list(fn(*xs)))

    # -- inspection ------------------------------------------------------------------------------------------
    def compiled_kernels(self, role: str = "train") -> list[CompiledKernel]:
        """The kernels of the compiled train/test/predict step, each with its name, kind, source (LLVM IR,
        read lazily), graph nodes, symnet name scopes and `layers`: the Keras layer names (of this model and
        nested ones) whose ops the kernel holds. The step must have run once (fit/evaluate/predict).
        With the reference backend (the NumPy interpreter) nothing is compiled and the list is empty."""
        return compiled_step_kernels(self, role)




def _fmt(shape: Sequence) -> str:
    return "(" + ", ".join(str(d) for d in shape) + ("," if len(shape) == 1 else "") + ")"
