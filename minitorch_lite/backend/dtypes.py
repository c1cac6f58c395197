"""Data types: torch-named dtype objects over NumPy dtypes, and torch's type-promotion rules.

    >>> import minitorch_lite as mt
    >>> mt.float32, mt.float32.itemsize, mt.promote_types(mt.int64, mt.float16)
    (torch.float32, 4, torch.float16)

A `dtype` is a tiny immutable object that prints like torch's (`torch.float32`) and knows the
NumPy dtype that stores it. Promotion follows torch, not NumPy: an integer mixed with a float
takes the float's width (NumPy would widen int64 + float16 to float64), and Python numbers do not
widen a tensor of their own category (`float32 tensor * 2.5` stays float32).
"""
import numpy as np


class dtype:
    """A tensor element type, e.g. `minitorch_lite.float32`."""

    __slots__ = ("name", "np", "is_floating_point", "is_signed", "itemsize", "_category", "word", "c_name")

    def __init__(self, name, np_dtype, category, word, c_name):
        self.name = name
        self.word = word      # as in torch's messages and legacy types: "Float" (FloatTensor)
        self.c_name = c_name  # as in torch's C++ messages: "float", "long int"
        self.np = np.dtype(np_dtype)
        self.itemsize = self.np.itemsize
        self.is_floating_point = category == 2
        self.is_signed = category == 2 or (category == 1 and self.np.kind == "i")
        self._category = category  # 0 bool, 1 integer, 2 floating

    def __repr__(self):
        return "torch." + self.name

    def __reduce__(self):  # pickle/copy by name, so `copy.deepcopy(mt.float32) is mt.float32`
        return (_from_name, (self.name,))

    def to_real(self):
        return self

    @property
    def is_complex(self):
        return False


bool_ = dtype("bool", np.bool_, 0, "Bool", "bool")
uint8 = dtype("uint8", np.uint8, 1, "Byte", "unsigned char")
int8 = dtype("int8", np.int8, 1, "Char", "signed char")
int16 = dtype("int16", np.int16, 1, "Short", "short int")
int32 = dtype("int32", np.int32, 1, "Int", "int")
int64 = dtype("int64", np.int64, 1, "Long", "long int")
float16 = dtype("float16", np.float16, 2, "Half", "c10::Half")
float32 = dtype("float32", np.float32, 2, "Float", "float")
float64 = dtype("float64", np.float64, 2, "Double", "double")

ALL = (bool_, uint8, int8, int16, int32, int64, float16, float32, float64)
_BY_NAME = {d.name: d for d in ALL}
# torch's aliases: torch.float is float32, torch.long is int64, ...
ALIASES = {"float": float32, "double": float64, "half": float16, "long": int64, "int": int32,
           "short": int16, "bool": bool_}
_BY_NAME.update(ALIASES)
_FROM_NP = {d.np: d for d in ALL}


def _from_name(name):
    return _BY_NAME[name]


_default_float = float32


def get_default_dtype():
    """The dtype of float tensors made from Python floats (float32 unless changed)."""
    return _default_float


def set_default_dtype(d):
    """Set the default floating dtype (float32 or float64, as torch allows)."""
    global _default_float
    d = as_dtype(d)
    if not d.is_floating_point:
        raise TypeError(f"only floating-point types are supported as the default type, got {d}")
    _default_float = d


def from_numpy_dtype(np_dtype):
    """The dtype for a NumPy dtype; TypeError for types torch cannot hold (strings, uint32, ...)."""
    try:
        return _FROM_NP[np_dtype]
    except KeyError:
        pass
    np_dtype = np.dtype(np_dtype)
    if np_dtype in _FROM_NP:
        return _FROM_NP[np_dtype]
    raise TypeError(
        f"can't convert np.ndarray of type numpy.{np_dtype.name}. The only supported types are: "
        "float64, float32, float16, int64, int32, int16, int8, uint8, and bool.")


def as_dtype(d, where=None):
    """A user's `dtype=` argument: a dtype, or Python's float/int/bool as torch accepts them.

    Anything else (a string, a NumPy type) is refused with torch's TypeError; `where` names the
    function in the message, as torch does ("ones(): argument 'dtype' must be torch.dtype, not str").
    Code inside the package converts NumPy dtypes with `from_numpy_dtype`."""
    if type(d) is dtype:
        return d
    if d is float:
        return _default_float
    if d is int:
        return int64
    if d is bool:
        return bool_
    prefix = f"{where}(): " if where else ""
    raise TypeError(f"{prefix}argument 'dtype' must be torch.dtype, not {type(d).__name__}")


def from_name(name):
    """The dtype torch prints as `name`: 'torch.float32' or 'float32' (for files and converters)."""
    name = name[6:] if name.startswith("torch.") else name
    if name not in _BY_NAME:
        raise TypeError(f"invalid dtype: {name!r}")
    return _BY_NAME[name]


def promote_types(a, b):
    """torch.promote_types: the smallest dtype both `a` and `b` convert to without losing category."""
    if a is b:
        return a
    if a._category != b._category:
        # the higher category wins as it is: int64 + float16 -> float16 (NumPy would say float64)
        return a if a._category > b._category else b
    if a._category == 2:
        return a if a.itemsize >= b.itemsize else b
    return _FROM_NP[np.promote_types(a.np, b.np)]  # integers: uint8 + int8 -> int16, as NumPy


def scalar_dtype(value):
    """The dtype a Python number stands for in promotion: bool, int64 or the default float."""
    if isinstance(value, bool):
        return bool_
    if isinstance(value, int):
        return int64
    return _default_float


def _combine(higher, lower):
    # torch's combine_categories: a lower-priority operand only matters if it is of a higher category
    if higher is None:
        return lower
    if lower is None or higher._category == 2:
        return higher
    if higher._category == 0 or lower._category == 2:
        return promote_types(higher, lower)
    return higher


def result_type(*operands):
    """torch.result_type for tensors and Python numbers.

    Tensors with dims outrank 0-d tensors, which outrank Python numbers; a lower rank only
    changes the result when it brings a higher category (bool < integer < float).
    """
    dim_result = zero_result = scalar_result = None
    for x in operands:
        if hasattr(x, "_data"):
            d = _FROM_NP[x._data.dtype]
            if x._data.ndim:
                dim_result = d if dim_result is None else promote_types(dim_result, d)
            else:
                zero_result = d if zero_result is None else promote_types(zero_result, d)
        else:
            d = scalar_dtype(x)
            scalar_result = d if scalar_result is None else promote_types(scalar_result, d)
    return _combine(dim_result, _combine(zero_result, scalar_result))
