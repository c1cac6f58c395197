"""The ops: one module per family, each a set of `Function`s (forward + backward on raw arrays) and the
public functions that prepare operands and call them. `tensor_methods.py` declares them as Tensor
methods, and the top-level package exports them as `mt.exp`, `mt.matmul`, ...

    >>> from minitorch_lite.ops import elementwise
    >>> import minitorch_lite as mt
    >>> elementwise.exp(mt.zeros(2))
    tensor([1., 1.])
"""
