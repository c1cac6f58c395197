"""The Tensor: an array (NumPy or CuPy) plus what autograd needs to know about it.

    >>> import minitorch_lite as mt
    >>> x = mt.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    >>> y = (x @ x).sum()
    >>> y.backward()
    >>> x.grad
    tensor([[ 7., 11.],
            [ 9., 13.]])

What a tensor holds (the slots below):
  _data              the array with the values (numpy.ndarray on the CPU, cupy.ndarray on a GPU)
  _device            the `device` it lives on
  _requires_grad     whether gradients should flow to it
  grad_fn            the graph node that produced it (None for leaves: tensors the user made)
  _grad              its accumulated gradient (a Tensor), for leaves
  _base              the tensor whose memory a view shares (None when it owns its memory)
  _version_counter   how often that memory was written in place (kept on the owner, `_base`);
                     backward compares it with what a node saw, see autograd/inplace.py
  _hooks             gradient hooks of a leaf

This file is the bottom of the tensor stack: it imports only backend/ (devices, dtypes, shape
rules) and the printing module. The layers above build on it -- autograd (graph nodes create
Tensors), then ops/ and creation.py (the maths) -- and tensor_methods.py, imported last, attaches
the methods that call them, so the imports run one way, bottom to top.
"""
import copy
import numbers
import weakref

import numpy as np

from ._tensor_str import tensor_repr
from .backend import dtypes as _dtypes
from .backend.device import CPU, device_of_array
from .backend.shapes import normalize_dim

_ndarray = np.ndarray


def _as_array(data):
    """Results of NumPy ops on 0-d arrays come back as NumPy scalars: make them 0-d arrays again."""
    if isinstance(data, np.generic):
        return np.array(data)  # (np.array is ~3x faster than np.asarray on a NumPy scalar)
    return data  # a CuPy array


class Size(tuple):
    """torch.Size: a tuple of ints that prints as `torch.Size([2, 3])`."""

    __slots__ = ()

    def __repr__(self):
        return f"torch.Size([{', '.join(map(str, self))}])"

    __str__ = __repr__

    def numel(self):
        n = 1
        for s in self:
            n *= s
        return n

    def __getitem__(self, item):
        out = tuple.__getitem__(self, item)
        return Size(out) if isinstance(item, slice) else out

    def __add__(self, other):
        return Size(tuple.__add__(self, tuple(other)))

    def __radd__(self, other):
        return Size(tuple(other) + tuple(self))


class Tensor:
    """A multi-dimensional array with autograd. Make one with `mt.tensor(data)` or a factory.

    `mt.Tensor(data)` builds a float tensor from data; `mt.Tensor(2, 3)` an uninitialised 2x3
    float tensor, as `torch.Tensor` does. This class body holds the data and its attributes; the
    methods that compute (`x.sum()`, `x + y`, `x.add_(y)`, `x.to("cuda")`, `x.backward()`) are
    declared in tensor_methods.py, which attaches them once the layers they call exist.
    """

    __slots__ = ("_data", "_device", "_requires_grad", "grad_fn", "_grad", "_base", "_version_counter",
                 "_hooks", "__weakref__")
    __array_priority__ = 1000  # NumPy defers `ndarray + Tensor` to Tensor.__radd__

    @staticmethod
    def _init_from(t, data, dev):
        t._data = data
        t._device = dev
        t._requires_grad = False
        t.grad_fn = None
        t._grad = None
        t._base = None
        t._version_counter = 0
        t._hooks = None

    @staticmethod
    def _make(data, dev):
        """Wrap an array as a new leaf tensor (no copy). The one constructor the ops use."""
        t = _new(Tensor)
        t._data = data if type(data) is _ndarray else _as_array(data)
        t._device = dev
        t._requires_grad = False
        t.grad_fn = None
        t._grad = None
        t._base = None
        t._version_counter = 0
        t._hooks = None
        return t

    @staticmethod
    def _from_array(data):
        """Wrap an array, finding its device from the array itself."""
        return Tensor._make(data, device_of_array(data))

    # ---- attributes ----------------------------------------------------------------------
    @property
    def shape(self):
        return Size(self._data.shape)

    def size(self, dim=None):
        if dim is None:
            return Size(self._data.shape)
        return self._data.shape[normalize_dim(dim, self._data.ndim)]

    @property
    def dtype(self):
        return _dtypes._FROM_NP[self._data.dtype]

    @property
    def device(self):
        return self._device

    @property
    def is_cuda(self):
        return self._device.type == "cuda"

    @property
    def is_cpu(self):
        return self._device.type == "cpu"

    @property
    def ndim(self):
        return self._data.ndim

    def dim(self):
        return self._data.ndim

    ndimension = dim

    def numel(self):
        return self._data.size

    nelement = numel

    def element_size(self):
        return self._data.itemsize

    @property
    def itemsize(self):
        return self._data.itemsize

    @property
    def nbytes(self):
        return self._data.nbytes

    def is_floating_point(self):
        return self._data.dtype.kind == "f"

    def is_complex(self):
        return False

    def stride(self, dim=None):
        strides = tuple(s // self._data.itemsize for s in self._data.strides)
        if dim is None:
            return strides
        return strides[normalize_dim(dim, self._data.ndim)]

    def is_contiguous(self, memory_format=None):
        return bool(self._data.flags.c_contiguous)

    def data_ptr(self):
        if self._device is CPU:
            return self._data.__array_interface__["data"][0]
        return self._data.data.ptr

    def storage_offset(self):
        base = self._base
        if base is None:
            return 0
        return (self.data_ptr() - base.data_ptr()) // self._data.itemsize

    @property
    def layout(self):
        return "torch.strided"

    # ---- autograd attributes ---------------------------------------------------------------
    @property
    def requires_grad(self):
        return self._requires_grad

    @requires_grad.setter
    def requires_grad(self, value):
        if self.grad_fn is not None:
            raise RuntimeError("you can only change requires_grad flags of leaf variables. If you want "
                               "to use a computed variable in a subgraph that doesn't require "
                               "differentiation use var_no_grad = var.detach().")
        if value and self._data.dtype.kind != "f":
            raise RuntimeError("only Tensors of floating point dtype can require gradients")
        self._requires_grad = bool(value)

    def requires_grad_(self, requires_grad=True):
        self.requires_grad = requires_grad
        return self

    @property
    def is_leaf(self):
        return self.grad_fn is None

    @property
    def grad(self):
        return self._grad

    @grad.setter
    def grad(self, value):
        if value is not None:
            if not isinstance(value, Tensor):
                raise TypeError(f"assigned grad expected to be a Tensor or None but got grad of "
                                f"type {type(value).__name__}")
            if value._data.shape != self._data.shape:
                raise RuntimeError("assigned grad has data of a different size")
            if value._data.dtype != self._data.dtype:
                raise RuntimeError("assigned grad has data of a different type")
            if value._device is not self._device:
                raise RuntimeError("assigned grad has data located on a different device")
        self._grad = value

    @property
    def data(self):
        """The same values without the graph (shares memory), like `detach()` -- except that, as in
        torch, in-place changes made through `.data` are not counted in this tensor's version, so
        autograd cannot notice them (prefer `detach()`, or `with mt.no_grad()`)."""
        return Tensor._make(self._data, self._device)

    @data.setter
    def data(self, value):
        if not isinstance(value, Tensor):
            raise TypeError(f"data must be a Tensor, got {type(value).__name__}")
        self._data = value._data
        self._device = value._device

    @property
    def _version(self):
        """How many times this tensor's memory was written in place (shared by all its views)."""
        root = self._base if self._base is not None else self
        return root._version_counter

    def _bump_version(self):
        """Every in-place write calls this (see autograd/inplace.py): backward compares versions."""
        root = self._base if self._base is not None else self
        root._version_counter += 1

    def retain_grad(self):
        """Keep `.grad` for this non-leaf tensor after backward (leaves always keep theirs)."""
        if self.grad_fn is None:
            if not self._requires_grad:
                raise RuntimeError("can't retain_grad on Tensor that has requires_grad=False")
            return
        self.grad_fn._retained = weakref.ref(self)

    @property
    def retains_grad(self):
        node = self.grad_fn
        return node is not None and node._retained is not None and node._retained() is self

    def register_hook(self, hook):
        """Call `hook(grad)` when this tensor's gradient is computed; it may return a new gradient."""
        if not self._requires_grad:
            raise RuntimeError("cannot register a hook on a tensor that doesn't require gradient")
        if self.grad_fn is None:
            if self._hooks is None:
                self._hooks = []
            hooks = self._hooks
        else:
            node = self.grad_fn
            if node._tensor_hooks is None:
                node._tensor_hooks = []
            hooks = node._tensor_hooks
        hooks.append(hook)
        return _RemovableHandle(hooks, hook)

    def detach(self):
        """A tensor sharing this one's memory, cut from the graph."""
        out = Tensor._make(self._data, self._device)
        out._base = self._base if self._base is not None else self
        return out

    def detach_(self):
        if self._base is not None and self._base._requires_grad and self.grad_fn is not None:
            raise RuntimeError("Can't detach views in-place. Use detach() instead.")
        self.grad_fn = None
        self._requires_grad = False
        return self

    # ---- conversions to Python and NumPy --------------------------------------------------
    def item(self):
        if self._data.size != 1:
            raise RuntimeError(f"a Tensor with {self._data.size} elements cannot be converted to Scalar")
        return self._data.item()

    def tolist(self):
        return self._data.tolist()

    def numpy(self, *, force=False):
        """The NumPy array behind this tensor (shared memory, no copy)."""
        if force:
            return self.detach().cpu()._data
        if self._device.type != "cpu":
            raise TypeError(f"can't convert {self._device} device type tensor to numpy. Use "
                            "Tensor.cpu() to copy the tensor to host memory first.")
        if self._requires_grad:
            raise RuntimeError("Can't call numpy() on Tensor that requires grad. Use "
                               "tensor.detach().numpy() instead.")
        return self._data

    def __array__(self, dtype=None, copy=None):
        array = self.numpy()
        if dtype is not None and array.dtype != dtype:
            return array.astype(dtype)
        return array.copy() if copy else array

    def __float__(self):
        return float(self._python_number())

    def __int__(self):
        return int(self._python_number())

    def __bool__(self):
        if self._data.size != 1:
            raise RuntimeError("Boolean value of Tensor with more than one value is ambiguous")
        return bool(self._data.item())

    def __index__(self):
        if self._data.dtype.kind not in "iub" or self._data.size != 1:
            raise TypeError("only integer tensors of a single element can be converted to an index")
        return int(self._data.item())

    def _python_number(self):
        if self._data.size != 1:
            raise ValueError("only one element tensors can be converted to Python scalars")
        return self._data.item()

    def __complex__(self):
        return complex(self._python_number())

    def __len__(self):
        if self._data.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self._data.shape[0]

    def __iter__(self):
        if self._data.ndim == 0:
            raise TypeError("iteration over a 0-d tensor")
        return (self[i] for i in range(self._data.shape[0]))

    def __contains__(self, element):
        if isinstance(element, (Tensor, numbers.Number)):
            return bool((self == element).any().item())
        raise RuntimeError(f"Tensor.__contains__ only supports Tensor or scalar, but you passed in a "
                           f"{type(element)}.")

    __hash__ = object.__hash__  # identity, as torch: `==` is elementwise

    def __format__(self, spec):
        if self._data.ndim == 0:  # torch formats a 0-d tensor as its Python number, even with ""
            return self.item().__format__(spec)
        return object.__format__(self, spec)

    def __repr__(self, *, tensor_contents=None):
        data = self._data if self._device is CPU else self._data.get()
        node = self.grad_fn
        return tensor_repr(data, dtype=self.dtype, device=self._device,
                           grad_fn_name=None if node is None else node._name,
                           requires_grad=self._requires_grad and node is None)

    def __reduce_ex__(self, protocol):
        # plain pickling (copy.deepcopy, multiprocessing); checkpoints never use pickle (see serialization)
        return (_rebuild_tensor, (self.detach().cpu()._data, self._requires_grad, str(self._device)))

    def __deepcopy__(self, memo):
        if self.grad_fn is not None:
            raise RuntimeError("Only Tensors created explicitly by the user (graph leaves) support "
                               "the deepcopy protocol at the moment.  If you were attempting to "
                               "deepcopy a module, this may be because of a torch.nn.utils.weight_norm "
                               "usage, see https://github.com/pytorch/pytorch/pull/103001")
        if id(self) in memo:
            return memo[id(self)]
        out = type(self).__new__(type(self))
        Tensor._init_from(out, self._data.copy(), self._device)
        out._requires_grad = self._requires_grad
        if self._grad is not None:
            out._grad = self._grad.__deepcopy__(memo)
        if hasattr(self, "__dict__"):  # Parameter subclasses may carry attributes
            out.__dict__.update(copy.deepcopy(self.__dict__, memo))
        memo[id(self)] = out
        return out


def _rebuild_tensor(array, requires_grad, device_str):
    t = Tensor._make(array, CPU)
    if device_str != "cpu":
        t = t.to(device_str)
    t._requires_grad = requires_grad
    return t


_new = object.__new__


class _RemovableHandle:
    def __init__(self, hooks, hook):
        self._hooks, self._hook = hooks, hook

    def remove(self):
        if self._hook in self._hooks:
            self._hooks.remove(self._hook)
