"""CUDA switches, as torch.backends.cuda: `matmul.allow_tf32` lets float32 matrix products use
TensorFloat-32 tensor cores (10-bit mantissa; faster on Ampere and newer GPUs).

    >>> import minitorch_lite as mt
    >>> mt.backends.cuda.matmul.allow_tf32          # off by default, as in torch
    False
    >>> mt.set_float32_matmul_precision("high"); mt.backends.cuda.matmul.allow_tf32
    True
    >>> mt.backends.cuda.matmul.allow_tf32 = False; mt.get_float32_matmul_precision()
    'highest'

Setting the flag takes effect at once: the CuPy backend hands it to CuPy's GEMM compute type for
float32 (`backend/cuda_backend.set_tf32`), which CuPy otherwise reads once from CUPY_TF32.
"""
from ..backend import cuda_backend


class _MatmulFlags:
    @property
    def allow_tf32(self):
        return cuda_backend.tf32_allowed()

    @allow_tf32.setter
    def allow_tf32(self, value):
        cuda_backend.set_tf32(bool(value))

    def __repr__(self):
        return f"<minitorch_lite.backends.cuda.matmul allow_tf32={self.allow_tf32}>"


matmul = _MatmulFlags()


def is_built():
    return cuda_backend.is_available()


_PRECISIONS = ("highest", "high", "medium")
_precision = "highest"  # what set_float32_matmul_precision was last told, while the flag agrees


def set_float32_matmul_precision(precision):
    """torch.set_float32_matmul_precision: "highest" = full float32; "high" and "medium" allow TF32
    (torch's "medium" may also use bfloat16; here it means TF32 too). Anything else: a warning, no effect."""
    if precision not in _PRECISIONS:
        import warnings
        warnings.warn(f"{precision} is not one of 'highest', 'high', or 'medium'; the current "
                      "setFloat32MatmulPrecision call has no effect.", UserWarning, stacklevel=2)
        return
    global _precision
    _precision = precision
    cuda_backend.set_tf32(precision != "highest")


def get_float32_matmul_precision():
    """The last precision set, or what `matmul.allow_tf32` implies when it was set since."""
    allowed = cuda_backend.tf32_allowed()
    if (_precision != "highest") == allowed:
        return _precision
    return "high" if allowed else "highest"
