"""Op families: one module per family (shape rule, NumPy perform, gradient)."""
