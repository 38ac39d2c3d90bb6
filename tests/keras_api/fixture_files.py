"""Where the files written by real Keras live: ../shared/fixtures beside the checkout (as laid out
for developers and CI), or SYMNET_FIXTURES."""
from __future__ import annotations

import os

_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
FIXTURES = os.environ.get("SYMNET_FIXTURES") or next(
    (p for p in (os.path.join(os.path.dirname(_ROOT), "shared", "fixtures"), "/work/shared/fixtures")
     if os.path.isdir(p)), os.path.join(os.path.dirname(_ROOT), "shared", "fixtures"))
