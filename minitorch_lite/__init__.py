"""minitorch_lite: a small, readable deep-learning framework with PyTorch's API on NumPy and CuPy."""
__version__ = "0.1.0"
