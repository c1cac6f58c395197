"""The Tensor API the course uses exists, and the methods are declared where a reader looks for them.

The course's inventory (what its ten chapters call on tensors, from the course scan in the design
notes) is listed here by name; every entry must be an attribute of `mt.Tensor` as it is of
`torch.Tensor`. And every public method of `mt.Tensor` must come from tensor.py or from the
declarations in tensor_methods.py -- nothing bound at run time from elsewhere.
"""
import ast
import inspect
import sys

import pytest
import torch

import minitorch_lite as mt
from minitorch_lite import tensor_methods

# methods, properties and protocols the course's chapters 00-09 use on tensors
COURSE_INVENTORY = [
    # attributes
    "shape", "ndim", "dtype", "device", "T", "data", "grad", "requires_grad", "is_leaf", "grad_fn",
    # conversions
    "item", "tolist", "numpy", "cpu", "cuda", "to", "type", "float", "long", "int", "bool", "half",
    "double", "detach", "clone", "contiguous", "requires_grad_",
    # shape
    "reshape", "view", "squeeze", "unsqueeze", "permute", "transpose", "expand", "flatten", "size",
    "dim", "numel",
    # maths and reductions
    "sum", "mean", "max", "min", "argmax", "argmin", "abs", "exp", "log", "sqrt", "pow", "softmax",
    "sigmoid", "round", "eq", "add", "sub", "mul", "div", "matmul", "backward", "add_", "mul_", "zero_",
    # protocols
    "__add__", "__radd__", "__sub__", "__rsub__", "__mul__", "__rmul__", "__truediv__", "__rtruediv__",
    "__neg__", "__matmul__", "__eq__", "__iadd__", "__itruediv__", "__getitem__", "__setitem__",
    "__len__", "__iter__", "__format__", "__index__", "__float__", "__int__", "__bool__", "__array__",
    "__hash__", "__repr__",
]


@pytest.mark.parametrize("name", COURSE_INVENTORY)
def test_course_tensor_api_exists(name):
    assert hasattr(torch.Tensor, name), f"torch.Tensor has no {name}: fix the inventory"
    assert hasattr(mt.Tensor, name), f"mt.Tensor has no {name}"


def _names_in_class_body(module, class_name):
    tree = ast.parse(inspect.getsource(module))
    body = next(n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == class_name).body
    names = set()
    for node in body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            names.add(node.name)
        elif isinstance(node, ast.Assign):
            names |= {t.id for target in node.targets for t in ast.walk(target) if isinstance(t, ast.Name)}
    return names


def test_methods_are_declared_in_tensor_py_or_tensor_methods():
    declared = (_names_in_class_body(sys.modules["minitorch_lite.tensor"], "Tensor")
                | _names_in_class_body(tensor_methods, "_TensorMethods"))
    for name in vars(mt.Tensor):
        if name in ("__module__", "__dict__", "__weakref__", "__doc__", "__qualname__", "__slots__"):
            continue
        if name in mt.Tensor.__slots__:
            continue
        assert name in declared, f"Tensor.{name} is bound from outside tensor.py / tensor_methods.py"


def test_each_method_is_bound_once():
    """`__rmatmul__` used to be bound twice, the second binding silently winning."""
    source = inspect.getsource(tensor_methods._TensorMethods)
    for name in ("__rmatmul__", "fill_diagonal_", "softmax"):
        targets = [line for line in source.splitlines()
                   if line.strip().startswith((f"{name} =", f"def {name}(")) or f" {name} =" in line
                   or f"= {name} =" in line]
        assert len(targets) == 1, (name, targets)


def test_method_and_function_are_the_same_code():
    x = mt.tensor([1.0, -2.0, 3.0])
    assert mt.Tensor.exp is mt.exp and mt.Tensor.softmax is mt.softmax and mt.Tensor.__add__ is mt.add
    assert bool((x.exp() == mt.exp(x)).all())
