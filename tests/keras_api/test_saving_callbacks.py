"""ModelCheckpoint saving whole models (save_best_only / monitor / mode) and BackupAndRestore
resuming an interrupted fit at the epoch it reached, with the same result as an uninterrupted run."""
import json
import os

import numpy as np
import pytest

import keras_api as keras
from keras_api import callbacks, layers


def data():
    rng = np.random.default_rng(3)
    x = rng.standard_normal((32, 4)).astype("float32")
    return x, (x @ rng.standard_normal((4, 1))).astype("float32")


def model(lr=0.05):
    m = keras.Sequential([keras.Input((4,)), layers.Dense(6, activation="tanh"), layers.Dense(1)])
    m.compile(optimizer=keras.optimizers.SGD(lr, momentum=0.5), loss="mse", metrics=["mae"])
    return m


def test_checkpoint_whole_model_every_epoch(tmp_path):
    x, y = data()
    m = model()
    pattern = str(tmp_path / "m-{epoch:02d}.keras")
    m.fit(x, y, epochs=3, verbose=0, callbacks=[callbacks.ModelCheckpoint(pattern, monitor="loss")])
    assert sorted(os.listdir(tmp_path)) == ["m-01.keras", "m-02.keras", "m-03.keras"]
    last = keras.models.load_model(str(tmp_path / "m-03.keras"))
    np.testing.assert_array_equal(last.predict(x, verbose=0), m.predict(x, verbose=0))
    assert int(last.optimizer.iterations.get_value()) == int(m.optimizer.iterations.get_value())


@pytest.mark.parametrize("mode,monitor", [("min", "val_loss"), ("auto", "val_mae"), ("max", "val_loss")])
def test_checkpoint_save_best_only(tmp_path, mode, monitor):
    x, y = data()
    m = model(lr=0.5)
    path = str(tmp_path / "best.keras")
    snaps = []
    h = m.fit(x, y, epochs=5, verbose=0, validation_data=(x, y), callbacks=[
        callbacks.ModelCheckpoint(path, monitor=monitor, mode=mode, save_best_only=True),
        callbacks.LambdaCallback(on_epoch_end=lambda e, logs: snaps.append(m.get_weights()))])
    values = h.history[monitor]
    best = int(np.argmax(values) if mode == "max" else np.argmin(values))
    saved = keras.models.load_model(path)
    for a, b in zip(saved.get_weights(), snaps[best]):
        np.testing.assert_array_equal(a, b)


def test_backup_and_restore_resumes_identically(tmp_path, reference_backend):
    x, y = data()
    reference = model()
    initial = reference.get_weights()
    ref_hist = reference.fit(x, y, epochs=4, batch_size=8, shuffle=False, verbose=0).history["loss"]

    class Interrupt(callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            if epoch == 1:
                raise RuntimeError("interrupted")

    backup = str(tmp_path / "backup")
    m = model()
    m.set_weights(initial)
    with pytest.raises(RuntimeError, match="interrupted"):
        m.fit(x, y, epochs=4, batch_size=8, shuffle=False, verbose=0,
              callbacks=[callbacks.BackupAndRestore(backup), Interrupt()])
    assert json.load(open(os.path.join(backup, "training_metadata.json")))["epoch"] == 2
    assert os.path.exists(os.path.join(backup, "latest.weights.h5"))
    resumed = model()                      # a new process would rebuild the model: fresh weights
    hist = resumed.fit(x, y, epochs=4, batch_size=8, shuffle=False, verbose=0,
                       callbacks=[callbacks.BackupAndRestore(backup)]).history["loss"]
    assert hist == ref_hist[2:]            # epochs 3 and 4 only, with the same losses
    for a, b in zip(resumed.get_weights(), reference.get_weights()):
        np.testing.assert_array_equal(a, b)
    assert not os.path.exists(backup)      # delete_checkpoint=True removes it after a finished fit


def test_backup_and_restore_arguments():
    with pytest.raises(ValueError, match="Empty `backup_dir`"):
        callbacks.BackupAndRestore("")
    with pytest.raises(ValueError, match="save_freq"):
        callbacks.BackupAndRestore("/tmp/x", save_freq="batch")


def test_checkpoint_save_freq_batches(tmp_path):
    x, y = data()
    m = model()
    pattern = str(tmp_path / "w-{epoch}-{batch}.weights.h5")
    m.fit(x, y, epochs=2, batch_size=8, verbose=0,
          callbacks=[callbacks.ModelCheckpoint(pattern, save_weights_only=True, save_freq=3)])
    assert sorted(os.listdir(tmp_path)) == ["w-1-3.weights.h5", "w-2-2.weights.h5"]   # batches 3 and 6 of 8
    with pytest.raises(ValueError, match="save_freq"):
        callbacks.ModelCheckpoint(str(tmp_path / "m.keras"), save_freq="batch")
