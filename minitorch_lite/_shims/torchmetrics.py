"""torchmetrics' classification metrics, as minitorch_lite.metrics computes them.

    >>> from minitorch_lite._shims.torchmetrics import Accuracy
    >>> import minitorch_lite as mt
    >>> Accuracy(task="multiclass", num_classes=3)(mt.tensor([0, 2, 1]), mt.tensor([0, 1, 1]))
    tensor(0.6667)

Registered as `torchmetrics` (and `torchmetrics.functional`) by `minitorch_lite.as_torch`.
"""
from ..metrics import Accuracy, ConfusionMatrix, F1Score, Metric, Precision, Recall
from ..metrics import accuracy, confusion_matrix, f1_score, precision, recall

__version__ = "1.0.0+minitorch_lite"  # torchmetrics 1.x names and `task=` arguments
__all__ = ["Accuracy", "ConfusionMatrix", "F1Score", "Metric", "Precision", "Recall", "accuracy",
           "confusion_matrix", "f1_score", "precision", "recall"]
