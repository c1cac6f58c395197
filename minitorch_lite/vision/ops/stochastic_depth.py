"""torchvision.ops.stochastic_depth / StochasticDepth: drop whole residual branches while training.

    >>> import minitorch_lite as mt
    >>> from minitorch_lite.vision.ops import StochasticDepth
    >>> layer = StochasticDepth(p=0.5, mode="row")
    >>> layer
    StochasticDepth(p=0.5, mode=row)
    >>> layer.eval()(mt.ones(2, 3)).tolist()          # eval mode: the identity
    [[1.0, 1.0, 1.0], [1.0, 1.0, 1.0]]

In training mode each row ("row") or the whole batch ("batch") is zeroed with probability `p` and
the survivors are scaled by 1/(1-p), so the expected value is unchanged (Huang et al., "Deep
Networks with Stochastic Depth"). The mask is drawn as torchvision draws it, `empty(size).bernoulli_
(1 - p)` from the global generator, so after the same `manual_seed` the same rows are dropped.
"""
from ...creation import empty
from ...nn.module import Module

__all__ = ["stochastic_depth", "StochasticDepth"]


def stochastic_depth(input, p, mode, training=True):
    """Zero rows (mode="row") or the whole input (mode="batch") with probability p, scale by 1/(1-p)."""
    if p < 0.0 or p > 1.0:
        raise ValueError(f"drop probability has to be between 0 and 1, but got {p}")
    if mode not in ["batch", "row"]:
        raise ValueError(f"mode has to be either 'batch' or 'row', but got {mode}")
    if not training or p == 0.0:
        return input
    survival_rate = 1.0 - p
    if mode == "row":
        size = [input.shape[0]] + [1] * (input.ndim - 1)
    else:
        size = [1] * input.ndim
    noise = empty(size, dtype=input.dtype, device=input.device)
    noise = noise.bernoulli_(survival_rate)
    if survival_rate > 0.0:
        noise.div_(survival_rate)
    return input * noise


class StochasticDepth(Module):
    """See `stochastic_depth`."""

    def __init__(self, p, mode):
        super().__init__()
        self.p = p
        self.mode = mode

    def forward(self, input):
        return stochastic_depth(input, self.p, self.mode, self.training)

    def __repr__(self):
        return f"{self.__class__.__name__}(p={self.p}, mode={self.mode})"
