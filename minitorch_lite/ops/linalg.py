"""Matrix products: `matmul`/`@` with all of torch's rank rules, `mm`, `bmm`, `dot`, `mv`, `outer`,
`einsum`, and `linear` (x @ W.T + b in one node, what nn.Linear uses).

    >>> import minitorch_lite as mt
    >>> (mt.ones(2, 3) @ mt.ones(3)).shape          # matrix @ vector -> vector
    torch.Size([2])
    >>> mt.ones(3, 2) @ mt.ones(3, 2)
    Traceback (most recent call last):
    RuntimeError: mat1 and mat2 shapes cannot be multiplied (3x2 and 3x2)

Rank rules (as NumPy's matmul, which torch follows): 1-D @ 1-D is a dot product; a 1-D left
operand is treated as a row (the added dim is removed after), a 1-D right operand as a column;
leading dims broadcast. The backward of C = A @ B is dA = dC @ B^T and dB = A^T @ dC, summed back
over broadcast batch dims.
"""
import numpy as np

from ..autograd.inplace import write_out
from ..autograd.function import Function, sum_to
from ..tensor import Tensor
from ._util import broadcast_shapes
from .shape import expanded_shape
from ..backend.device import xp_of



def _swap(a):
    return a.swapaxes(-1, -2)


def _fmt(shape):
    return "x".join(map(str, shape))


class MatMul(Function):
    """A @ B for any ranks >= 1 (grad_fn named as torch names the case: Dot, Mv, Mm, ...)."""

    name = "MmBackward0"

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return a @ b

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved
        need_a, need_b = ctx.needs_input_grad  # skip a GEMM for an input that needs no gradient
        if a.ndim == 1 and b.ndim == 1:  # dot product: grad is 0-d
            return grad * b, grad * a
        a2 = a[None, :] if a.ndim == 1 else a
        b2 = b[:, None] if b.ndim == 1 else b
        g = grad
        if a.ndim == 1:
            g = g[..., None, :]
        if b.ndim == 1:
            g = g[..., None]
        ga = gb = None
        if need_a:
            ga = g @ _swap(b2)
            ga = sum_to(ga[..., 0, :] if a.ndim == 1 else ga, a.shape)
        if need_b:
            gb = _swap(a2) @ g
            gb = sum_to(gb[..., 0] if b.ndim == 1 else gb, b.shape)
        return ga, gb


def _check_dtypes(a, b):
    if a._data.dtype != b._data.dtype:
        raise RuntimeError(f"expected m1 and m2 to have the same dtype, but got: "
                           f"{a.dtype.c_name} != {b.dtype.c_name}")


def _check_bool(a, b):
    """torch has no bool matrix products: NotImplementedError naming the kernel it would have used."""
    if a._data.dtype == np.bool_:
        na, nb = a._data.ndim, b._data.ndim
        if na == 1 and nb == 1:
            kernel = "dot"
        elif na == 2 and nb == 1:
            kernel = "addmv_impl_cpu"
        elif nb <= 2:
            kernel = "addmm_impl_cpu_"
        else:
            kernel = "bmm"
        raise NotImplementedError(f'"{kernel}" not implemented for \'Bool\'')


def _matmul_name(a_ndim, b_ndim):
    if a_ndim == 1 and b_ndim == 1:
        return "DotBackward0"
    if a_ndim == 2 and b_ndim == 1:
        return "MvBackward0"
    if a_ndim == 1 and b_ndim == 2:
        return "SqueezeBackward4"
    if a_ndim == 2 and b_ndim == 2:
        return "MmBackward0"
    return "UnsafeViewBackward0"


def matmul(input, other, *, out=None):
    """Matrix product with torch's rank rules and errors (see the module docstring)."""
    if out is not None:
        return write_out(out, matmul(input, other), "matmul")
    if not isinstance(other, Tensor):
        return NotImplemented
    a, b = input._data.shape, other._data.shape
    if not a or not b:
        raise RuntimeError(f"both arguments to matmul need to be at least 1D, but they are "
                           f"{len(a)}D and {len(b)}D")
    _check_dtypes(input, other)
    _check_bool(input, other)
    if a[-1] != (b[0] if len(b) == 1 else b[-2]):
        _raise_matmul_mismatch(_operand(input), _operand(other))
    if len(a) > 2 or len(b) > 2:
        broadcast_shapes(a[:-2], b[:-2])  # torch's message for mismatched batch dims
    result = MatMul.apply(input, other)
    if result.grad_fn is not None:
        result.grad_fn.name = _matmul_name(len(a), len(b))
    return result


def _should_fold(a, b):
    """torch folds a >=3-D operand into one matrix (mm/mv) instead of a batched product when that
    needs no copy (aten's should_fold, LinearAlgebra.cpp); the path decides which error a size
    mismatch gives. `a`, `b` are (shape, element strides, requires_grad) of the two operands."""
    a_larger = len(a[0]) >= len(b[0])
    big = a if a_larger else _transposed(b)
    small = b if a_larger else a
    if not (len(big[0]) >= 3 and len(small[0]) <= 2):
        return False
    if small[2]:
        return True
    if len(a[0]) == 2:
        return False
    shape, strides = big[0], big[1]
    if not int(np.prod(shape)):
        return True
    return all(strides[i] == strides[i + 1] * shape[i + 1] for i in range(len(shape) - 2))


def _operand(t):
    return t._data.shape, tuple(s // t._data.itemsize for s in t._data.strides), t._requires_grad


def _transposed(op):
    shape, strides, grad = op
    return shape[:-2] + (shape[-1], shape[-2]), strides[:-2] + (strides[-1], strides[-2]), grad


def _raise_matmul_mismatch(a, b):
    """The inner sizes disagree: raise the error of whichever kernel torch's matmul would have called
    (its dispatch, as in torch/_decomp/decompositions.py matmul). `a`, `b` as in _should_fold."""
    sa, sb = a[0], b[0]
    if len(sa) == 1 and len(sb) == 1:
        raise RuntimeError(f"inconsistent tensor size, expected tensor [{sa[0]}] and src [{sb[0]}] to have "
                           f"the same number of elements, but got {sa[0]} and {sb[0]} elements respectively")
    if len(sa) <= 2 and len(sb) <= 2:
        if len(sb) == 1:
            raise RuntimeError(f"size mismatch, got input ({sa[0]}), mat ({_fmt(sa)}), vec ({sb[0]})")
        raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied ({_fmt(sa if len(sa) == 2 else (1,) + sa)} "
                           f"and {_fmt(sb)})")
    if _should_fold(a, b):
        transpose = len(sb) > len(sa)
        t1 = _transposed(b)[0] if transpose else sa
        t2 = (sa if len(sa) == 1 else (sa[1], sa[0])) if transpose else sb
        rows = int(np.prod(t1[:-1]))
        if len(t2) == 1:
            raise RuntimeError(f"size mismatch, got input ({rows}), mat ({rows}x{t1[-1]}), vec ({t2[0]})")
        raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied ({rows}x{t1[-1]} and {_fmt(t2)})")
    if len(sa) == 3 and len(sb) == 3 and sa[0] != sb[0]:  # torch squeezes a unit batch that needs grad
        if sa[0] == 1 and a[2]:
            _raise_matmul_mismatch((sa[1:], a[1][1:], a[2]), b)
        if sb[0] == 1 and b[2]:
            _raise_matmul_mismatch(a, (sb[1:], b[1][1:], b[2]))
    count = int(np.prod(broadcast_shapes(sa[:-2], sb[:-2])))
    m2 = sb[0] if len(sb) == 1 else sb[-2]
    raise RuntimeError(f"Expected size for first two dimensions of batch2 tensor to be: [{count}, {sa[-1]}] "
                       f"but got: [{count}, {m2}].")


def rmatmul(input, other):
    if not isinstance(other, Tensor):
        return NotImplemented
    return matmul(other, input)


def mm(input, mat2, *, out=None):
    """Product of two matrices (2-D only)."""
    if out is not None:
        return write_out(out, mm(input, mat2), "mm")
    if input._data.ndim != 2:
        raise RuntimeError("self must be a matrix")
    if mat2._data.ndim != 2:
        raise RuntimeError("mat2 must be a matrix")
    return matmul(input, mat2)


def bmm(input, mat2, *, out=None):
    """Batched product of 3-D tensors (b, n, k) @ (b, k, m), no broadcasting."""
    if out is not None:
        return write_out(out, bmm(input, mat2), "bmm")
    if input._data.ndim != 3:
        raise RuntimeError("batch1 must be a 3D tensor")
    if mat2._data.ndim != 3:
        raise RuntimeError("batch2 must be a 3D tensor")
    a, b = input._data.shape, mat2._data.shape
    if a[0] != b[0] or a[2] != b[1]:
        raise RuntimeError(f"Expected size for first two dimensions of batch2 tensor to be: "
                           f"[{a[0]}, {a[2]}] but got: [{b[0]}, {b[1]}].")
    _check_dtypes(input, mat2)
    _check_bool(input, mat2)
    out = MatMul.apply(input, mat2)
    if out.grad_fn is not None:
        out.grad_fn.name = "BmmBackward0"
    return out


def dot(input, other, *, out=None):
    """Dot product of two 1-D tensors."""
    if out is not None:
        return write_out(out, dot(input, other), "dot")
    if input._data.ndim != 1 or other._data.ndim != 1:
        raise RuntimeError(f"1D tensors expected, but got {input._data.ndim}D and {other._data.ndim}D tensors")
    return matmul(input, other)


inner = dot


def mv(input, vec, *, out=None):
    if out is not None:
        return write_out(out, mv(input, vec), "mv")
    if input._data.ndim != 2 or vec._data.ndim != 1:
        raise RuntimeError(f"vector + matrix @ vector expected, got {input._data.ndim}, {vec._data.ndim}")
    return matmul(input, vec)


def outer(input, vec2, *, out=None):
    """Outer product: input[:, None] * vec2[None, :]."""
    if out is not None:
        return write_out(out, outer(input, vec2), "outer")
    for name, v in (("self", input), ("vec2", vec2)):
        if v._data.ndim != 1:
            raise RuntimeError(f"outer: Expected 1-D argument {name}, but got {v._data.ndim}-D")
    from .arithmetic import mul
    return mul(input.unsqueeze(1), vec2.unsqueeze(0))


ger = outer


class Linear(Function):
    """x @ W.T + b in one node (torch's addmm for 2-D inputs); x may have any leading dims."""

    name = "AddmmBackward0"

    @staticmethod
    def forward(ctx, x, w, b=None):
        ctx.save_for_backward(x, w)
        ctx.has_bias = b is not None
        # one 2-D GEMM over all leading dims (NumPy would loop over a batched matmul)
        out = (x.reshape(-1, x.shape[-1]) @ w.T).reshape(x.shape[:-1] + (w.shape[0],))
        if b is not None:
            out += b  # a fresh array: adding in place saves a temporary
        return out

    @staticmethod
    def backward(ctx, grad):
        x, w = ctx.saved
        g2 = grad.reshape(-1, grad.shape[-1])
        # the first layer's input is the data batch: no gradient wanted, so no GEMM for it
        gx = (g2 @ w).reshape(x.shape) if ctx.parents[0] is not None else None
        gw = g2.T @ x.reshape(-1, x.shape[-1]) if ctx.parents[1] is not None else None
        if ctx.has_bias:
            return gx, gw, g2.sum(axis=0)
        return gx, gw


def linear(input, weight, bias=None):
    """y = input @ weight.T + bias, with weight shaped (out_features, in_features) as in torch."""
    if input._data.ndim == 0:
        raise RuntimeError("both arguments to linear need to be at least 1D, but they are 0D and "
                           f"{weight._data.ndim}D")
    if input._data.shape[-1] != weight._data.shape[-1]:
        rows = int(np.prod(input._data.shape[:-1])) if input._data.ndim > 1 else 1
        raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied ({rows}x{input._data.shape[-1]} "
                           f"and {_fmt(weight._data.shape[::-1])})")
    _check_dtypes(input, weight)
    _check_bool(input, weight)
    if bias is None:
        out = Linear.apply(input, weight)
        if out.grad_fn is not None:
            out.grad_fn.name = "MmBackward0" if input._data.ndim == 2 else "UnsafeViewBackward0"
        return out
    _check_dtypes(input, bias)
    if bias._data.shape != weight._data.shape[:1]:  # (the usual bias passes this one comparison)
        expanded_shape(bias._data.shape, input._data.shape[:-1] + weight._data.shape[:1])  # torch's error
    out = Linear.apply(input, weight, bias)
    if out.grad_fn is not None and input._data.ndim != 2:
        out.grad_fn.name = "ViewBackward0" if input._data.ndim > 2 else "SqueezeBackward4"
    return out


# ---- einsum ------------------------------------------------------------------------------------

def _parse_einsum(equation, shapes):
    """Split 'ij,jk->ik' into input and output subscripts, expanding '...' to explicit letters."""
    equation = equation.replace(" ", "")
    if "->" in equation:
        lhs, rhs = equation.split("->")
    else:
        lhs, rhs = equation, None
    inputs = lhs.split(",")
    if len(inputs) != len(shapes):
        raise RuntimeError("einsum(): more operands were provided than specified in the equation"
                           if len(shapes) > len(inputs) else
                           "einsum(): fewer operands were provided than specified in the equation")
    used = set(equation) - set(",->.")
    spare = iter(c for c in "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz" if c not in used)
    ell_len = max((len(s) - (len(sub) - 3) for sub, s in zip(inputs, shapes) if "..." in sub), default=0)
    ell = "".join(next(spare) for _ in range(ell_len))
    expanded = []
    for sub, shape in zip(inputs, shapes):
        if "..." in sub:
            n = len(shape) - (len(sub) - 3)
            sub = sub.replace("...", ell[ell_len - n:])
        if len(sub) != len(shape):
            raise RuntimeError(f"einsum(): the number of subscripts in the equation ({len(sub)}) does not "
                               f"match the number of dimensions ({len(shape)}) for operand "
                               f"{len(expanded)} and no ellipsis was given")
        expanded.append(sub)
    if rhs is None:  # implicit output: letters that appear once, sorted (ellipsis dims first)
        counts = {}
        for sub in expanded:
            for c in sub:
                counts[c] = counts.get(c, 0) + 1
        rhs = ell + "".join(sorted(c for c, n in counts.items() if n == 1 and c not in ell))
    else:
        rhs = rhs.replace("...", ell)
    return expanded, rhs


class Einsum(Function):
    @staticmethod
    def forward(ctx, *arrays, equation=None):
        subs, out_sub = _parse_einsum(equation, [a.shape for a in arrays])
        ctx.save_for_backward(*arrays)
        ctx.subs, ctx.out_sub = subs, out_sub  # each operand's subscripts, the output's
        return xp_of(arrays[0]).einsum(",".join(subs) + "->" + out_sub, *arrays, optimize=len(arrays) > 2)

    @staticmethod
    def backward(ctx, grad):
        arrays = ctx.saved
        subs, out_sub = ctx.subs, ctx.out_sub
        xp = xp_of(grad)
        sizes = {c: n for sub, a in zip(subs, arrays) for c, n in zip(sub, a.shape)}
        grads = []
        for i, (sub, a) in enumerate(zip(subs, arrays)):
            if len(set(sub)) != len(sub):
                raise RuntimeError("einsum backward with a repeated subscript in one operand "
                                   "(a diagonal) is not supported")
            others = [(s, x) for j, (s, x) in enumerate(zip(subs, arrays)) if j != i]
            present = set(out_sub).union(*[set(s) for s, _ in others]) if others else set(out_sub)
            extra = [(c, xp.ones(sizes[c], dtype=grad.dtype)) for c in sub if c not in present]
            operands = [(out_sub, grad)] + others + extra
            eq = ",".join(s for s, _ in operands) + "->" + sub
            grads.append(xp.einsum(eq, *[x for _, x in operands], optimize=len(operands) > 2))
        return tuple(grads)


def einsum(equation, *operands):
    """Sum of products over the subscripts of `equation` ('ij,jk->ik' is a matrix product)."""
    if len(operands) == 1 and isinstance(operands[0], (list, tuple)):
        operands = tuple(operands[0])
    from ..backend import dtypes
    from ._util import cast
    common = dtypes.result_type(*operands)
    operands = [cast(t, common) for t in operands]
    return Einsum.apply(*operands, equation=equation)
