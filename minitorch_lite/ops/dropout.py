"""Dropout: zero random elements (or whole channels) while training, and rescale the rest.

    >>> import minitorch_lite as mt
    >>> import minitorch_lite.nn.functional as F
    >>> _ = mt.manual_seed(0)
    >>> F.dropout(mt.ones(8), p=0.5)
    tensor([0., 0., 2., 0., 0., 0., 2., 2.])

The formula is torch's CPU one, step for step, so a seeded run drops the same elements as torch:

    noise = bernoulli(1 - p)     a 0/1 mask from the default generator (torch's random stream)
    noise = noise / (1 - p)      survivors are scaled so the expected value is unchanged
    out   = input * noise        an ordinary multiplication: backward is grad * noise

The noise tensor has the input's memory layout (torch's empty_like), and bernoulli fills it in
memory order, so even a transposed input loses the same elements as in torch.
In eval mode (training=False), or with p == 0, the input is returned unchanged and no random
numbers are drawn; p == 1 multiplies by zero (again without drawing), as torch does.
"""
import warnings


def _check_p(p):
    if p < 0.0 or p > 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")


def _memory_order(array):
    """The dims of `array` from outermost to innermost in memory, if it is dense (no gaps, no
    overlaps), else None. torch's empty_like keeps such a layout, and bernoulli_ then fills the
    noise in *memory* order, so a transposed input gets a transposed mask."""
    dims = sorted(range(array.ndim), key=lambda d: -array.strides[d])
    expected = array.itemsize
    for d in reversed(dims):
        if array.shape[d] != 1 and array.strides[d] != expected:
            return None
        expected *= array.shape[d]
    return dims


def _keep_mask(input, keep):
    """0/1 draws with P(1) = keep, shaped like `input` and drawn in input's memory order (torch's
    bernoulli_ on an empty_like(input) walks memory, so a transposed input gets a transposed mask)."""
    dims = _memory_order(input._data)
    if dims is None or dims == sorted(dims):
        return input.new_empty(tuple(input.shape)).bernoulli_(keep)
    inverse = sorted(range(len(dims)), key=dims.__getitem__)
    return input.new_empty(tuple(input.shape[d] for d in dims)).bernoulli_(keep).permute(*inverse)


def _dropout(input, p, training, inplace, noise_shape=None):
    if p == 0 or not training or input.numel() == 0:
        return input
    if p == 1:
        noise = input.new_zeros(())
    else:
        noise = _keep_mask(input, 1 - p) if noise_shape is None else \
            input.new_empty(noise_shape).bernoulli_(1 - p)
        noise.div_(1 - p)
    return input.mul_(noise) if inplace else input * noise


def dropout(input, p=0.5, training=True, inplace=False):
    """torch.nn.functional.dropout: each element is zeroed with probability p (while training)."""
    _check_p(p)
    return _dropout(input, p, training, inplace)


def dropout2d(input, p=0.5, training=True, inplace=False):
    """torch.nn.functional.dropout2d: whole channels input[n, c] are zeroed with probability p."""
    _check_p(p)
    ndim = input.ndim
    if ndim not in (3, 4):
        warnings.warn(f"dropout2d: Received a {ndim}-D input to dropout2d, which is deprecated and will "
                      "result in an error in a future release. To retain the behavior and silence this "
                      "warning, please use dropout instead. Note that dropout2d exists to provide "
                      "channel-wise dropout on inputs with 2 spatial dimensions, a channel dimension, "
                      "and an optional batch dimension (i.e. 3D or 4D inputs).", stacklevel=2)
    if ndim == 3:
        warnings.warn("dropout2d: Received a 3D input to dropout2d and assuming that channel-wise 1D "
                      "dropout behavior is desired - input is interpreted as shape (N, C, L), where C is "
                      "the channel dim. This behavior will change in a future release to interpret the "
                      "input as one without a batch dimension, i.e. shape (C, H, W). To maintain the 1D "
                      "channel-wise dropout behavior, please switch to using dropout1d instead.",
                      stacklevel=2)
    if ndim < 2:
        raise RuntimeError("Feature dropout requires at least 2 dimensions in the input")
    # one draw per (sample, channel), broadcast over the spatial dims
    return _dropout(input, p, training, inplace, tuple(input.shape[:2]) + (1,) * (ndim - 2))

