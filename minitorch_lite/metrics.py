"""Classification metrics with torchmetrics' names and definitions: accuracy, precision, recall, F1
and the confusion matrix, as functions and as stateful metric objects.

    >>> import minitorch_lite as mt
    >>> from minitorch_lite.metrics import Accuracy, confusion_matrix
    >>> logits = mt.tensor([[2.0, 0.1, 0.3], [0.2, 1.5, 0.1], [0.1, 0.2, 0.3]])
    >>> target = mt.tensor([0, 1, 1])
    >>> Accuracy(task="multiclass", num_classes=3)(logits, target)
    tensor(0.6667)
    >>> confusion_matrix(logits, target, task="multiclass", num_classes=3)
    tensor([[1, 0, 0],
            [0, 1, 1],
            [0, 0, 0]])

Inputs, as torchmetrics takes them:
  - task="binary": `preds` are labels (0/1), or probabilities / logits of the positive class
    (floats outside [0, 1] get a sigmoid first); a prediction is positive when > `threshold`.
  - task="multiclass": `preds` are labels of shape (N, ...), or scores of shape (N, C, ...) whose
    argmax over dim 1 is the label. `target` holds labels in [0, num_classes).

Everything is computed from the confusion matrix M (rows: target, columns: prediction), per class
c: tp = M[c, c], fp = column c minus tp, fn = row c minus tp. Averages, as torchmetrics:
  micro     pool every sample (for multiclass accuracy, precision, recall and F1 all equal
            trace(M) / N)
  macro     mean of the per-class scores over the classes that occur (tp + fp + fn > 0)
  weighted  per-class scores weighted by support (tp + fn)
  none      the per-class scores, one per class
A score whose denominator is 0 is 0 (torchmetrics' zero_division=0). Results are float32 tensors
on the device of `preds`; the confusion matrix is int64 (float32 when normalised).
"""
import numpy as np

from .backend.device import device_of_array
from .ops.conversion import move_array
from .tensor import Tensor
from .backend.device import xp_of

_AVERAGES = ("micro", "macro", "weighted", "none", None)


# ---- inputs -> confusion matrix --------------------------------------------------------------------

def _check_task(task, num_classes, average="micro"):
    if task not in ("binary", "multiclass", "multilabel"):
        raise ValueError(f"Invalid Classification: expected one of (binary, multiclass, multilabel) "
                         f"but got {task}")
    if task == "multilabel":
        raise ValueError("minitorch_lite.metrics supports task='binary' and task='multiclass'")
    if task == "multiclass" and (not isinstance(num_classes, int) or num_classes < 2):
        raise ValueError("Optional arg `num_classes` must be type `int` when task is multiclass.")
    if average not in _AVERAGES:
        raise ValueError(f"Argument `average` has to be one of {_AVERAGES[:4]}, got {average!r}")
    return 2 if task == "binary" else num_classes


def _raw(x):
    return x._data if isinstance(x, Tensor) else np.asarray(x)


def _confmat(preds, target, task, num_classes, threshold):
    """The int64 confusion matrix of one batch, on the device of `preds`."""
    preds, target = _raw(preds), _raw(target)
    xp = xp_of(preds)
    if type(target) is not type(preds):
        target = move_array(target, device_of_array(preds))
    if target.dtype.kind not in "biu":
        raise ValueError(f"Expected argument `target` to be an int or long tensor, but got {target.dtype}")
    if task == "binary":
        if preds.dtype.kind == "f":
            if preds.size and not bool(((preds >= 0) & (preds <= 1)).all()):
                preds = 1 / (1 + xp.exp(-preds))  # logits -> probabilities
            preds = preds > threshold
    elif preds.ndim == target.ndim + 1:
        preds = preds.argmax(axis=1)  # scores over classes -> labels
    elif preds.dtype.kind == "f":
        raise ValueError("If `preds` have one dimension less than `target`, `preds` should be a "
                         "float tensor of scores; float `preds` of the same shape as `target` "
                         "are not labels")
    if preds.shape != target.shape:
        raise ValueError(f"Expected `preds` of shape {tuple(target.shape)} (or with a class "
                         f"dimension after the first), got {tuple(preds.shape)}")
    preds, target = preds.reshape(-1).astype(np.int64), target.reshape(-1).astype(np.int64)
    for name, labels in (("preds", preds), ("target", target)):
        if labels.size and (int(labels.min()) < 0 or int(labels.max()) >= num_classes):
            raise ValueError(f"Detected values in `{name}` outside [0, {num_classes}): found "
                             f"{int(labels.min())}..{int(labels.max())}")
    counts = xp.bincount(target * num_classes + preds, minlength=num_classes * num_classes)
    return counts.reshape(num_classes, num_classes).astype(np.int64)


# ---- confusion matrix -> scores ---------------------------------------------------------------------------

def _divide(num, den):
    """num / den with 0 where den == 0 (torchmetrics' _safe_divide)."""
    xp = xp_of(num)
    return xp.where(den == 0, 0.0, num / xp.where(den == 0, 1, den))


def _score(confmat, metric, task, average):
    xp = xp_of(confmat)
    m = confmat.astype(np.float64)
    tp = xp.diagonal(m)
    fp, fn = m.sum(0) - tp, m.sum(1) - tp
    if task == "binary":
        if metric == "accuracy":
            value = _divide(tp.sum(), m.sum())
        else:
            value = _per_class(metric, tp, fp, fn)[1]  # the positive class
    elif average == "micro":  # pooled tp, fp, fn: every metric is correct / total
        value = _divide(tp.sum(), m.sum())
    else:
        scores = _per_class(metric, tp, fp, fn)
        if average in ("none", None):
            value = scores
        else:
            weights = tp + fn if average == "weighted" else (tp + fp + fn > 0).astype(np.float64)
            value = _divide((weights * scores).sum(), weights.sum())
    return Tensor._make(xp.asarray(value, dtype=np.float32), device_of_array(confmat))


def _per_class(metric, tp, fp, fn):
    if metric in ("accuracy", "recall"):  # per-class accuracy is the recall of that class
        return _divide(tp, tp + fn)
    if metric == "precision":
        return _divide(tp, tp + fp)
    return _divide(2 * tp, 2 * tp + fp + fn)  # F1


def _normalize(confmat, normalize):
    if normalize in (None, "none"):
        return confmat
    if normalize not in ("true", "pred", "all"):
        raise ValueError(f"Argument `normalize` needs to one of the following: ('true', 'pred', "
                         f"'all', 'none', None), got {normalize!r}")
    m = confmat.astype(np.float64)
    total = {"true": m.sum(1, keepdims=True), "pred": m.sum(0, keepdims=True), "all": m.sum()}
    return _divide(m, total[normalize]).astype(np.float32)


# ---- functions -----------------------------------------------------------------------------------

def _classification_score(metric, preds, target, task, threshold, num_classes, average):
    n = _check_task(task, num_classes, average)
    return _score(_confmat(preds, target, task, n, threshold), metric, task, average)


def accuracy(preds, target, task, threshold=0.5, num_classes=None, average="micro"):
    """torchmetrics.functional.accuracy: the fraction of correct predictions (macro: mean recall)."""
    return _classification_score("accuracy", preds, target, task, threshold, num_classes, average)


def precision(preds, target, task, threshold=0.5, num_classes=None, average="micro"):
    """torchmetrics.functional.precision: tp / (tp + fp)."""
    return _classification_score("precision", preds, target, task, threshold, num_classes, average)


def recall(preds, target, task, threshold=0.5, num_classes=None, average="micro"):
    """torchmetrics.functional.recall: tp / (tp + fn)."""
    return _classification_score("recall", preds, target, task, threshold, num_classes, average)


def f1_score(preds, target, task, threshold=0.5, num_classes=None, average="micro"):
    """torchmetrics.functional.f1_score: 2 tp / (2 tp + fp + fn)."""
    return _classification_score("f1", preds, target, task, threshold, num_classes, average)


def confusion_matrix(preds, target, task, threshold=0.5, num_classes=None, normalize=None):
    """torchmetrics.functional.confusion_matrix: int64 counts, rows = target, columns = prediction."""
    n = _check_task(task, num_classes)
    return Tensor._from_array(_normalize(_confmat(preds, target, task, n, threshold), normalize))


# ---- metric objects -------------------------------------------------------------------------------

class Metric:
    """A metric that accumulates a confusion matrix over batches (torchmetrics' Metric protocol).

    `metric(preds, target)` scores this batch and adds it to the running state; `update` only adds;
    `compute()` scores everything since the last `reset()`. `.to(device)` moves the state.
    """

    _metric = None

    def __init__(self, task, threshold=0.5, num_classes=None, average="micro"):
        self.task, self.threshold, self.average = task, threshold, average
        self.num_classes = _check_task(task, num_classes, average)
        self._confmat = np.zeros((self.num_classes, self.num_classes), dtype=np.int64)

    @property
    def device(self):
        return device_of_array(self._confmat)

    def to(self, device):
        from .backend.device import as_device
        self._confmat = move_array(self._confmat, as_device(device))
        return self

    def reset(self):
        self._confmat = self._confmat * 0

    def _batch(self, preds, target):
        batch = _confmat(preds, target, self.task, self.num_classes, self.threshold)
        self._confmat = self._confmat + move_array(batch, self.device)
        return batch

    def update(self, preds, target):
        self._batch(preds, target)

    def forward(self, preds, target):
        return self._result(self._batch(preds, target))

    __call__ = forward

    def compute(self):
        return self._result(self._confmat)

    def _result(self, confmat):
        return _score(confmat, self._metric, self.task, self.average)

    def __repr__(self):
        return f"{self.task.capitalize()}{type(self).__name__}()"


class Accuracy(Metric):
    """torchmetrics.Accuracy(task, threshold=0.5, num_classes=None, average='micro')."""
    _metric = "accuracy"


class Precision(Metric):
    _metric = "precision"


class Recall(Metric):
    _metric = "recall"


class F1Score(Metric):
    _metric = "f1"


class ConfusionMatrix(Metric):
    """torchmetrics.ConfusionMatrix(task, threshold=0.5, num_classes=None, normalize=None)."""

    def __init__(self, task, threshold=0.5, num_classes=None, normalize=None):
        super().__init__(task, threshold, num_classes)
        self.normalize = normalize
        _normalize(self._confmat, normalize)  # reject a bad `normalize` now, not at compute time

    def _result(self, confmat):
        return Tensor._from_array(_normalize(confmat, self.normalize))
