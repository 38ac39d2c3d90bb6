"""Shared test setup: import the checkout without installing it, keep hypothesis fast, and undo
any config change a test makes (tests must not leak floatX=float64 into each other)."""
from __future__ import annotations

import os
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)

try:
    from hypothesis import HealthCheck, settings

    settings.register_profile("symnet", max_examples=25, deadline=None,
                              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
    # CI replays the same examples every run (a red CI is a reproducible one); local runs keep
    # exploring new examples, which is how the property tests find bugs
    settings.register_profile("symnet-ci", parent=settings.get_profile("symnet"), derandomize=True)
    settings.load_profile("symnet-ci" if os.environ.get("CI") else "symnet")
except ImportError:  # hypothesis is a test extra; tests that need it import it themselves
    pass


@pytest.fixture(autouse=True)
def _restore_config():
    """Snapshot every flag's value and source before a test and put them back after it."""
    from symnet import config
    cfgmod = sys.modules["symnet.config"]   # the attribute symnet.config is the Config object

    saved = {k: (f.value, f.source) for k, f in config._flags.items()}
    loaded = cfgmod._loaded_sources
    yield
    for k, (v, src) in saved.items():
        if k in config._flags:
            config._flags[k].value, config._flags[k].source = v, src
    cfgmod._loaded_sources = loaded
