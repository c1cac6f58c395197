"""minitorch_lite.vision.ops: the parts of torchvision.ops that its classification models use.

    >>> from minitorch_lite.vision import ops
    >>> ops.StochasticDepth(0.2, "row")
    StochasticDepth(p=0.2, mode=row)

  stochastic_depth.py  stochastic_depth / StochasticDepth (EfficientNet's residual-branch dropout)
  misc.py              Conv2dNormActivation, SqueezeExcitation
"""
from .misc import Conv2dNormActivation, SqueezeExcitation
from .stochastic_depth import StochasticDepth, stochastic_depth

__all__ = ["stochastic_depth", "StochasticDepth", "Conv2dNormActivation", "SqueezeExcitation"]
