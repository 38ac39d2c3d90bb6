"""SYMNET_CHECK_BOUNDS=1 runs tests/codegen with the bounds-checking build of generated code
(flag llvm__check_bounds): every memory access is checked, a violation is an IndexError."""
from __future__ import annotations

import os

import pytest


@pytest.fixture(autouse=True, scope="session")
def _bounds_checked_build():
    if os.environ.get("SYMNET_CHECK_BOUNDS", "") not in ("", "0"):
        from symnet.config import config
        config.llvm.check_bounds = True
    yield
