"""Optimizers and learning-rate schedulers with torch.optim's API.

    >>> import minitorch_lite as mt
    >>> w = mt.tensor([3.0], requires_grad=True)
    >>> opt = mt.optim.Adam([w], lr=0.1)
    >>> sched = mt.optim.lr_scheduler.StepLR(opt, step_size=10, gamma=0.5)
    >>> for _ in range(20):
    ...     opt.zero_grad(); (w * w).sum().backward(); opt.step(); sched.step()
    >>> sched.get_last_lr()
    [0.025]
"""
from . import lr_scheduler
from .adagrad import Adagrad
from .adam import Adam, AdamW
from .optimizer import Optimizer
from .rmsprop import RMSprop
from .sgd import SGD

__all__ = ["Adagrad", "Adam", "AdamW", "Optimizer", "RMSprop", "SGD", "lr_scheduler"]
