"""minitorch_lite: a small, readable deep-learning framework with PyTorch's API on NumPy and CuPy.

    >>> import minitorch_lite as mt
    >>> x = mt.tensor([1.0, 2.0, 3.0], requires_grad=True)
    >>> loss = (x ** 2).sum()
    >>> loss.backward()
    >>> x.grad
    tensor([2., 4., 6.])

This module re-exports the torch-shaped top level: dtypes, devices, tensor factories, the random
generator, grad-mode switches and every op as a function (`mt.exp(x)`, `mt.matmul(a, b)`, ...).

The core loads bottom to top, each layer importing only those below it: backend (devices, dtypes,
shape rules) -> tensor (the data class) -> autograd (graph nodes, backward) -> random, ops and
creation (the maths) -> tensor_methods (attaches the Tensor methods) -> nn, optim, data, vision.
"""
__version__ = "0.1.0"

import warnings as _warnings

from .backend import cpu_memory as _cpu_memory

_cpu_memory.configure()
# NumPy warns on log(0), overflow in exp, 0/0 ...; torch computes inf/nan silently. Silence those
# warnings where our ops raise them (only there: user code keeps NumPy's behaviour).
_warnings.filterwarnings("ignore", category=RuntimeWarning, module=r"minitorch_lite\.")

from .backend.device import device  # noqa: E402
from .backend.dtypes import (bool_ as bool, dtype, float16, float32, float64, get_default_dtype,  # noqa: E402
                             int8, int16, int32, int64, promote_types, set_default_dtype, uint8)
from .tensor import Size, Tensor  # noqa: E402
from . import autograd  # noqa: E402
from .autograd import enable_grad, inference_mode, is_grad_enabled, no_grad, set_grad_enabled  # noqa: E402
from .autograd.grad_mode import is_inference_mode_enabled  # noqa: E402
from . import tensor_methods  # noqa: E402  (the ops and factories load with it; it attaches the methods)
from .tensor_methods import TENSOR_TYPES_BY_NAME as _types  # noqa: E402

float = float32
double = float64
half = float16
long = int64
int = int32
short = int16

FloatTensor = _types["FloatTensor"]
DoubleTensor = _types["DoubleTensor"]
HalfTensor = _types["HalfTensor"]
LongTensor = _types["LongTensor"]
IntTensor = _types["IntTensor"]
ShortTensor = _types["ShortTensor"]
CharTensor = _types["CharTensor"]
ByteTensor = _types["ByteTensor"]
BoolTensor = _types["BoolTensor"]

from . import random  # noqa: E402
from .random import (Generator, get_rng_state, initial_seed, manual_seed, seed,  # noqa: E402
                     set_rng_state)
from .threads import get_num_threads, set_num_threads  # noqa: E402
from .creation import (arange, as_tensor, asarray, bernoulli, empty, empty_like, eye,  # noqa: E402
                       from_numpy, full, full_like, linspace, logspace, normal, ones, ones_like, rand,
                       rand_like, randint, randint_like, randn, randn_like, randperm, range, tensor,
                       zeros, zeros_like)
from ._tensor_str import get_printoptions, printoptions, set_printoptions  # noqa: E402
from .ops.activation import log_softmax, softmax  # noqa: E402
from .ops.arithmetic import (add, div, divide, floor_divide, maximum, minimum, mul,  # noqa: E402
                             multiply, neg, negative, pow, remainder, rsub, sub, subtract, true_divide)
from .ops.comparison import (allclose, bitwise_and, bitwise_not, bitwise_or, bitwise_xor,  # noqa: E402
                             eq, equal, ge, greater, greater_equal, gt, isclose, isfinite, isinf,
                             isnan, le, less, less_equal, logical_and, logical_not, logical_or,
                             logical_xor, lt, ne, not_equal)
from .ops.elementwise import (abs, absolute, ceil, clamp, clamp_max, clamp_min, clip, cos,  # noqa: E402
                              erf, exp, fix, floor, log, log1p, log2, log10, nan_to_num, reciprocal,
                              relu, round, rsqrt, sigmoid, sign, sin, sqrt, square, tanh, trunc, where)
from .ops.indexing import (argwhere, gather, index_add, index_copy, index_fill, index_put,  # noqa: E402
                           index_select, masked_fill, masked_select, nonzero, scatter, scatter_add, take)
from .ops.linalg import bmm, dot, einsum, inner, matmul, mm, mv, outer  # noqa: E402
from .ops.reduction import (all, amax, amin, any, argmax, argmin, argsort, bincount, count_nonzero,  # noqa: E402
                            cumsum, logsumexp, max, mean, min, nansum, norm, prod, sort, std,
                            std_mean, sum, topk, unique, var, var_mean)
from .ops.shape import (atleast_1d, atleast_2d, broadcast_tensors, broadcast_to, cat, chunk,  # noqa: E402
                        clone, concat, concatenate, flatten, flip, fliplr, flipud, hstack, movedim,
                        moveaxis, narrow, permute, reshape,
                        roll, select, split, squeeze, stack, swapaxes, swapdims, t, tensor_split, tile,
                        transpose, tril, triu, unbind, unflatten, unsqueeze, vstack)
from .backend.shapes import broadcast_shapes  # noqa: E402
from . import backends, cuda, hub, metrics, nn, optim, utils  # noqa: E402
from .backends.cuda import get_float32_matmul_precision, set_float32_matmul_precision  # noqa: E402
from .serialization import load, save  # noqa: E402
from .backend.dtypes import result_type as _result_type  # noqa: E402


def result_type(tensor1, tensor2):
    """The dtype torch would give `tensor1 op tensor2` (tensors or Python numbers)."""
    return _result_type(tensor1, tensor2)


def is_tensor(obj):
    return isinstance(obj, Tensor)


def numel(input):
    return input.numel()


def is_floating_point(input):
    return input.is_floating_point()


def detach(input):
    return input.detach()
