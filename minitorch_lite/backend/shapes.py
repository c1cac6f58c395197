"""Shape rules every layer uses: dims, sizes and broadcasting, with torch's errors.

    >>> broadcast_shapes((2, 1), (3,)), normalize_dim(-1, 3)
    ((2, 3), 2)

Pure functions of tuples of ints (no arrays, no tensors), so the bottom layer can hold them and
the tensor, autograd and ops layers above all share one version of each rule.
"""
import numbers


def normalize_dim(dim, ndim):
    """A dim in [-ndim, ndim) made non-negative; torch's IndexError otherwise (0-d accepts -1 and 0)."""
    if type(dim) is not int and not isinstance(dim, numbers.Integral):  # (the ABC check is slow)
        raise TypeError(f"dim must be an int, got {type(dim).__name__}")
    span = max(ndim, 1)
    if not -span <= dim < span:
        raise IndexError(f"Dimension out of range (expected to be in range of [{-span}, {span - 1}], "
                         f"but got {dim})")
    return dim + span if dim < 0 else dim


def normalize_dims(dim, ndim):
    """None -> all dims; an int or a sequence of ints -> a sorted tuple of distinct non-negative dims."""
    if dim is None:
        return tuple(range(ndim))
    if isinstance(dim, numbers.Integral):
        return (normalize_dim(dim, ndim),)
    dims = tuple(normalize_dim(d, ndim) for d in dim)
    if len(set(dims)) != len(dims):
        raise RuntimeError(f"dim {dims} appears multiple times in the list of dims")
    return tuple(sorted(dims))


def shape_arg(size):
    """Sizes given as varargs `(2, 3)`, a tuple/list/Size `((2, 3),)` or a 0-d/1-d tensor."""
    if len(size) == 1 and type(size[0]) is not int:
        size = size[0]
        if hasattr(size, "tolist") and not isinstance(size, (tuple, list)):  # a 0-d/1-d tensor or array
            size = size.tolist()
            if isinstance(size, int):
                return (size,)
        elif isinstance(size, numbers.Integral):  # a NumPy integer
            return (int(size),)
    if all(type(s) is int for s in size):  # the common case, without the slow ABC checks below
        return tuple(size)
    try:
        out = tuple(int(s) if isinstance(s, numbers.Integral) or hasattr(s, "__index__") else _bad_size(s)
                    for s in size)
    except TypeError:
        _bad_size(size)
    return out


def _bad_size(s):
    raise TypeError(f"expected a sequence of integers or a single integer as size, got {s!r}")


def check_same_shape_for_inplace(out_shape, self_shape):
    if tuple(out_shape) != tuple(self_shape):
        raise RuntimeError(f"output with shape [{', '.join(map(str, self_shape))}] doesn't match the "
                           f"broadcast shape [{', '.join(map(str, out_shape))}]")


def broadcast_shapes(*shapes):
    """torch.broadcast_shapes, with torch's error (checked from the last dim, as torch's infer_size)."""
    result = ()
    for shape in shapes:
        ndim = max(len(result), len(shape))
        out = [1] * ndim
        for i in range(ndim - 1, -1, -1):
            a = result[i - ndim + len(result)] if i - ndim + len(result) >= 0 else 1
            b = shape[i - ndim + len(shape)] if i - ndim + len(shape) >= 0 else 1
            if a != b and a != 1 and b != 1:
                raise RuntimeError(f"The size of tensor a ({a}) must match the size of tensor b ({b}) "
                                   f"at non-singleton dimension {i}")
            out[i] = b if a == 1 else a
        result = tuple(out)
    return result
