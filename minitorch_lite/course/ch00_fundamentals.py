"""Chapter 00, PyTorch fundamentals: the tensor tour, on minitorch_lite.

    >>> from minitorch_lite.course.ch00_fundamentals import tensor_tour
    >>> tour = tensor_tour()
    >>> tour["matmul.error"]
    'RuntimeError: mat1 and mat2 shapes cannot be multiplied (3x2 and 3x2)'

The same code as `reference/ch00_fundamentals.py` (real PyTorch) with `torch` spelled `mt`: every
section returns a results record (a dict of numbers, strings and NumPy arrays) with the tensors the
course builds, their dtypes, shapes and reprs, and the messages of the cells meant to raise. The
tests run both and compare the records key by key: values, reprs and error messages all agree.

Run it: `python -m minitorch_lite.course.ch00_fundamentals`.
"""
import numpy as np
import minitorch_lite as mt
from minitorch_lite import nn


def _value(tensor):
    """A tensor as a NumPy array the record owns (so later in-place changes do not leak in)."""
    return tensor.detach().cpu().numpy().copy()


def _error(fn):
    """Run a cell that is meant to raise; return 'ErrorType: message'."""
    try:
        fn()
    except Exception as error:  # noqa: BLE001 - the record keeps whatever the framework raised
        return f"{type(error).__name__}: {error}"
    return "no error"


def creation():
    """Scalars, vectors, matrices, tensors; random, zeros, ones, ranges and *_like."""
    scalar = mt.tensor(7)
    vector = mt.tensor([7, 7])
    MATRIX = mt.tensor([[7, 8], [9, 10]])
    TENSOR = mt.tensor([[[1, 2, 3], [3, 6, 9], [2, 5, 4]]])
    random_image_size_tensor = mt.rand(size=(224, 224, 3))
    zeros = mt.zeros(size=(3, 4))
    ones = mt.ones(size=(3, 4))
    zero_to_ten = mt.arange(start=0, end=10, step=1)
    ten_zeros = mt.zeros_like(input=zero_to_ten)
    return {
        "scalar.repr": repr(scalar), "scalar.ndim": scalar.ndim, "scalar.item": scalar.item(),
        "vector.repr": repr(vector), "vector.ndim": vector.ndim, "vector.shape": str(vector.shape),
        "MATRIX.repr": repr(MATRIX), "MATRIX.ndim": MATRIX.ndim, "MATRIX[0]": _value(MATRIX[0]),
        "TENSOR.repr": repr(TENSOR), "TENSOR.shape": str(TENSOR.shape), "TENSOR.ndim": TENSOR.ndim,
        "random_image.shape": str(random_image_size_tensor.shape),
        "random_image.ndim": random_image_size_tensor.ndim,
        "zeros.repr": repr(zeros), "ones.repr": repr(ones), "ones.dtype": str(ones.dtype),
        "zero_to_ten.repr": repr(zero_to_ten), "ten_zeros.repr": repr(ten_zeros),
        "arange_step.repr": repr(mt.arange(start=0, end=1000, step=77)),
        "float_arange.repr": repr(mt.arange(0.0, 1.0, 0.1)),
    }


def dtypes():
    """Default dtypes, explicit dtypes, .type() conversions and what mixed dtypes give."""
    float_32_tensor = mt.tensor([3.0, 6.0, 9.0], dtype=None, device=None, requires_grad=False)
    float_16_tensor = mt.tensor([3.0, 6.0, 9.0], dtype=mt.float16)
    int_8_tensor = mt.tensor([3, 6, 9], dtype=mt.int8)
    int_32_tensor = mt.tensor([3, 6, 9], dtype=mt.int32)
    as_half = float_32_tensor.type(mt.float16)
    as_long = float_32_tensor.type(mt.LongTensor)
    return {
        "float_32.dtype": str(float_32_tensor.dtype),
        "float_16.repr": repr(float_16_tensor), "int_8.repr": repr(int_8_tensor),
        "int_list.dtype": str(mt.tensor([1, 2]).dtype),
        "float_list.dtype": str(mt.tensor([1.0, 2.0]).dtype),
        "as_half.repr": repr(as_half), "as_long.repr": repr(as_long),
        "float16*float32.repr": repr(float_16_tensor * float_32_tensor),
        "int8*float32.repr": repr(int_8_tensor * float_32_tensor),
        "int32*float32.dtype": str((int_32_tensor * float_32_tensor).dtype),
        "int64_zero_max_float.repr": repr(mt.maximum(mt.tensor(0), float_32_tensor - 5)),
        "details": [str(float_32_tensor.shape), str(float_32_tensor.dtype),
                    str(float_32_tensor.device)],
    }


def device_report():
    """What this machine offers. Not compared between frameworks: it depends on each one's build."""
    device = "cuda" if mt.cuda.is_available() else "cpu"
    tensor_on_device = mt.tensor([1, 2, 3]).to(device)
    return {
        "cuda_available": mt.cuda.is_available(),
        "cuda_device_count": mt.cuda.device_count(),
        "mps_available": mt.backends.mps.is_available(),
        "device": device,
        "tensor_on_device.repr": repr(tensor_on_device),
        "back_on_cpu": _value(tensor_on_device.cpu()),
    }


def devices():
    """The device-agnostic idioms on the CPU, the same in every build."""
    tensor = mt.tensor([1, 2, 3])
    on_cpu = tensor.to("cpu")
    return {
        "device.repr": repr(on_cpu.device), "device.str": str(on_cpu.device),
        "device_constructor.repr": repr(mt.device("cpu")),
        "numpy_after_cpu": on_cpu.cpu().numpy().copy(),
        "numpy_requires_grad.error": _error(
            lambda: mt.tensor([1.0], requires_grad=True).numpy()),
    }


def arithmetic():
    """Element-wise operations, with scalars and with tensors."""
    tensor = mt.tensor([1, 2, 3])
    value = 0
    for i in range(len(tensor)):  # the course's hand-written dot product
        value += tensor[i] * tensor[i]
    return {
        "plus_10": _value(tensor + 10), "times_10": _value(tensor * 10),
        "minus_10": _value(tensor - 10), "multiply": _value(mt.multiply(tensor, 10)),
        "elementwise": _value(tensor * tensor), "hand_dot.repr": repr(value),
        "matmul": _value(mt.matmul(tensor, tensor)), "at": _value(tensor @ tensor),
        "matmul.repr": repr(mt.matmul(tensor, tensor)),
        "eq.repr": repr(tensor == mt.tensor([1, 0, 3])),
    }


def matmul_rules(seed=42):
    """The two rules of matrix multiplication, the shape error, transpose and nn.Linear."""
    tensor_A = mt.tensor([[1, 2], [3, 4], [5, 6]], dtype=mt.float32)
    tensor_B = mt.tensor([[7, 10], [8, 11], [9, 12]], dtype=mt.float32)
    product = mt.matmul(tensor_A, tensor_B.T)
    mt.manual_seed(seed)
    linear = nn.Linear(in_features=2, out_features=6)
    output = linear(tensor_A)
    return {
        "error": _error(lambda: mt.matmul(tensor_A, tensor_B)),
        "mm_error": _error(lambda: mt.mm(tensor_A, tensor_B)),
        "inner_1d_error": _error(lambda: mt.matmul(mt.ones(3), mt.ones(4))),
        "B.T": _value(tensor_B.T), "B.T.shape": str(tensor_B.T.shape),
        "A@B.T": _value(product), "A@B.T.repr": repr(product),
        "mm": _value(mt.mm(tensor_A, tensor_B.T)),
        "rand_matmul.shape": str(mt.matmul(mt.rand(10, 3), mt.rand(3, 10)).shape),
        "linear.weight": _value(linear.weight), "linear.bias": _value(linear.bias),
        "linear.output": _value(output), "linear.output.repr": repr(output),
        "linear.repr": repr(linear),
    }


def aggregation():
    """min, max, mean, sum and the positions of min and max."""
    x = mt.arange(0, 100, 10)
    return {
        "min": x.min().item(), "max": x.max().item(), "sum": x.sum().item(),
        "function.min": mt.min(x).item(), "function.max": mt.max(x).item(),
        "function.sum": mt.sum(x).item(),
        "mean_int.error": _error(lambda: x.mean()),
        "mean": x.type(mt.float32).mean().item(),
        "function.mean": mt.mean(x.type(mt.float32)).item(),
        "argmax": x.argmax().item(), "argmin": x.argmin().item(),
        "max.repr": repr(x.max()), "mean.repr": repr(x.type(mt.float32).mean()),
    }


def reshaping():
    """reshape, view (shares memory), stack, squeeze, unsqueeze and permute (also a view)."""
    x = mt.arange(1.0, 8.0)
    x_reshaped = x.reshape(1, 7)
    z = x.view(1, 7)
    z[:, 0] = 5  # changing the view changes x: they share memory
    x_stacked = mt.stack([x, x, x, x], dim=0)
    x_stacked_1 = mt.stack([x, x, x, x], dim=1)
    x_squeezed = x_reshaped.squeeze()
    x_unsqueezed = x_squeezed.unsqueeze(dim=0)
    x_original = mt.rand(size=(224, 224, 3))
    x_permuted = x_original.permute(2, 0, 1)
    x_original[0, 0, 0] = 728218  # permute is a view too
    return {
        "x.repr": repr(x), "x_reshaped.shape": str(x_reshaped.shape), "z.repr": repr(z),
        "stacked_0": _value(x_stacked), "stacked_1": _value(x_stacked_1),
        "squeezed.shape": str(x_squeezed.shape), "unsqueezed.shape": str(x_unsqueezed.shape),
        "permuted.shape": str(x_permuted.shape), "permuted[0,0,0]": x_permuted[0, 0, 0].item(),
        "unsqueeze_fn.shape": str(mt.unsqueeze(x, dim=0).shape),
        "cat": _value(mt.cat([x, x], dim=0)),
    }


def indexing():
    """Integer, slice and mixed indexing on a 1x3x3 tensor."""
    x = mt.arange(1, 10).reshape(1, 3, 3)
    return {
        "x[0]": _value(x[0]), "x[0][0]": _value(x[0][0]), "x[0][0][0].repr": repr(x[0][0][0]),
        "x[0][1][1]": x[0][1][1].item(), "x[:, 0]": _value(x[:, 0]),
        "x[:, :, 1]": _value(x[:, :, 1]), "x[:, 1, 1]": _value(x[:, 1, 1]),
        "x[0, 0, :]": _value(x[0, 0, :]), "x[0][2][2]": x[0][2][2].item(),
        "x[:, :, 2]": _value(x[:, :, 2]), "x[:, 1:, :2]": _value(x[:, 1:, :2]),
    }


def numpy_bridge():
    """from_numpy keeps float64 and shares memory; .numpy() shares memory with the tensor."""
    array = np.arange(1.0, 8.0)
    tensor = mt.from_numpy(array)
    dtype_from_numpy = str(tensor.dtype)
    array = array + 1  # a new array: the tensor keeps the old values
    after_rebind = _value(tensor)
    shared = np.arange(1.0, 8.0)
    shared_tensor = mt.from_numpy(shared)
    shared += 1  # in place: the tensor sees it
    ones = mt.ones(7)
    numpy_view = ones.numpy()
    ones.add_(1)  # in place: the array sees it
    return {
        "from_numpy.dtype": dtype_from_numpy, "after_rebind": after_rebind, "array": array,
        "after_inplace": _value(shared_tensor), "float_cast.repr": repr(tensor.type(mt.float32)),
        "numpy_view": numpy_view.copy(), "numpy.dtype": str(numpy_view.dtype),
    }


def reproducibility(seed=42):
    """Random tensors differ unless the seed is reset before each draw."""
    random_tensor_A = mt.rand(3, 4)
    random_tensor_B = mt.rand(3, 4)
    mt.manual_seed(seed=seed)
    random_tensor_C = mt.rand(3, 4)
    mt.random.manual_seed(seed=seed)
    random_tensor_D = mt.rand(3, 4)
    mt.manual_seed(seed)
    return {
        "A==B.any": bool((random_tensor_A == random_tensor_B).any()),
        "C": _value(random_tensor_C), "D": _value(random_tensor_D),
        "C==D.repr": repr(random_tensor_C == random_tensor_D),
        "C.repr": repr(random_tensor_C),
        "randn": _value(mt.randn(2, 3)), "randint": _value(mt.randint(0, 10, size=[5])),
    }


def tensor_tour(seed=42):
    """All of chapter 00's comparable sections in one record, keys prefixed by section."""
    mt.manual_seed(seed)
    record = {}
    for section in (creation, dtypes, devices, arithmetic, matmul_rules, aggregation, reshaping,
                    indexing, numpy_bridge, reproducibility):
        record.update({f"{section.__name__.replace('_rules', '')}.{key}": value
                       for key, value in section().items()})
    return record


if __name__ == "__main__":
    for key, value in {**tensor_tour(), **device_report()}.items():
        print(f"{key:32} {value}")
