"""LLVM (llvmlite) CPU backend: IR emission, JIT compilation and vectorisable math."""
