"""Fused loss ops: one graph node each, with torch's formulas forward and backward.

    >>> import minitorch_lite as mt
    >>> logits = mt.tensor([[2.0, 0.5, -1.0]], requires_grad=True)
    >>> loss = mt.nn.functional.cross_entropy(logits, mt.tensor([0]))
    >>> loss.backward(); logits.grad          # softmax(logits) - onehot(target)
    tensor([[-0.2144,  0.1753,  0.0391]])

Why fused: a loss built from small ops (log_softmax, gather, mean) keeps every intermediate for
backward; a fused op keeps only what its own backward needs, and its gradient has a short closed
form. The formulas mirror torch's kernels so float32 results agree to the last few bits:

  mse           (x - y)^2                           d/dx = 2 (x - y)
  smooth_l1     |d| < beta ? d^2 / (2 beta) : |d| - beta/2     (d = x - y)
  huber         |d| < delta ? d^2 / 2 : delta (|d| - delta/2)
  bce           -w [y max(log x, -100) + (1 - y) max(log(1 - x), -100)]
                d/dx = w (x - y) / max(x (1 - x), 1e-12)
  bce_logits    (1 - y) x - (1 + (pw - 1) y) log_sigmoid(x),  log_sigmoid(x) = min(x, 0) - log1p(exp(-|x|))
                (never overflows, even for |x| ~ 1000);   d/dx = w ((1 + (pw - 1) y) sigmoid(x) - pw y)
  nll           -w[t] logp[t]                      (ignored targets contribute 0)
  cross_entropy nll(log_softmax(x)) with optional label smoothing;  d/dx = softmax(x) * c - onehot * a
                (c, a: the target's weight, scaled by the reduction)

Reductions: 'none' keeps one loss per element, 'sum' adds them, 'mean' divides the sum by the
element count; for nll/cross_entropy by the summed weights of the targets that are not ignored.
"""
import numpy as np

from ..autograd.function import Function, sum_to
from ..backend import cuda_kernels
from ..backend.device import xp_of

_BCE_EPSILON = float(np.float32(1e-12))  # torch's constant is a float, also in float64 computations



def _reduce(loss, reduction):
    if reduction == "mean":
        if loss.size == 0:  # the mean of nothing is nan, as in torch
            return xp_of(loss).full((), np.nan, dtype=loss.dtype)
        return loss.mean()
    if reduction == "sum":
        return loss.sum()
    return loss


def _grad_scale(grad, reduction, count, dtype):
    """The upstream gradient per element: grad * (1 / count) for 'mean', as torch's kernels."""
    if reduction == "mean":
        return grad * dtype.type(1.0 / max(count, 1))
    return grad


class MseLoss(Function):
    @staticmethod
    def forward(ctx, x, y, reduction="mean"):
        diff = x - y
        ctx.save_for_backward(diff)
        ctx.x_shape, ctx.y_shape, ctx.reduction = x.shape, y.shape, reduction
        return _reduce(diff * diff, reduction)

    @staticmethod
    def backward(ctx, grad):
        (diff,) = ctx.saved
        norm = diff.dtype.type(2.0 / diff.size if ctx.reduction == "mean" and diff.size else 2.0)
        g = norm * diff * grad
        return sum_to(g, ctx.x_shape), sum_to(-g, ctx.y_shape)


class SmoothL1Loss(Function):
    @staticmethod
    def forward(ctx, x, y, reduction="mean", beta=1.0):
        xp = xp_of(x)
        diff = x - y
        ctx.save_for_backward(diff)
        ctx.x_shape, ctx.y_shape, ctx.reduction, ctx.beta = x.shape, y.shape, reduction, beta
        z = xp.abs(diff)
        t = diff.dtype.type
        return _reduce(xp.where(z < beta, t(0.5) * z * z / t(beta), z - t(0.5 * beta)), reduction)

    @staticmethod
    def backward(ctx, grad):
        (diff,) = ctx.saved
        beta = ctx.beta
        xp = xp_of(diff)
        g = _grad_scale(grad, ctx.reduction, diff.size, diff.dtype)
        t = diff.dtype.type
        out = xp.where(diff <= -beta, -g, xp.where(diff >= beta, g, diff * g / t(beta)))
        return sum_to(out, ctx.x_shape), sum_to(-out, ctx.y_shape)


class HuberLoss(Function):
    @staticmethod
    def forward(ctx, x, y, reduction="mean", delta=1.0):
        xp = xp_of(x)
        diff = x - y
        ctx.save_for_backward(diff)
        ctx.x_shape, ctx.y_shape, ctx.reduction, ctx.delta = x.shape, y.shape, reduction, delta
        z = xp.abs(diff)
        t = diff.dtype.type
        return _reduce(xp.where(z < delta, t(0.5) * z * z, t(delta) * (z - t(0.5 * delta))), reduction)

    @staticmethod
    def backward(ctx, grad):
        (diff,) = ctx.saved
        delta = ctx.delta
        xp = xp_of(diff)
        g = _grad_scale(grad, ctx.reduction, diff.size, diff.dtype)
        d = diff.dtype.type(delta)
        out = xp.where(diff <= -delta, -g * d, xp.where(diff >= delta, g * d, diff * g))
        return sum_to(out, ctx.x_shape), sum_to(-out, ctx.y_shape)


class BinaryCrossEntropy(Function):
    """Binary cross entropy on probabilities; `weight` (an array, no gradient) scales each term."""

    @staticmethod
    def forward(ctx, x, y, reduction="mean", weight=None):
        xp = xp_of(x)
        # torch's checks, NaN included (a NaN fails "0 <= x <= 1")
        if not bool(((x >= 0) & (x <= 1)).all()):
            raise RuntimeError("all elements of input should be between 0 and 1")
        if not bool(((y >= 0) & (y <= 1)).all()):
            raise RuntimeError("all elements of target should be between 0 and 1")
        ctx.save_for_backward(x, y, weight)
        ctx.reduction = reduction
        floor = x.dtype.type(-100)  # log(0) = -inf would make 0 * log(0) = nan: clamp as torch does
        with np.errstate(divide="ignore"):
            loss = (y - 1) * xp.maximum(xp.log1p(-x), floor) - y * xp.maximum(xp.log(x), floor)
        if weight is not None:
            loss = loss * weight
        return _reduce(loss, reduction)

    @staticmethod
    def backward(ctx, grad):
        x, y, weight = ctx.saved
        xp = xp_of(x)
        gx = grad * (x - y) / xp.maximum((1 - x) * x, x.dtype.type(_BCE_EPSILON))
        with np.errstate(divide="ignore"):
            gy = -xp.log(x / (1 - x)) * grad  # -logit(x)
        if weight is not None:
            gx, gy = gx * weight, gy * weight
        if ctx.reduction == "mean":
            gx, gy = gx / x.dtype.type(x.size), gy / x.dtype.type(y.size)
        return sum_to(gx, x.shape), sum_to(gy, y.shape)


def _log_sigmoid(xp, x):
    """log(sigmoid(x)) = min(x, 0) - log1p(exp(-|x|)): exp never sees a positive argument."""
    return xp.minimum(x, 0) - xp.log1p(xp.exp(-xp.abs(x)))


class BinaryCrossEntropyWithLogits(Function):
    """Binary cross entropy on logits, in the stable log-sigmoid form (see the module docstring)."""

    @staticmethod
    def forward(ctx, x, y, reduction="mean", weight=None, pos_weight=None):
        xp = xp_of(x)
        ctx.save_for_backward(x, y, weight, pos_weight)
        ctx.reduction = reduction
        log_sig = _log_sigmoid(xp, x)
        if pos_weight is not None:
            log_sig = log_sig * ((pos_weight - 1) * y + 1)
        loss = (1 - y) * x - log_sig
        if weight is not None:
            loss = loss * weight
        return _reduce(loss, reduction)

    @staticmethod
    def backward(ctx, grad):
        x, y, weight, pos_weight = ctx.saved
        xp = xp_of(x)
        with np.errstate(over="ignore"):
            sig = 1 / (1 + xp.exp(-x))
        if pos_weight is None:
            gx = (sig - y) * grad
            gy = -x * grad
        else:
            t = pos_weight * y
            gx = ((t + 1 - y) * sig - t) * grad
            gy = (_log_sigmoid(xp, -x) - _log_sigmoid(xp, x) * pos_weight) * grad
        if weight is not None:
            gx, gy = gx * weight, gy * weight
        if ctx.reduction == "mean":
            gx, gy = gx / x.dtype.type(x.size), gy / x.dtype.type(y.size)
        return sum_to(gx, x.shape), sum_to(gy, y.shape)


class KlDiv(Function):
    """Pointwise KL divergence term (reduced by the caller, as torch composes it):
    target * (log(target) - input), with 0 log 0 = 0; or exp(t) (t - input) for log targets."""

    @staticmethod
    def forward(ctx, x, t, log_target=False):
        xp = xp_of(x)
        ctx.save_for_backward(x, t)
        ctx.log_target = log_target
        if log_target:
            return xp.exp(t) * (t - x)
        with np.errstate(divide="ignore", invalid="ignore"):
            xlogx = xp.where(t == 0, t.dtype.type(0), t * xp.log(t))
        return xlogx - t * x

    @staticmethod
    def backward(ctx, grad):
        x, t = ctx.saved
        xp = xp_of(x)
        if ctx.log_target:
            e = xp.exp(t) * grad
            return sum_to(-e, x.shape), sum_to(e * (t - x) + e, t.shape)
        with np.errstate(divide="ignore", invalid="ignore"):
            # d/dt [t log t] as torch's xlogy derivative gives it: log t + t / t (nan at t = 0)
            gt = grad * xp.where(t != 0, xp.log(t), t.dtype.type(0)) + grad * (t / t) - grad * x
        return sum_to(-t * grad, x.shape), sum_to(gt, t.shape)


# ---- classification: nll and cross entropy --------------------------------------------------------

def _classes_last(x):
    """(N, C, d1, ...) -> (N*d1*..., C); (C,) -> (1, C): one row of class scores per target."""
    if x.ndim == 1:
        return x[None]
    if x.ndim == 2:
        return x
    return xp_of(x).moveaxis(x, 1, -1).reshape(-1, x.shape[1])


def _classes_back(rows, shape):
    """Inverse of _classes_last for a gradient."""
    if len(shape) <= 2:
        return rows.reshape(shape)
    moved = rows.reshape((shape[0],) + tuple(shape[2:]) + (shape[1],))
    return xp_of(rows).moveaxis(moved, -1, 1)


def _log_softmax(x, axis, fused):
    """x - max - log(sum(exp(x - max))) along `axis`: never overflows, never takes log(0)."""
    if fused:
        return cuda_kernels.softmax(x, axis, log=True)
    xp = xp_of(x)
    shifted = x - x.max(axis=axis, keepdims=True)
    return shifted - xp.log(xp.exp(shifted).sum(axis=axis, keepdims=True))


def _softmax_times(logp, scale, fused):
    """softmax * scale[:, None] from log-probabilities (N, C): exp(logp), scaled per row."""
    if fused:
        return cuda_kernels.softmax_times(logp, scale)
    out = xp_of(logp).exp(logp)
    out *= scale[:, None]
    return out


def _pick_targets(xp, rows, target, weight, ignore_index):
    """For each row: the target class (0 where ignored), its weight (0 where ignored) and its
    score. Raises torch's IndexError for a class outside [0, C)."""
    t = target.reshape(-1).astype(np.int64, copy=False)
    valid = t != ignore_index
    safe = xp.where(valid, t, 0)
    bad = (safe < 0) | (safe >= rows.shape[1])
    if bool(bad.any()):
        raise IndexError(f"Target {int(safe[bad][0])} is out of bounds.")
    w = valid.astype(rows.dtype) if weight is None else xp.where(valid, weight[safe], 0).astype(rows.dtype)
    picked = rows[xp.arange(rows.shape[0]), safe]
    return safe, valid, w, picked


def _nll_reduce(losses, w, reduction, target_shape):
    if reduction == "none":
        return losses.reshape(target_shape)
    total = losses.sum()
    if reduction == "sum":
        return total
    with np.errstate(invalid="ignore", divide="ignore"):  # every target ignored: 0 / 0 = nan
        return total / w.sum()


def _row_scale(grad, reduction, w):
    """d(reduced loss) / d(row loss): the upstream grad per row, / sum(w) for 'mean'."""
    if reduction == "none":
        return grad.reshape(-1)
    if reduction == "mean":
        with np.errstate(invalid="ignore", divide="ignore"):
            return grad / w.sum()
    return grad


def _target_coefficients(xp, grad, reduction, w, valid):
    """How hard each row's target log-probability is pulled: w[target] * row scale (0 where the
    target is ignored), and the row scale itself."""
    with np.errstate(invalid="ignore"):
        scale = _row_scale(grad, reduction, w)
        return xp.where(valid, w * scale, w.dtype.type(0)), scale


class NllLoss(Function):
    """Negative log likelihood of class-index targets, given log-probabilities."""

    name = "NllLossBackward0"

    @staticmethod
    def forward(ctx, logp, target, reduction="mean", ignore_index=-100, weight=None):
        xp = xp_of(logp)
        rows = _classes_last(logp)
        safe, valid, w, picked = _pick_targets(xp, rows, target, weight, ignore_index)
        ctx.save_for_backward(safe, valid, w)
        ctx.logp_shape, ctx.reduction, ctx.rows_shape = logp.shape, reduction, rows.shape
        return _nll_reduce(-(w * picked), w, reduction, target.shape)

    @staticmethod
    def backward(ctx, grad):
        safe, valid, w = ctx.saved
        xp = xp_of(w)
        a, _ = _target_coefficients(xp, grad, ctx.reduction, w, valid)
        d_rows = xp.zeros(ctx.rows_shape, dtype=w.dtype)
        d_rows[xp.arange(ctx.rows_shape[0]), safe] = -a
        return _classes_back(d_rows, ctx.logp_shape), None


class CrossEntropy(Function):
    """log_softmax + nll (+ label smoothing) for class-index targets, in one node.

    With label smoothing ls over C classes the loss is (1 - ls) * nll + ls / C * smooth, where
    smooth = -sum_c weight_c logp_c is the loss against a uniform target (torch's formula).
    """

    name = "NllLossBackward0"

    @staticmethod
    def forward(ctx, x, target, reduction="mean", ignore_index=-100, weight=None, label_smoothing=0.0):
        xp = xp_of(x)
        ctx.fused = cuda_kernels.use_for(x)
        logp = _log_softmax(_classes_last(x), 1, ctx.fused)
        safe, valid, w, picked = _pick_targets(xp, logp, target, weight, ignore_index)
        ctx.save_for_backward(logp, safe, valid, w, weight)
        ctx.x_shape, ctx.reduction, ctx.label_smoothing = x.shape, reduction, label_smoothing
        loss = _nll_reduce(-(w * picked), w, reduction, target.shape)
        if not label_smoothing:
            return loss
        smooth = -(logp * weight).sum(axis=1) if weight is not None else -logp.sum(axis=1)
        smooth = _nll_reduce(xp.where(valid, smooth, 0), w, reduction, target.shape)
        t = x.dtype.type
        return t(1 - label_smoothing) * loss + smooth * t(label_smoothing / logp.shape[1])

    @staticmethod
    def backward(ctx, grad):
        logp, safe, valid, w, weight = ctx.saved
        ls = ctx.label_smoothing
        xp = xp_of(logp)
        t = logp.dtype.type
        # d loss / d logp = -a * onehot(target) - b * class_weights, and log_softmax's backward
        # (g - softmax * sum(g)) turns it into
        #   dx = softmax * (a + b * sum(class_weights)) - b * class_weights - a * onehot(target)
        a, scale = _target_coefficients(xp, grad, ctx.reduction, w, valid)
        if ls:
            a = a * t(1 - ls)
            b = xp.where(valid, scale, t(0)) * t(ls / logp.shape[1])
            class_weights = weight if weight is not None else xp.ones(logp.shape[1], dtype=logp.dtype)
            dx = xp.exp(logp)  # softmax
            dx *= (a + b * class_weights.sum())[:, None]
            dx -= b[:, None] * class_weights
        else:
            dx = _softmax_times(logp, a, ctx.fused)
        dx[xp.arange(dx.shape[0]), safe] -= a
        return _classes_back(dx, ctx.x_shape), None


class SoftCrossEntropy(Function):
    """Cross entropy against class probabilities: -sum_c w_c target_c log_softmax(x)_c per sample
    (targets smoothed as target (1 - ls) + ls / C). 'mean' divides by the number of samples."""

    @staticmethod
    def forward(ctx, x, target, reduction="mean", weight=None, label_smoothing=0.0):
        axis = 0 if x.ndim == 1 else 1
        n_classes = x.shape[axis]
        ctx.fused = cuda_kernels.use_for(x)  # a fused log_softmax; backward has no fused step
        logp = _log_softmax(x, axis, ctx.fused)
        if label_smoothing > 0:
            target = target * x.dtype.type(1 - label_smoothing) + x.dtype.type(label_smoothing / n_classes)
        if weight is not None:
            weight = weight.reshape((-1,) + (1,) * (x.ndim - axis - 1))  # broadcast along the class dim
        ctx.save_for_backward(logp, target, weight)
        ctx.axis, ctx.reduction, ctx.label_smoothing = axis, reduction, label_smoothing
        prod = logp * target if weight is None else logp * target * weight
        if reduction == "none":
            return -prod.sum(axis=axis)
        if reduction == "sum":
            return -prod.sum()
        with np.errstate(invalid="ignore", divide="ignore"):
            return -prod.sum() / x.dtype.type(x.size // n_classes if x.size else np.nan)

    @staticmethod
    def backward(ctx, grad):
        logp, target, weight = ctx.saved
        axis, reduction, ls = ctx.axis, ctx.reduction, ctx.label_smoothing
        xp = xp_of(logp)
        if reduction == "none":
            g = xp.expand_dims(grad, axis)
        elif reduction == "mean":
            g = grad / logp.dtype.type(logp.size // logp.shape[axis])
        else:
            g = grad
        d_logp = -(target * g) if weight is None else -(target * weight * g)
        dx = d_logp - xp.exp(logp) * d_logp.sum(axis=axis, keepdims=True)
        d_target = -(logp * g) if weight is None else -(logp * weight * g)
        if ls > 0:
            d_target = d_target * logp.dtype.type(1 - ls)
        return dx, d_target
