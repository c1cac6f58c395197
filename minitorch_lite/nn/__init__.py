"""`minitorch_lite.nn`: layers, containers, losses and initialisation, with torch.nn's names.

    >>> import minitorch_lite as mt
    >>> from minitorch_lite import nn
    >>> model = nn.Sequential(nn.Linear(2, 8), nn.ReLU(), nn.Linear(8, 1))
    >>> sum(p.numel() for p in model.parameters())
    33

Start reading at module.py (Module: how layers register parameters and submodules), then
linear.py (a complete layer) and loss.py; functional.py holds the stateless functions, whose
maths lives in minitorch_lite/ops/.
"""
from . import functional, init, utils
from .activation import (CELU, ELU, GELU, GLU, SELU, Hardsigmoid, Hardswish, Hardtanh, LeakyReLU,
                         LogSigmoid, LogSoftmax, Mish, PReLU, ReLU, ReLU6, Sigmoid, SiLU, Softmax,
                         Softmin, Softplus, Softsign, Tanh, Tanhshrink, Threshold)
from .attention import MultiheadAttention
from .container import ModuleDict, ModuleList, ParameterDict, ParameterList, Sequential
from .conv import Conv1d, Conv2d
from .dropout import Dropout, Dropout2d
from .flatten import Flatten, Unflatten
from .linear import Identity, Linear
from .loss import (BCELoss, BCEWithLogitsLoss, CrossEntropyLoss, HuberLoss, KLDivLoss, L1Loss, MSELoss,
                   NLLLoss, SmoothL1Loss)
from .module import Module
from .normalization import BatchNorm1d, BatchNorm2d, GroupNorm, LayerNorm
from .parameter import Parameter
from .pooling import AdaptiveAvgPool2d, AvgPool2d, MaxPool2d
from .sparse import Embedding
from .transformer import TransformerEncoder, TransformerEncoderLayer
