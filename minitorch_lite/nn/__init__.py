"""`minitorch_lite.nn`: layers, containers, losses and initialisation, with torch.nn's names.

    >>> import minitorch_lite as mt
    >>> from minitorch_lite import nn
    >>> model = nn.Sequential(nn.Linear(2, 8), nn.ReLU(), nn.Linear(8, 1))
    >>> sum(p.numel() for p in model.parameters())
    33

Start reading at module.py (Module: how layers register parameters and submodules), then
linear.py (a complete layer) and loss.py; functional.py holds the stateless functions.
"""
from . import functional, init, utils
from .activation import (CELU, ELU, GELU, GLU, SELU, Hardsigmoid, Hardswish, Hardtanh, LeakyReLU,
                         LogSigmoid, LogSoftmax, Mish, PReLU, ReLU, ReLU6, Sigmoid, SiLU, Softmax,
                         Softmin, Softplus, Softsign, Tanh, Tanhshrink, Threshold)
from .container import ModuleDict, ModuleList, ParameterDict, ParameterList, Sequential
from .flatten import Flatten, Unflatten
from .linear import Identity, Linear
from .loss import (BCELoss, BCEWithLogitsLoss, CrossEntropyLoss, HuberLoss, KLDivLoss, L1Loss, MSELoss,
                   NLLLoss, SmoothL1Loss)
from .module import Module
from .parameter import Parameter
