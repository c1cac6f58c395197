"""`nn.functional`: the stateless functions behind the layers, with torch's names and signatures.

    >>> import minitorch_lite as mt
    >>> import minitorch_lite.nn.functional as F
    >>> F.relu(mt.tensor([-1.0, 2.0]))
    tensor([0., 2.])
    >>> F.cross_entropy(mt.tensor([[2.0, 0.5, -1.0]]), mt.tensor([0]))
    tensor(0.2413)

This file checks arguments (with torch's error messages) and picks the op; the maths, forward
and backward, is in `ops/`: activations in ops/activation.py and ops/elementwise.py, losses in
ops/loss.py, `linear` in ops/linalg.py, and the layers' ops (conv, pooling, normalisation,
dropout, embedding, attention) in their own files, re-exported at the bottom.
A few rarer activations are compositions of those ops, written out below.
"""
import warnings

from ..backend import dtypes
from ..backend.dtypes import result_type
from ..autograd import inplace
from ..creation import arange
from ..ops import activation as _act
from ..ops import elementwise as _elem
from ..ops import loss as _loss
from ..ops._util import broadcast_shapes, cast
from ..ops.linalg import linear  # noqa: F401  (re-exported: F.linear)


def _inplace(input, result):
    """Write `result` into `input`'s memory, as torch's `op_(input)` does (inplace=True)."""
    return inplace.write(input, result)


def _word(t):
    return t.dtype.word  # "Float", "Long", ... as torch's messages name dtypes


def _shape_list(shape):
    return "[" + ", ".join(map(str, shape)) + "]"


# ---- activations -----------------------------------------------------------------------------

def relu(input, inplace=False):
    return input.relu_() if inplace else _elem.relu(input)


def relu_(input):
    return input.relu_()


def leaky_relu(input, negative_slope=0.01, inplace=False):
    out = _act.leaky_relu(input, negative_slope)
    return _inplace(input, out) if inplace else out


def leaky_relu_(input, negative_slope=0.01):
    return leaky_relu(input, negative_slope, inplace=True)


def gelu(input, approximate="none"):
    return _act.gelu(input, approximate=approximate)


def silu(input, inplace=False):
    out = _act.silu(input)
    return _inplace(input, out) if inplace else out


def sigmoid(input):
    return _elem.sigmoid(input)


def tanh(input):
    return _elem.tanh(input)


def softmax(input, dim=None, _stacklevel=3, dtype=None):
    return _act.softmax(input, dim, dtype=dtype)


def log_softmax(input, dim=None, _stacklevel=3, dtype=None):
    return _act.log_softmax(input, dim, dtype=dtype)


def softmin(input, dim=None, _stacklevel=3, dtype=None):
    """softmax(-input)."""
    return _act.softmax(-input, dim, dtype=dtype)


def hardswish(input, inplace=False):
    out = _act.hardswish(input)
    return _inplace(input, out) if inplace else out


def softplus(input, beta=1.0, threshold=20.0):
    return _act.softplus(input, beta, threshold)


def elu(input, alpha=1.0, inplace=False):
    out = _act.elu(input, alpha)
    return _inplace(input, out) if inplace else out


def elu_(input, alpha=1.0):
    return elu(input, alpha, inplace=True)


def _flat_outside(input, low, high, inside):
    """`inside` where low < input < high, else input clamped to [low, high] (as a constant): the
    gradient is that of `inside` strictly inside and 0 outside, as torch's hardtanh family."""
    mask = (input > low) & (input < high)
    return _elem.where(mask, inside, input.detach().clamp(low, high))


def hardtanh(input, min_val=-1.0, max_val=1.0, inplace=False):
    """input clamped to [min_val, max_val]."""
    if min_val > max_val:
        raise ValueError("min_val cannot be greater than max_val")
    out = _flat_outside(input, min_val, max_val, input)
    return _inplace(input, out) if inplace else out


def hardtanh_(input, min_val=-1.0, max_val=1.0):
    return hardtanh(input, min_val, max_val, inplace=True)


def relu6(input, inplace=False):
    """min(max(input, 0), 6)."""
    return hardtanh(input, 0.0, 6.0, inplace)


def hardsigmoid(input, inplace=False):
    """relu6(input + 3) / 6: a piecewise-linear sigmoid."""
    inside = (input + 3) / 6
    out = _elem.where((input > -3) & (input < 3), inside, ((input.detach() + 3) / 6).clamp(0, 1))
    return _inplace(input, out) if inplace else out


def threshold(input, threshold, value, inplace=False):
    """input where input > threshold, else value."""
    out = _elem.where(input > threshold, input, value)
    return _inplace(input, out) if inplace else out


def selu(input, inplace=False):
    """scale * elu(input, alpha) with the self-normalising constants."""
    out = 1.0507009873554804934193349852946 * _act.elu(input, 1.6732632423543772848170429916717)
    return _inplace(input, out) if inplace else out


def celu(input, alpha=1.0, inplace=False):
    """max(0, x) + min(0, alpha * (exp(x / alpha) - 1))."""
    out = _elem.where(input > 0, input, alpha * _act.elu(input / alpha))
    return _inplace(input, out) if inplace else out


def mish(input, inplace=False):
    """input * tanh(softplus(input))."""
    out = input * _elem.tanh(_act.softplus(input))
    return _inplace(input, out) if inplace else out


def logsigmoid(input):
    """log(sigmoid(input)) = -softplus(-input), without overflow."""
    return -_act.softplus(-input)


def softsign(input):
    return input / (input.abs() + 1)


def tanhshrink(input):
    return input - _elem.tanh(input)


def glu(input, dim=-1):
    """First half of `dim` times the sigmoid of the second half."""
    if input.dim() == 0:
        raise RuntimeError("glu does not support scalars because halving size must be even")
    if input.shape[dim] % 2:
        raise RuntimeError(f"Halving dimension must be even, but dimension {dim % input.dim()} is size "
                           f"{input.shape[dim]}")
    a, b = input.chunk(2, dim)
    return a * _elem.sigmoid(b)


def prelu(input, weight):
    """input where input > 0, else weight * input (one learned slope per channel, dim 1)."""
    if weight.numel() != 1 and input.dim() >= 2:
        weight = weight.reshape((-1,) + (1,) * (input.dim() - 2))
    return _elem.where(input > 0, input, weight * input)


# ---- losses --------------------------------------------------------------------------------------

_REDUCTIONS = ("none", "mean", "sum")


def _reduction(reduction, size_average=None, reduce=None):
    """torch's _Reduction: the legacy size_average/reduce flags (with their warning), and the check."""
    if size_average is not None or reduce is not None:
        size_average = True if size_average is None else size_average
        reduce = True if reduce is None else reduce
        reduction = "mean" if size_average and reduce else "sum" if reduce else "none"
        warnings.warn("size_average and reduce args will be deprecated, please use "
                      f"reduction='{reduction}' instead.", stacklevel=3)
    if reduction not in _REDUCTIONS:
        raise ValueError(f"{reduction} is not a valid value for reduction")
    return reduction


def _warn_if_broadcasting(input, target):
    if target.shape != input.shape:
        warnings.warn(f"Using a target size ({target.size()}) that is different to the input size "
                      f"({input.size()}). This will likely lead to incorrect results due to "
                      "broadcasting. Please ensure they have the same size.", stacklevel=3)


def _promoted(input, target, kernel):
    """input and target in their common float dtype (torch's type promotion), broadcast-checked."""
    broadcast_shapes(input.shape, target.shape)
    dt = result_type(input, target)
    if not dt.is_floating_point:
        raise NotImplementedError(f'"{kernel}" not implemented for \'{dt.word}\'')
    return cast(input, dt), cast(target, dt)


def _weighted_mean_or_sum(loss, weight, reduction, mean_by_weight=True):
    if weight.shape != loss.shape:
        raise ValueError("Weights and input must have the same size.")
    loss = loss * weight
    if reduction == "none":
        return loss
    if reduction == "sum":
        return loss.sum()
    return loss.sum() / weight.sum() if mean_by_weight else loss.mean()


def l1_loss(input, target, size_average=None, reduce=None, reduction="mean", weight=None):
    """mean |input - target| (composed: abs of the difference, then the reduction, as torch)."""
    _warn_if_broadcasting(input, target)
    reduction = _reduction(reduction, size_average, reduce)
    input, target = _promoted(input, target, "abs_cpu")
    loss = (input - target).abs()
    if weight is not None:
        return _weighted_mean_or_sum(loss, weight, reduction)
    return loss.mean() if reduction == "mean" else loss.sum() if reduction == "sum" else loss


def mse_loss(input, target, size_average=None, reduce=None, reduction="mean", weight=None):
    """mean (input - target)^2."""
    _warn_if_broadcasting(input, target)
    reduction = _reduction(reduction, size_average, reduce)
    input, target = _promoted(input, target, "mse_cpu")
    if weight is not None:
        return _weighted_mean_or_sum((input - target) ** 2, weight, reduction)
    return _loss.MseLoss.apply(input, target, reduction=reduction)


def smooth_l1_loss(input, target, size_average=None, reduce=None, reduction="mean", beta=1.0):
    """Quadratic for |input - target| < beta, linear beyond (beta=0 is l1_loss)."""
    _warn_if_broadcasting(input, target)
    reduction = _reduction(reduction, size_average, reduce)
    if beta == 0.0:
        return l1_loss(input, target, reduction=reduction)
    if beta < 0:
        raise RuntimeError("smooth_l1_loss does not support negative values for beta.")
    input, target = _promoted(input, target, "smooth_l1_cpu")
    return _loss.SmoothL1Loss.apply(input, target, reduction=reduction, beta=beta)


def huber_loss(input, target, reduction="mean", delta=1.0, weight=None):
    """Quadratic for |input - target| < delta, delta-scaled linear beyond."""
    _warn_if_broadcasting(input, target)
    reduction = _reduction(reduction)
    if delta <= 0:
        raise RuntimeError("huber_loss does not support non-positive values for delta.")
    input, target = _promoted(input, target, "huber_cpu")
    if weight is not None:
        loss = _loss.HuberLoss.apply(input, target, reduction="none", delta=delta)
        return _weighted_mean_or_sum(loss, weight, reduction, mean_by_weight=False)
    return _loss.HuberLoss.apply(input, target, reduction=reduction, delta=delta)


def _weight_array(weight, shape, dtype):
    """A no-grad weight array for a fused loss, broadcast-checked against `shape`, in `dtype`."""
    if weight is None:
        return None
    broadcast_shapes(shape, weight.shape)
    return weight._data.astype(dtype.np, copy=False)


def binary_cross_entropy(input, target, weight=None, size_average=None, reduce=None, reduction="mean"):
    """-w [y log(x) + (1 - y) log(1 - x)] for probabilities x (logs clamped at -100)."""
    reduction = _reduction(reduction, size_average, reduce)
    if target.shape != input.shape:
        raise ValueError(f"Using a target size ({target.size()}) that is different to the input size "
                         f"({input.size()}) is deprecated. Please ensure they have the same size.")
    if target.dtype != input.dtype:
        raise RuntimeError(f"Found dtype {_word(target)} but expected {_word(input)}")
    if not input.is_floating_point():
        raise NotImplementedError(f'"binary_cross_entropy" not implemented for \'{_word(input)}\'')
    return _loss.BinaryCrossEntropy.apply(input, target, reduction=reduction,
                                          weight=_weight_array(weight, target.shape, input.dtype))


def binary_cross_entropy_with_logits(input, target, weight=None, size_average=None, reduce=None,
                                     reduction="mean", pos_weight=None):
    """binary_cross_entropy(sigmoid(input), target), computed stably from the logits;
    pos_weight multiplies the loss of the positive examples (one value per class)."""
    reduction = _reduction(reduction, size_average, reduce)
    if target.shape != input.shape:
        raise ValueError(f"Target size ({target.size()}) must be the same as input size ({input.size()})")
    if not target.is_floating_point():
        raise RuntimeError(f"result type {_word(input)} can't be cast to the desired output type "
                           f"{_word(target)}")
    input, target = _promoted(input, target, "binary_cross_entropy_with_logits")
    return _loss.BinaryCrossEntropyWithLogits.apply(
        input, target, reduction=reduction, weight=_weight_array(weight, input.shape, input.dtype),
        pos_weight=_weight_array(pos_weight, input.shape, input.dtype))


def _check_class_targets(input, target, weight, kernel):
    """torch's argument checks of nll_loss (and cross_entropy with class-index targets)."""
    if not input.is_floating_point():
        raise NotImplementedError(f'"{kernel}" not implemented for \'{_word(input)}\'')
    if target.dtype not in (dtypes.int64, dtypes.uint8):
        raise RuntimeError(f"expected target dtype to be Long or Byte, but got {_word(target)}")
    nd = input.dim()
    if nd < 1:
        raise ValueError(f"Expected 1 or more dimensions (got {nd})")
    if nd != 1 and input.shape[0] != (target.shape[0] if target.dim() else 0):
        raise ValueError(f"Expected input batch_size ({input.shape[0]}) to match target batch_size "
                         f"({target.shape[0] if target.dim() else 0}).")
    if nd <= 2:
        if target.dim() > 1:
            raise RuntimeError("0D or 1D target tensor expected, multi-target not supported")
        if nd == 1 and target.dim() == 1 and target.shape[0] != 1:
            raise ValueError(f"For 1D input, 1D target must have size 1, but got target size: "
                             f"{target.shape[0]}")
    elif nd == 4 and target.dim() != 3:
        raise RuntimeError("only batches of spatial targets supported (3D tensors) but got targets of "
                           f"dimension: {target.dim()}")
    elif target.shape[1:] != input.shape[2:]:
        if nd == 4:
            raise RuntimeError(f"size mismatch (got input: {_shape_list(input.shape)} , target: "
                               f"{_shape_list(target.shape)}")
        raise RuntimeError(f"Expected target size {_shape_list(input.shape[:1] + input.shape[2:])}, "
                           f"got {_shape_list(target.shape)}")
    _check_class_weight(input, weight, "")


def _check_class_weight(input, weight, prefix):
    if weight is None:
        return None
    n_classes = input.shape[0 if input.dim() == 1 else 1]
    if weight.dim() != 1 or weight.numel() != n_classes:
        raise RuntimeError(f"{prefix}weight tensor should be defined either for all {n_classes} classes "
                           f"or no classes but got weight tensor of shape: {_shape_list(weight.shape)}")
    if weight.dtype != input.dtype:
        raise RuntimeError(f"expected scalar type {_word(input)} but found {_word(weight)}")
    return weight._data


def nll_loss(input, target, weight=None, size_average=None, ignore_index=-100, reduce=None,
             reduction="mean"):
    """-input[target] (input holds log-probabilities; class dim 1, or 0 for a single sample)."""
    reduction = _reduction(reduction, size_average, reduce)
    _check_class_targets(input, target, weight, "nll_loss_out_frame")
    return _loss.NllLoss.apply(input, target, reduction=reduction, ignore_index=ignore_index,
                               weight=None if weight is None else weight._data)


_SOFT_TARGET_NODE = {"mean": "DivBackward1", "sum": "NegBackward0", "none": "NegBackward0"}


def cross_entropy(input, target, weight=None, size_average=None, ignore_index=-100, reduce=None,
                  reduction="mean", label_smoothing=0.0):
    """log_softmax over the class dim (1, or 0 for a single sample) then nll_loss.

    target: class indices (int64, shape of input without the class dim), or class probabilities
    (float, same shape as input). label_smoothing mixes the target with the uniform distribution.
    """
    reduction = _reduction(reduction, size_average, reduce)
    if not input.is_floating_point():
        kernel = "log_softmax_lastdim_kernel_impl" if input.dim() <= 2 else "log_softmax_kernel_impl"
        raise NotImplementedError(f'"{kernel}" not implemented for \'{_word(input)}\'')
    if input.shape == target.shape:  # class probabilities
        if not target.is_floating_point():
            raise RuntimeError("Expected floating point type for target with class probabilities, got "
                               f"{_word(target)}")
        if ignore_index >= 0:
            raise RuntimeError("ignore_index is not supported for floating point target")
        weight_array = _check_class_weight(input, weight, "cross_entropy: ")
        label_smoothing = _checked_label_smoothing(label_smoothing)
        input, target = _promoted(input, target, "cross_entropy")
        out = _loss.SoftCrossEntropy.apply(input, target, reduction=reduction, weight=weight_array,
                                           label_smoothing=label_smoothing)
        if out.grad_fn is not None:
            out.grad_fn.name = _SOFT_TARGET_NODE[reduction]
        return out
    label_smoothing = _checked_label_smoothing(label_smoothing)
    _check_class_targets(input, target, weight, "log_softmax_lastdim_kernel_impl")
    out = _loss.CrossEntropy.apply(input, target, reduction=reduction, ignore_index=ignore_index,
                                   weight=None if weight is None else weight._data,
                                   label_smoothing=label_smoothing)
    if label_smoothing > 0 and out.grad_fn is not None:
        out.grad_fn.name = "AddBackward0"
    return out


def _checked_label_smoothing(label_smoothing):
    """torch rejects values above 1 and silently treats values <= 0 as no smoothing."""
    if label_smoothing <= 0.0:
        return 0.0
    if label_smoothing > 1.0:
        raise RuntimeError(f"label_smoothing must be between 0.0 and 1.0. Got: {label_smoothing}")
    return label_smoothing


def kl_div(input, target, size_average=None, reduce=None, reduction="mean", log_target=False):
    """sum target * (log(target) - input): input holds log-probabilities (target too if
    log_target). 'batchmean' divides the sum by the batch size, the KL divergence proper."""
    if size_average is not None or reduce is not None:
        reduction = _reduction(reduction, size_average, reduce)
    elif reduction == "mean":
        warnings.warn("reduction: 'mean' divides the total loss by both the batch size and the support "
                      "size.'batchmean' divides only by the batch size, and aligns with the KL div math "
                      "definition.'mean' will be changed to behave the same as 'batchmean' in the next "
                      "major release.", stacklevel=2)
    elif reduction != "batchmean":
        _reduction(reduction)
    input, target = _promoted(input, target, "kl_div")
    pointwise = _loss.KlDiv.apply(input, target, log_target=log_target)
    if reduction == "mean":
        return pointwise.mean()
    if reduction == "sum":
        return pointwise.sum()
    if reduction == "batchmean":
        return pointwise.sum() / input.size(0) if input.dim() else pointwise.sum()
    return pointwise


# ---- other functions ------------------------------------------------------------------------------

def one_hot(tensor, num_classes=-1):
    """int64 tensor with a trailing dim of size num_classes: 1 at each index, 0 elsewhere."""
    if tensor.dtype != dtypes.int64:
        raise RuntimeError("one_hot is only applicable to index tensor of type LongTensor.")
    if tensor.numel() == 0:
        if num_classes <= 0:
            raise RuntimeError("Can not infer total number of classes from empty tensor.")
    else:
        if tensor.min().item() < 0:
            raise RuntimeError("Class values must be non-negative.")
        if num_classes == -1:
            num_classes = tensor.max().item() + 1
        elif tensor.max().item() >= num_classes:
            raise RuntimeError("Class values must be smaller than num_classes.")
    classes = arange(num_classes, device=tensor.device)
    return (tensor.unsqueeze(-1) == classes).long()


def normalize(input, p=2.0, dim=1, eps=1e-12, out=None):
    """input / max(||input||_p along dim, eps)."""
    if out is not None:
        return inplace.write_out(out, normalize(input, p, dim, eps), "normalize")
    denom = input.norm(p, dim, keepdim=True).clamp_min(eps).expand_as(input)
    return input / denom


# ---- the layers' ops (conv, pooling, normalisation, dropout, embedding, attention) ----------------------
from ..ops.attention import multi_head_attention_forward, scaled_dot_product_attention  # noqa: E402,F401
from ..ops.conv import conv1d, conv2d  # noqa: E402,F401
from ..ops.dropout import dropout, dropout2d  # noqa: E402,F401
from ..ops.embedding import embedding  # noqa: E402,F401
from ..ops.normalization import batch_norm, group_norm, layer_norm  # noqa: E402,F401
from ..ops.padding import pad  # noqa: E402,F401
from ..ops.pooling import adaptive_avg_pool2d, avg_pool2d, max_pool2d, max_pool2d_with_indices  # noqa: E402,F401
