"""Dropout layers: `Dropout` (elements) and `Dropout2d` (whole channels); ops/dropout.py has the maths.

    >>> import minitorch_lite as mt
    >>> drop = mt.nn.Dropout(p=0.5)
    >>> drop
    Dropout(p=0.5, inplace=False)
    >>> drop.eval()(mt.ones(4))           # eval mode: the identity
    tensor([1., 1., 1., 1.])

Active only in training mode (`module.train()`, the default); `model.eval()` switches it off.
"""
from ..ops.dropout import dropout, dropout2d
from .module import Module


class _DropoutNd(Module):
    def __init__(self, p=0.5, inplace=False):
        super().__init__()
        if p < 0 or p > 1:
            raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
        self.p = p
        self.inplace = inplace

    def extra_repr(self):
        return f"p={self.p}, inplace={self.inplace}"


class Dropout(_DropoutNd):
    """Dropout(p=0.5, inplace=False): zero each element with probability p, scale the rest by 1/(1-p)."""

    def forward(self, input):
        return dropout(input, self.p, self.training, self.inplace)


class Dropout2d(_DropoutNd):
    """Dropout2d(p=0.5, inplace=False): zero whole channels of (N, C, H, W) input with probability p."""

    def forward(self, input):
        return dropout2d(input, self.p, self.training, self.inplace)
