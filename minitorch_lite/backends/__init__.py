"""`mt.backends`: switches and facts about the backends, shaped like torch.backends.

    >>> import minitorch_lite as mt
    >>> mt.backends.mps.is_available(), mt.backends.cuda.matmul.allow_tf32
    (False, False)
"""
from . import cuda, mps

__all__ = ["cuda", "mps"]
