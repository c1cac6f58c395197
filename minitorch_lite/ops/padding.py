"""F.pad: widen (or, with negative widths, crop) the last dims of a tensor.

    >>> import minitorch_lite as mt
    >>> x = mt.tensor([[1.0, 2.0, 3.0]])
    >>> mt.nn.functional.pad(x, (2, 1), mode="reflect")
    tensor([[3., 2., 1., 2., 3., 2.]])

`pad` lists (left, right) widths starting from the *last* dim: (1, 2) pads the last dim, (1, 2, 3, 4)
the last two, as in torch. Modes:
  constant   a fixed value (0 by default); any number of dims
  reflect    mirror without repeating the edge:  [1 2 3] -> 3 2 | 1 2 3 | 2 1
  replicate  repeat the edge:                    [1 2 3] -> 1 1 | 1 2 3 | 3 3
  circular   wrap around:                        [1 2 3] -> 2 3 | 1 2 3 | 1 2

Each non-constant mode is one gather per padded dim: output position q of a dim of size n reads
input index `source[q]`. Its backward is the adjoint of that gather: the inner block of the
gradient goes back as one slice, and the few padded positions (the pad widths, never pixels) are
added onto the input positions they copied.
"""
from ..autograd.function import Function
from ..backend.device import xp_of

_GRAD_NAMES = {"reflect": "ReflectionPad{}DBackward0", "replicate": "ReplicationPad{}DBackward0",
               "circular": "CircularPad{}DBackward0"}


def _source_index(xp, n, left, right, mode):
    """For each output position along one dim, the input index it copies (mode's rule)."""
    p = xp.arange(-left, n + right)
    if mode == "reflect":
        p = xp.abs(p)
        return xp.where(p >= n, 2 * (n - 1) - p, p)
    if mode == "replicate":
        return xp.clip(p, 0, n - 1)
    # circular: negative widths crop first, then the wrap runs over what is left (torch's order)
    start, stop = max(-left, 0), n - max(-right, 0)
    return start + (p - start) % (stop - start)


class ConstantPadNd(Function):
    """Constant padding: copy x into a block of `value`. Backward: the matching slice of grad."""

    @staticmethod
    def forward(ctx, x, pairs=(), value=0.0):
        xp = xp_of(x)
        lead = x.ndim - len(pairs)
        out_shape = x.shape[:lead] + tuple(n + l + r for n, (l, r) in zip(x.shape[lead:], pairs))
        out = xp.full(out_shape, value, dtype=x.dtype)
        # negative widths crop x; positive widths leave room in out: x[x_part] lands in out[out_part]
        x_part = (Ellipsis,) + tuple(slice(max(-l, 0), n - max(-r, 0)) for n, (l, r) in zip(x.shape[lead:], pairs))
        out_part = (Ellipsis,) + tuple(slice(max(l, 0), m - max(r, 0)) for m, (l, r) in zip(out_shape[lead:], pairs))
        out[out_part] = x[x_part]
        ctx.x_shape, ctx.x_part, ctx.out_part = x.shape, x_part, out_part
        return out

    @staticmethod
    def backward(ctx, grad):
        gx = xp_of(grad).zeros(ctx.x_shape, dtype=grad.dtype)
        gx[ctx.x_part] = grad[ctx.out_part]
        return gx


class IndexPad(Function):
    """Reflect / replicate / circular padding: one gather per padded dim (see the module docstring)."""

    @staticmethod
    def forward(ctx, x, pairs=(), mode="reflect"):
        xp = xp_of(x)
        lead = x.ndim - len(pairs)
        sources = []
        out = x
        for axis, (l, r) in enumerate(pairs, lead):
            source = _source_index(xp, x.shape[axis], l, r, mode)
            sources.append((axis, l, source))
            out = out.take(source, axis=axis)
        ctx.x_shape = x.shape
        ctx.axes = [axis for axis, _, _ in sources]
        ctx.lefts = [left for _, left, _ in sources]  # the left pad widths, one per padded axis
        ctx.save_for_backward(*[source for _, _, source in sources])  # index arrays: freed with the graph
        ctx.name = _GRAD_NAMES[mode].format(len(pairs))
        return out

    @staticmethod
    def backward(ctx, grad):
        shape = ctx.x_shape
        sources = list(zip(ctx.axes, ctx.lefts, ctx.saved))
        xp = xp_of(grad)
        for axis, left, source in reversed(sources):
            n = shape[axis]
            g = xp.moveaxis(grad, axis, 0)
            gx = xp.zeros((n,) + g.shape[1:], dtype=grad.dtype)
            # the unpadded block maps position q to input q - left
            lo, hi = max(left, 0), min(left + n, g.shape[0])
            gx[lo - left: hi - left] += g[lo:hi]
            for q in (*range(lo), *range(hi, g.shape[0])):  # the padded positions only
                gx[int(source[q])] += g[q]
            grad = xp.moveaxis(gx, 0, axis)
        return grad


def _check_non_constant(input, pad, mode):
    ndim, dims = input.ndim, len(pad) // 2
    if dims > 3 or not (dims + 1 <= ndim <= dims + 2):
        raise NotImplementedError(
            f"Padding size {len(pad)} is not supported for {ndim}D input tensor.\n"
            "Supported combinations for non-constant padding:\n"
            "  - 2D or 3D input: padding size = 2 (pads last dimension)\n"
            "  - 3D or 4D input: padding size = 4 (pads last 2 dimensions)\n"
            "  - 4D or 5D input: padding size = 6 (pads last 3 dimensions)")
    for k in range(dims):
        l, r = pad[2 * k], pad[2 * k + 1]
        axis = ndim - 1 - k
        n = input.shape[axis]
        if mode == "reflect" and (l >= n or r >= n):
            raise RuntimeError(
                "Argument #4: Padding size should be less than the corresponding input dimension, "
                f"but got: padding ({l}, {r}) at dimension {axis} of input {list(input.shape)}")
        if mode == "circular" and (l > n or r > n):
            raise RuntimeError("Padding value causes wrapping around more than once.")


def pad(input, pad, mode="constant", value=None):
    """torch.nn.functional.pad(input, pad, mode='constant', value=None)."""
    pad = [int(p) for p in pad]
    if len(pad) % 2:
        raise RuntimeError("Padding length must be divisible by 2")
    if len(pad) // 2 > input.ndim:
        raise RuntimeError("Padding length should be less than or equal to two times the input "
                           f"dimension but got padding length {len(pad)} and input of dimension {input.ndim}")
    # torch lists pairs from the last dim backwards; ours run in dim order
    pairs = tuple((pad[2 * k], pad[2 * k + 1]) for k in reversed(range(len(pad) // 2)))
    if mode == "constant":
        lead = input.ndim - len(pairs)
        if any(n + l + r < 0 for n, (l, r) in zip(input.shape[lead:], pairs)):
            raise RuntimeError("narrow(): length must be non-negative.")
        return ConstantPadNd.apply(input, pairs=pairs, value=0.0 if value is None else value)
    if mode not in _GRAD_NAMES:
        raise NotImplementedError(f"Unrecognised padding mode {mode}")
    if value is not None and value != 0:
        raise RuntimeError(f'Padding mode "{mode}" doesn\'t take in value argument')
    _check_non_constant(input, pad, mode)
    return IndexPad.apply(input, pairs=pairs, mode=mode)
