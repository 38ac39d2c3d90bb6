"""Every callback: hook order, History, EarlyStopping, ModelCheckpoint, ReduceLROnPlateau,
LearningRateScheduler, CSVLogger, TerminateOnNaN, LambdaCallback, ProgbarLogger, stop_training."""
import csv
import os

import numpy as np
import pytest

import keras_api as keras
from keras_api import callbacks, layers


pytestmark = pytest.mark.usefixtures("reference_backend", "fresh_session")


def data(n=40):
    x = np.random.rand(n, 3).astype("float32")
    return x, (x @ np.array([[1.0], [-2.0], [0.5]], "float32")).astype("float32")


def model(lr=0.05):
    m = keras.Sequential([keras.Input((3,)), layers.Dense(1)])
    m.compile(optimizer=keras.optimizers.SGD(learning_rate=lr), loss="mse", metrics=["mae"])
    return m


class Recorder(callbacks.Callback):
    def __init__(self):
        super().__init__()
        self.calls = []

    def __getattribute__(self, name):
        if name.startswith("on_") and name not in ("on_batch_begin", "on_batch_end"):
            calls = object.__getattribute__(self, "calls")
            indexed = "batch" in name or "epoch" in name
            return lambda *a, **k: calls.append((name, a[0]) if indexed else name)
        return object.__getattribute__(self, name)


def test_hook_order_fit_evaluate_predict():
    x, y = data(20)
    m = model()
    rec = Recorder()
    m.fit(x, y, batch_size=10, epochs=2, validation_data=(x[:10], y[:10]), callbacks=[rec], verbose=0)
    assert rec.calls == [
        "on_train_begin",
        ("on_epoch_begin", 0), ("on_train_batch_begin", 0), ("on_train_batch_end", 0),
        ("on_train_batch_begin", 1), ("on_train_batch_end", 1),
        "on_test_begin", ("on_test_batch_begin", 0), ("on_test_batch_end", 0), "on_test_end",
        ("on_epoch_end", 0),
        ("on_epoch_begin", 1), ("on_train_batch_begin", 0), ("on_train_batch_end", 0),
        ("on_train_batch_begin", 1), ("on_train_batch_end", 1),
        "on_test_begin", ("on_test_batch_begin", 0), ("on_test_batch_end", 0), "on_test_end",
        ("on_epoch_end", 1),
        "on_train_end"]
    rec.calls.clear()
    m.evaluate(x, y, batch_size=20, callbacks=[rec], verbose=0)
    assert rec.calls == ["on_test_begin", ("on_test_batch_begin", 0), ("on_test_batch_end", 0), "on_test_end"]
    rec.calls.clear()
    m.predict(x, batch_size=20, callbacks=[rec], verbose=0)
    assert rec.calls == ["on_predict_begin", ("on_predict_batch_begin", 0), ("on_predict_batch_end", 0),
                         "on_predict_end"]
    assert rec.params == {"verbose": 0, "epochs": 1, "steps": 1} and rec.model is m


def test_batch_logs_and_stop_training():
    x, y = data()
    m = model()
    seen = []

    class Stopper(callbacks.Callback):
        def on_train_batch_end(self, batch, logs=None):
            seen.append(dict(logs))
            if batch == 1:
                self.model.stop_training = True

    h = m.fit(x, y, batch_size=8, epochs=5, callbacks=[Stopper()], verbose=0)
    assert len(seen) == 2 and set(seen[0]) == {"loss", "mae"}
    assert h.epoch == [0]


def test_early_stopping_patience_and_restore():
    x, y = data()
    m = model(lr=0.0)      # nothing changes: no improvement after the first epoch
    es = callbacks.EarlyStopping(monitor="loss", patience=2)
    h = m.fit(x, y, epochs=20, callbacks=[es], verbose=0, shuffle=False)
    assert h.epoch == [0, 1, 2] and es.stopped_epoch == 2
    # restore_best_weights: diverging SGD makes the first epoch the best
    m = model(lr=3.0)
    es = callbacks.EarlyStopping(monitor="loss", patience=1, restore_best_weights=True, verbose=1)
    saved = []
    cb = callbacks.LambdaCallback(on_epoch_end=lambda e, logs: saved.append(m.get_weights()))
    h = m.fit(x, y, epochs=10, callbacks=[cb, es], verbose=0)
    best = int(np.argmin(h.history["loss"]))
    for a, b in zip(m.get_weights(), saved[best]):
        np.testing.assert_array_equal(a, b)
    # baseline: the first epoch counts towards patience when it does not beat the baseline
    m = model(lr=0.0)
    es = callbacks.EarlyStopping(monitor="loss", patience=2, baseline=-1.0)
    assert m.fit(x, y, epochs=10, callbacks=[es], verbose=0, shuffle=False).epoch == [0, 1]
    # start_from_epoch
    m = model(lr=0.0)
    es = callbacks.EarlyStopping(monitor="loss", patience=1, start_from_epoch=3)
    assert m.fit(x, y, epochs=10, callbacks=[es], verbose=0, shuffle=False).epoch == [0, 1, 2, 3, 4]
    es = callbacks.EarlyStopping(monitor="val_accuracy")
    es.set_model(m)
    es._set_monitor_op()
    assert es.monitor_op(2, 1)      # accuracy-like: higher is better


def test_model_checkpoint(tmp_path):
    x, y = data()
    m = model()
    pattern = str(tmp_path / "ckpt-{epoch:02d}-{loss:.2f}.weights.h5")
    m.fit(x, y, epochs=2, callbacks=[callbacks.ModelCheckpoint(pattern, save_weights_only=True)], verbose=0)
    files = sorted(os.listdir(tmp_path))
    assert len(files) == 2 and files[0].startswith("ckpt-01-") and files[1].startswith("ckpt-02-")
    assert not [f for f in files if f.startswith(".tmp")]          # temp files were moved into place
    best = str(tmp_path / "best.weights.h5")
    m = model(lr=3.0)     # diverges: only the first epoch improves val_loss
    cp = callbacks.ModelCheckpoint(best, monitor="val_loss", save_best_only=True, save_weights_only=True)
    snaps = []
    h = m.fit(x, y, epochs=4, validation_data=(x, y), callbacks=[cp, callbacks.LambdaCallback(
        on_epoch_end=lambda e, logs: snaps.append(m.get_weights()))], verbose=0)
    m2 = model()
    m2.load_weights(best)
    i = int(np.argmin(h.history["val_loss"]))
    for a, b in zip(m2.get_weights(), snaps[i]):
        np.testing.assert_array_equal(a, b)
    with pytest.raises(ValueError, match=r"\.weights\.h5"):
        callbacks.ModelCheckpoint(str(tmp_path / "x.h5"), save_weights_only=True)
    with pytest.raises(ValueError, match=r"\.keras"):
        callbacks.ModelCheckpoint(str(tmp_path / "x.h5"))        # whole-model checkpoints: test_saving_callbacks.py


def test_reduce_lr_on_plateau_and_scheduler():
    x, y = data()
    m = model(lr=0.0)
    rl = callbacks.ReduceLROnPlateau(monitor="loss", factor=0.5, patience=1, min_lr=0.0)
    m.optimizer.learning_rate = 0.4
    m.compile(optimizer=keras.optimizers.SGD(learning_rate=0.4), loss="mse")
    h = m.fit(np.zeros_like(x), np.zeros_like(y), epochs=4, callbacks=[rl], verbose=0)
    assert h.history["learning_rate"] == pytest.approx([0.4, 0.4, 0.2, 0.1])     # logged before the reduction
    assert float(m.optimizer.learning_rate) == pytest.approx(0.05)
    m = model()
    sched = callbacks.LearningRateScheduler(lambda epoch, lr: 0.1 / (epoch + 1))
    h = m.fit(x, y, epochs=3, callbacks=[sched], verbose=0)
    assert h.history["learning_rate"] == pytest.approx([0.1, 0.05, 0.1 / 3])
    assert float(m.optimizer.learning_rate) == pytest.approx(0.1 / 3)
    sched1 = callbacks.LearningRateScheduler(lambda epoch: 0.01)
    m.fit(x, y, epochs=1, callbacks=[sched1], verbose=0)
    assert float(m.optimizer.learning_rate) == pytest.approx(0.01)


def test_csv_logger(tmp_path):
    x, y = data()
    m = model()
    path = str(tmp_path / "log.csv")
    h = m.fit(x, y, epochs=3, validation_split=0.25, callbacks=[callbacks.CSVLogger(path)], verbose=0)
    with open(path) as f:
        rows = list(csv.reader(f))
    assert rows[0] == ["epoch", "loss", "mae", "val_loss", "val_mae"]
    assert [r[0] for r in rows[1:]] == ["0", "1", "2"]
    assert float(rows[2][1]) == pytest.approx(h.history["loss"][1])
    m.fit(x, y, epochs=1, callbacks=[callbacks.CSVLogger(path, append=True)], verbose=0)
    with open(path) as f:
        assert len(list(csv.reader(f))) == 5


def test_terminate_on_nan(capsys):
    x, y = data()
    x[0, 0] = np.nan
    m = model()
    h = m.fit(x, y, batch_size=8, epochs=5, callbacks=[callbacks.TerminateOnNaN()], verbose=0)
    assert h.epoch == [0] and np.isnan(h.history["loss"][0])
    assert "Batch 0: Invalid loss, terminating training" in capsys.readouterr().out


def test_lambda_callback():
    x, y = data()
    m = model()
    log = []
    cb = callbacks.LambdaCallback(on_train_begin=lambda logs: log.append("begin"),
                                  on_epoch_end=lambda epoch, logs: log.append(("epoch", epoch, sorted(logs))),
                                  on_batch_end=lambda batch, logs: log.append("batch"),
                                  on_train_end=lambda logs: log.append("end"))
    m.fit(x, y, batch_size=20, epochs=1, callbacks=[cb], verbose=0)
    assert log == ["begin", "batch", "batch", ("epoch", 0, ["loss", "mae"]), "end"]
    with pytest.raises(TypeError):
        callbacks.LambdaCallback(on_nothing=lambda: None)


def test_history_and_progbar_not_duplicated(capsys):
    x, y = data()
    m = model()
    hist = callbacks.History()
    out = m.fit(x, y, epochs=2, callbacks=[hist, callbacks.ProgbarLogger()], verbose=1)
    assert out is hist and len(hist.history["loss"]) == 2
    assert capsys.readouterr().out.count("Epoch 2/2") == 1
