"""Embedding lookup: rows of a weight table picked by integer indices, and its scatter-add backward.

    >>> import minitorch_lite as mt
    >>> import minitorch_lite.nn.functional as F
    >>> table = mt.tensor([[0.0, 0.0], [1.0, 1.0], [2.0, 4.0]])
    >>> F.embedding(mt.tensor([[2, 1], [1, 1]]), table)
    tensor([[[2., 4.],
             [1., 1.]],
    <BLANKLINE>
            [[1., 1.],
             [1., 1.]]])

Forward is a gather: out[..., :] = weight[indices[...], :]. Backward must *add* every output row's
gradient into the weight row it came from; an index that appears k times receives k gradients.
That is one `add.at` (an unbuffered scatter-add) on the *flattened* table: element d of row k sits at
k*D + d. NumPy 2 has a fast path for 1-D add.at: when this was written it measured quicker than
add.at over rows, sorting + reduceat and per-column bincount, and it adds in index order exactly
like torch's CPU kernel, so float32 gradients agree with torch bit for bit. On CuPy the same call is an
atomic scatter-add on the GPU.
"""
from ..autograd.function import Function
from ..backend.device import xp_of


def _sum_rows_by_index(indices, rows, num_rows):
    """out[k] = sum of rows[i] over all i with indices[i] == k (zero rows for unused k), in index order."""
    xp = xp_of(rows)
    width = rows.shape[1]
    out = xp.zeros(num_rows * width, dtype=rows.dtype)
    positions = (indices.reshape(-1, 1) * width + xp.arange(width)).reshape(-1)
    xp.add.at(out, positions, rows.reshape(-1))
    return out.reshape(num_rows, width)


class Embedding(Function):
    """weight (V, D) gathered at integer `indices` (any shape) -> (*indices.shape, D)."""

    name = "EmbeddingBackward0"

    @staticmethod
    def forward(ctx, weight, indices=None, padding_idx=None, scale_grad_by_freq=False):
        ctx.save_for_backward(indices)
        ctx.num_rows, ctx.padding_idx, ctx.scale_grad_by_freq = weight.shape[0], padding_idx, scale_grad_by_freq
        return weight.take(indices, axis=0)

    @staticmethod
    def backward(ctx, grad):
        (indices,) = ctx.saved
        num_rows, padding_idx = ctx.num_rows, ctx.padding_idx
        xp = xp_of(grad)
        flat = indices.reshape(-1)
        rows = grad.reshape(flat.size, -1)
        if ctx.scale_grad_by_freq:  # each row's gradient divided by how often its index occurs
            counts = xp.bincount(flat, minlength=num_rows)
            rows = rows * (1 / counts[flat].astype(grad.dtype)).reshape(-1, 1)
        if padding_idx is not None:  # the padding row never learns
            keep = flat != padding_idx
            flat, rows = flat[keep], rows[keep]
        return _sum_rows_by_index(flat, rows, num_rows)


def _renorm_rows(weight, indices, max_norm, norm_type):
    """torch.embedding_renorm_: rescale (in place) the looked-up rows whose norm exceeds max_norm."""
    xp = xp_of(weight._data)
    rows = xp.unique(indices._data)
    w = weight._data
    norms = (xp.abs(w[rows]) ** norm_type).sum(axis=1) ** (1.0 / norm_type)
    too_long = norms > max_norm
    scale = (max_norm / (norms[too_long] + 1e-7)).astype(w.dtype)
    w[rows[too_long]] *= scale.reshape(-1, 1)
    weight._bump_version()


def embedding(input, weight, padding_idx=None, max_norm=None, norm_type=2.0, scale_grad_by_freq=False,
              sparse=False):
    """torch.nn.functional.embedding: weight[input] with integer `input` of any shape."""
    if input.dtype.name not in ("int64", "int32"):
        raise RuntimeError("Expected tensor for argument #1 'indices' to have one of the following scalar "
                           f"types: Long, Int; but got {input.type()} instead (while checking arguments "
                           "for embedding)")
    if sparse:
        raise NotImplementedError("minitorch_lite has no sparse tensors: use sparse=False "
                                  "(the gradient is then a dense tensor, which is numerically the same)")
    num_rows = weight.shape[0]
    if padding_idx is not None:
        if padding_idx > 0:
            if padding_idx >= num_rows:
                raise AssertionError("Padding_idx must be within num_embeddings")
        elif padding_idx < 0:
            if padding_idx < -num_rows:
                raise AssertionError("Padding_idx must be within num_embeddings")
            padding_idx = num_rows + padding_idx
    indices = input._data
    if indices.size and (indices.min() < 0 or indices.max() >= num_rows):
        raise IndexError("index out of range in self")
    if max_norm is not None:
        _renorm_rows(weight, input, max_norm, norm_type)
    return Embedding.apply(weight, indices=indices, padding_idx=padding_idx,
                           scale_grad_by_freq=scale_grad_by_freq)
