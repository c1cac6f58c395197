"""The ops: one module per family, each a set of `Function`s (forward + backward on raw arrays) and the
public functions that prepare operands and call them. `tensor.py` binds them as Tensor methods."""
