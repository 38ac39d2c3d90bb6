"""fit / evaluate / predict over batch sources (Python generators, iterators, PyDataset): each batch
goes through the same preparation and compiled step functions as array batches."""
from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from . import data_adapter as da

_RAN_OUT = ("Your input ran out of data; interrupting training. Make sure that your dataset or generator can "
            "generate at least `steps_per_epoch * epochs` batches. You may need to use the `.repeat()` function "
            "when building your dataset.")


def _source(data: Any, steps: int | None, shuffle: Any, what: str) -> da.BatchSource:
    return data if isinstance(data, da.BatchSource) else da.BatchSource(data, steps=steps, shuffle=shuffle)


def fit_source(model: Any, x: Any, epochs: int, verbose: int, callbacks: Any, validation_data: Any, shuffle: Any,
               class_weight: Any, initial_epoch: int, steps_per_epoch: int | None, validation_steps: int | None,
               validation_freq: Any, validation_split: float = 0.0) -> Any:
    from ..callbacks.callback_list import CallbackList
    from .arguments import should_validate
    if validation_split:
        raise ValueError("`validation_split` is only supported for Tensors or NumPy arrays, not for generators or "
                         "PyDataset; pass `validation_data` instead")
    source = _source(x, steps_per_epoch, shuffle, "x")
    val_source = None
    if validation_data is not None:
        if da.is_batch_source(validation_data):
            val_source = da.BatchSource(validation_data, steps=validation_steps)
        else:
            vx, vy, vsw = da.unpack_batch(tuple(validation_data))
            val_arrays = model._prepare(vx, vy, vsw)
    cbs = CallbackList(callbacks, add_history=True, add_progbar=verbose != 0, model=model, verbose=verbose,
                       epochs=epochs, steps=source.num_batches)
    model.stop_training = False
    cbs.on_train_begin()
    initial_epoch = model.__dict__.pop("_initial_epoch", None) or initial_epoch
    training_logs: dict = {}
    logs: dict = {}
    for epoch in range(initial_epoch, epochs):
        cbs.on_epoch_begin(epoch)
        source.on_epoch_begin()
        seen = 0
        for step, (bx, by, bsw) in source.epoch():
            xs, ys, sws = model._prepare(bx, by, bsw, class_weight)
            entry = model._get_function("train", xs, ys)
            if step == 0:
                model.reset_metrics()
            cbs.on_train_batch_begin(step)
            logs = model._run_step("train", xs, ys, sws, entry)
            cbs.on_train_batch_end(step, logs)
            seen += 1
            if model.stop_training:
                break
        source.on_epoch_end()
        if seen == 0 or (source.exhausted and source.steps is not None and seen < source.steps):
            warnings.warn(_RAN_OUT, stacklevel=3)
            model.stop_training = True
            if seen == 0:
                break
        epoch_logs = dict(logs)
        if validation_data is not None and should_validate(epoch, validation_freq):
            if val_source is not None:
                val_logs = evaluate_source(model, val_source, None, cbs)
            else:
                val_logs = model._evaluate_arrays(*val_arrays, batch_size=32, steps=validation_steps, callbacks=cbs)
            epoch_logs.update({"val_" + k: v for k, v in val_logs.items()})
        cbs.on_epoch_end(epoch, epoch_logs)
        training_logs = epoch_logs
        if model.stop_training:
            break
    cbs.on_train_end(logs=training_logs)
    if cbs._history is not None and not cbs._history.epoch:   # epochs=0: an empty History, as Keras
        model.history = cbs._history
    return model.history


def evaluate_source(model: Any, data: Any, steps: int | None, callbacks: Any) -> dict:
    source = _source(data, steps, False, "x")
    callbacks.on_test_begin()
    logs: dict = {}
    source.on_epoch_begin()
    for step, (bx, by, bsw) in source.epoch():
        xs, ys, sws = model._prepare(bx, by, bsw)
        entry = model._get_function("test", xs, ys)
        if step == 0:
            model.reset_metrics()
        callbacks.on_test_batch_begin(step)
        logs = model._run_step("test", xs, ys, sws, entry)
        callbacks.on_test_batch_end(step, logs)
    source.on_epoch_end()
    if not logs:
        raise ValueError("The data given to evaluate() produced no batches")
    callbacks.on_test_end(logs)
    return logs


def predict_source(model: Any, data: Any, steps: int | None, verbose: int, callbacks: Any) -> Any:
    from ..callbacks.callback_list import CallbackList
    source = _source(data, steps, False, "x")
    cbs = CallbackList(callbacks, add_history=False, add_progbar=verbose != 0, model=model, verbose=verbose,
                       epochs=1, steps=source.num_batches)
    cbs.on_predict_begin()
    chunks: list[list[np.ndarray]] = []
    source.on_epoch_begin()
    for step, (bx, _, _) in source.epoch():
        xs = da.standardize(bx, model._input_names(), "x", model._input_dtypes())
        fn, _, _ = model._get_function("predict", xs, None)
        cbs.on_predict_batch_begin(step)
        outs = fn(*xs)
        chunks.append(outs)
        cbs.on_predict_batch_end(step, {"outputs": outs})
    source.on_epoch_end()
    cbs.on_predict_end()
    if not chunks:
        raise ValueError("Expected input data to be non-empty.")
    merged = [np.concatenate([c[i] for c in chunks], axis=0) for i in range(len(chunks[0]))]
    return model._pack_outputs(merged)
