"""CUDA switches: `matmul.allow_tf32` (off by default, as in torch) lets float32 matrix products use
TensorFloat-32 tensor cores on GPUs that have them; the CuPy backend reads it for every GEMM."""


class _MatmulFlags:
    allow_tf32 = False


matmul = _MatmulFlags()


def is_built():
    from ..backend import cuda_backend
    return cuda_backend.is_available()
