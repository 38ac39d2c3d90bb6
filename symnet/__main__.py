"""`python -m symnet ...`: the same as the `symnet` console script."""
import sys

from .cli import main

sys.exit(main())
