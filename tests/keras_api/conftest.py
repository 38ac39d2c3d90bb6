"""Shared fixtures of the Keras API tests."""
import pytest

import keras_api as keras
import symnet as sn


@pytest.fixture
def reference_backend():
    """API-logic tests run on the NumPy reference backend (compiles in milliseconds); test_backends.py
    checks the default (compiled) backend against it."""
    with sn.config.change_flags(mode="reference"):
        yield


@pytest.fixture
def fresh_session():
    """Fresh layer-name counters and a fixed seed, so names and initial weights repeat."""
    keras.clear_session()
    keras.utils.set_random_seed(0)
    yield
