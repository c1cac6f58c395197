"""Small helpers shared by the op modules: dims, operands, and the checks torch does before an op.

    >>> import minitorch_lite as mt
    >>> float_result_dtype(mt.tensor([1, 2]))        # what exp, sqrt, mean, / compute ints in
    torch.float32
    >>> cast(mt.tensor([1, 2]), mt.float64)
    tensor([1., 2.], dtype=torch.float64)
"""
import numpy as np

from ..backend import dtypes
from ..backend.shapes import (broadcast_shapes, check_same_shape_for_inplace, normalize_dim,  # noqa: F401
                             normalize_dims, shape_arg)
from ..tensor import Tensor

SCALAR_TYPES = (bool, int, float)


def to_python_scalar(value):
    """NumPy scalars behave like Python numbers in torch's promotion: unwrap them."""
    if isinstance(value, np.generic):
        return value.item()
    return value


def scalar_tensor(value, dtype, device):
    """A 0-d tensor holding a Python number, for ops that need a tensor operand."""
    xp = device.xp
    return Tensor._make(xp.asarray(value, dtype=dtype.np), device)


def cast(t, dtype):
    """`t` converted to `dtype` (differentiably), or `t` itself when it already has it."""
    if t._data.dtype == dtype.np:
        return t
    from .conversion import ToCopy
    return ToCopy.apply(t, dtype=dtype.np)


def float_result_dtype(t):
    """The dtype of an op that always returns floats (exp, sqrt, mean, /): ints become the default float."""
    d = t.dtype
    return d if d.is_floating_point else dtypes.get_default_dtype()
