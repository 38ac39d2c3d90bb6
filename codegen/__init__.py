"""Backends: the kernel IR, the NumPy reference interpreter, LLVM (CPU) and CUDA (GPU) code generators.

codegen never imports keras_api; it sees symnet graphs only through the duck-typed FunctionGraph
and ops' perform/lower methods."""
