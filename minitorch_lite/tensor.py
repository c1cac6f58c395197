"""The Tensor: an array (NumPy or CuPy) plus what autograd needs to know about it.

    >>> import minitorch_lite as mt
    >>> x = mt.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    >>> y = (x @ x).sum()
    >>> y.backward()
    >>> x.grad
    tensor([[ 7., 11.],
            [ 9., 13.]])

What a tensor holds (the slots below):
  _data            the array with the values (numpy.ndarray on the CPU, cupy.ndarray on a GPU)
  _device          the `device` it lives on
  _requires_grad   whether gradients should flow to it
  grad_fn          the graph node that produced it (None for leaves: tensors the user made)
  _grad            its accumulated gradient (a Tensor), for leaves
  _base, _vc       the tensor whose memory a view shares, and the version counter of that memory
                   (bumped by in-place ops, so a backward that needs an overwritten value fails)
  _hooks           gradient hooks of a leaf

This file holds the class with its attributes, conversions and autograd methods. The maths lives
in `ops/` (one Function per op, forward and backward side by side); the table at the bottom of
this file binds each op to its method name and operator.
"""
import numbers

import numpy as np

from .autograd import function as _function
from .autograd.grad_mode import GradMode
from .backend import dtypes as _dtypes
from .backend.device import CPU, as_device, device, device_of_array

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
    float tensor, as `torch.Tensor` does.
    """

    __slots__ = ("_data", "_device", "_requires_grad", "grad_fn", "_grad", "_base", "_vc",
                 "_hooks", "__weakref__")
    __array_priority__ = 1000  # NumPy defers `ndarray + Tensor` to Tensor.__radd__

    def __init__(self, *args, device=None):
        from . import creation
        if len(args) == 1 and not isinstance(args[0], numbers.Integral):
            made = creation.tensor(args[0], dtype=_dtypes.get_default_dtype(), device=device)
        else:
            made = creation.empty(*args, dtype=_dtypes.get_default_dtype(), device=device)
        Tensor._init_from(self, made._data, made._device)

    @staticmethod
    def _init_from(t, data, dev):
        t._data = data
        t._device = dev
        t._requires_grad = False
        t.grad_fn = None
        t._grad = None
        t._base = None
        t._vc = 0
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
        t._vc = 0
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
        from .backend.shapes import normalize_dim
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
        from .backend.shapes import normalize_dim
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
        root = self._base if self._base is not None else self
        return root._vc

    def _bump_version(self):
        root = self._base if self._base is not None else self
        root._vc += 1

    def backward(self, gradient=None, retain_graph=None, create_graph=False, inputs=None):
        """Compute the gradient of this tensor w.r.t. the graph leaves and add it to their `.grad`."""
        from .autograd import backward
        backward(self, gradient, retain_graph=retain_graph, create_graph=create_graph, inputs=inputs)

    def retain_grad(self):
        """Keep `.grad` for this non-leaf tensor after backward (leaves always keep theirs)."""
        if self.grad_fn is None:
            if not self._requires_grad:
                raise RuntimeError("can't retain_grad on Tensor that has requires_grad=False")
            return
        import weakref
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
        return float(self._scalar_for("float"))

    def __int__(self):
        return int(self._scalar_for("int"))

    def __bool__(self):
        if self._data.size != 1:
            raise RuntimeError(f"Boolean value of Tensor with more than one value is ambiguous")
        return bool(self._data.item())

    def __index__(self):
        if self._data.dtype.kind not in "iub" or self._data.size != 1:
            raise TypeError("only integer tensors of a single element can be converted to an index")
        return int(self._data.item())

    def _scalar_for(self, what):
        if self._data.size != 1:
            raise ValueError(f"only one element tensors can be converted to Python scalars")
        return self._data.item()

    def __complex__(self):
        return complex(self._scalar_for("complex"))

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
        from ._tensor_str import tensor_repr
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
            import copy
            out.__dict__.update(copy.deepcopy(self.__dict__, memo))
        memo[id(self)] = out
        return out

    # ---- dtype and device ------------------------------------------------------------------
    def to(self, *args, **kwargs):
        """`to(dtype)`, `to(device)`, `to(device, dtype)`, `to(other)`; returns self when nothing changes."""
        dev, dt, copy = _parse_to(args, kwargs)
        dev = self._device if dev is None else as_device(dev)
        dt = None if dt is None else _dtypes.as_dtype(dt)
        same_dtype = dt is None or dt.np == self._data.dtype
        if dev is self._device and same_dtype:
            return self.clone() if copy else self
        from .ops.conversion import ToCopy
        return ToCopy.apply(self, dtype=None if same_dtype else dt.np,
                            device=None if dev is self._device else dev)

    def cpu(self):
        return self.to(CPU)

    def cuda(self, device=None, non_blocking=False):
        return self.to("cuda" if device is None else (device if not isinstance(device, int) else f"cuda:{device}"))

    def type(self, dtype=None, non_blocking=False):
        """With no argument, the type name ('torch.FloatTensor'); else a converted tensor."""
        if dtype is None:
            return _type_name(self.dtype, self._device)
        if isinstance(dtype, str) and dtype.endswith("Tensor"):
            dtype = _TENSOR_TYPES_BY_NAME[dtype.split(".")[-1]]
        if isinstance(dtype, _TensorType):
            target = dtype.dtype
            out = self.to(target)
            return out if dtype.is_cuda == self.is_cuda else out.to("cuda" if dtype.is_cuda else "cpu")
        return self.to(_dtypes.as_dtype(dtype))

    def type_as(self, other):
        return self.to(other.dtype)

    def float(self):
        return self.to(_dtypes.float32)

    def double(self):
        return self.to(_dtypes.float64)

    def half(self):
        return self.to(_dtypes.float16)

    def long(self):
        return self.to(_dtypes.int64)

    def int(self):
        return self.to(_dtypes.int32)

    def short(self):
        return self.to(_dtypes.int16)

    def char(self):
        return self.to(_dtypes.int8)

    def byte(self):
        return self.to(_dtypes.uint8)

    def bool(self):
        return self.to(_dtypes.bool_)

    # ---- filling in place and new tensors like this one ----------------------------------------
    def _fill_with(self, values, node_name="FillBackward2"):
        """Overwrite every element with `values` (an array or a number).

        With a graph (this tensor requires grad and grad mode is on) the fill is recorded as a node
        named `node_name` that gives the old values zero gradient, as torch does; without one the
        memory is simply written."""
        if self._device is not CPU and type(values) is _ndarray:
            from .ops.conversion import move_array
            values = move_array(values, self._device)
        if self._requires_grad and GradMode.enabled:
            from .ops.filling import overwrite
            return self._write_inplace(overwrite(self, values, node_name))
        self._prepare_inplace()
        self._data[...] = values
        self._bump_version()
        return self

    def zero_(self):
        return self._fill_with(0, "ZeroBackward0")

    def fill_(self, value):
        if isinstance(value, Tensor):
            if value._data.ndim != 0:
                raise RuntimeError(f"fill_ only supports 0-dimension value tensor but got tensor with "
                                   f"{value._data.ndim} dimensions.")
            if GradMode.enabled and (value._requires_grad or self._requires_grad):
                from .ops.filling import fill_with_tensor
                return self._write_inplace(fill_with_tensor(self, value.to(self._device, self.dtype)))
            value = value.item()
        return self._fill_with(value)

    def copy_(self, src, non_blocking=False):
        """Copy `src`'s values (broadcast, cast and moved as needed) into this tensor; differentiable."""
        if not isinstance(src, Tensor):
            raise TypeError(f"copy_(): argument 'other' (position 1) must be Tensor, not {type(src).__name__}")
        from .backend.shapes import broadcast_shapes, check_same_shape_for_inplace
        check_same_shape_for_inplace(broadcast_shapes(self._data.shape, src._data.shape), self._data.shape)
        src = src.to(device=self._device, dtype=self.dtype)
        if GradMode.enabled and (src._requires_grad or self._requires_grad):
            from .ops.filling import copy
            return self._write_inplace(copy(self, src))
        self._prepare_inplace()
        self._data[...] = src._data
        self._bump_version()
        return self

    def _random_values(self, draw):
        """`draw(shape, contiguous)` called in the order torch's kernels visit the elements: memory
        order, outermost stride first (a transposed view is filled as its base would be), so a seed
        gives torch's values for views too; the result comes back in this tensor's own layout."""
        data = self._data
        contiguous = bool(data.flags.c_contiguous)
        if contiguous or data.ndim < 2:
            return draw(data.shape, contiguous)
        order = sorted(range(data.ndim), key=lambda d: -abs(data.strides[d]))  # stable: ties keep order
        values = draw(tuple(data.shape[d] for d in order), contiguous)
        return values.transpose(np.argsort(order))

    def uniform_(self, a=0.0, b=1.0, *, generator=None):
        """Fill with uniform samples in [a, b): torch's numbers for the same seed (nn.init uses it)."""
        from . import random
        g = random.default_generator if generator is None else generator
        dt = self._data.dtype
        return self._fill_with(self._random_values(lambda shape, _: g.uniform(shape, a, b, dtype=dt)),
                               "UniformBackward0")

    def normal_(self, mean=0.0, std=1.0, *, generator=None):
        from . import random
        g = random.default_generator if generator is None else generator
        dt = self._data.dtype
        return self._fill_with(self._random_values(
            lambda shape, contiguous: g.normal(shape, mean, std, dtype=dt, contiguous=contiguous)),
            "NormalBackward0")

    def bernoulli_(self, p=0.5, *, generator=None):
        from . import random
        if generator is None and self._device.type == "cuda" and isinstance(p, (int, float)):
            from .backend import cuda_backend  # dropout on the GPU: draw the mask there
            return self._fill_with(cuda_backend.bernoulli(self._data, random.bernoulli_probability(p)),
                                   "BernoulliBackward2")
        g = random.default_generator if generator is None else generator
        dt = self._data.dtype
        return self._fill_with(self._random_values(lambda shape, _: g.bernoulli(shape, p, dtype=dt)),
                               "BernoulliBackward1" if isinstance(p, Tensor) else "BernoulliBackward2")

    def random_(self, from_=0, to=None, *, generator=None):
        """Integers in [from_, to), or over the dtype's whole range when no bound is given (torch's)."""
        from . import random
        g = random.default_generator if generator is None else generator
        dt = self._data.dtype
        if to is None and from_ == 0:
            return self._fill_with(self._random_values(lambda shape, _: g.random_(dt, shape=shape)),
                                   "RandomBackward2")
        name = "RandomBackward0"
        if to is None:
            from_, to, name = 0, from_, "RandomBackward1"
        return self._fill_with(self._random_values(lambda shape, _: g.randint(from_, to, shape, dtype=dt)),
                               name)

    def bernoulli(self, p=None, *, generator=None):
        from .creation import bernoulli
        return bernoulli(self, p, generator=generator)

    def _new_like(self, fill, size, dtype, device, requires_grad):
        from .creation import full
        from .backend.shapes import shape_arg
        dt = self.dtype if dtype is None else dtype
        out = full(shape_arg(size), fill, dtype=dt, device=self._device if device is None else device)
        return out.requires_grad_(True) if requires_grad else out

    def new_zeros(self, *size, dtype=None, device=None, requires_grad=False):
        return self._new_like(0, size, dtype, device, requires_grad)

    def new_ones(self, *size, dtype=None, device=None, requires_grad=False):
        return self._new_like(1, size, dtype, device, requires_grad)

    def new_empty(self, *size, dtype=None, device=None, requires_grad=False):
        return self._new_like(0, size, dtype, device, requires_grad)

    def new_full(self, size, fill_value, *, dtype=None, device=None, requires_grad=False):
        return self._new_like(fill_value, (size,), dtype, device, requires_grad)

    def new_tensor(self, data, *, dtype=None, device=None, requires_grad=False):
        from .creation import tensor
        return tensor(data, dtype=self.dtype if dtype is None else dtype,
                      device=self._device if device is None else device, requires_grad=requires_grad)

    # ---- in-place plumbing -------------------------------------------------------------------
    # Every in-place write goes through `_prepare_inplace` before it writes and `_bump_version` after:
    # with a graph through `_write_inplace` (the op computed out of place, then written back), without
    # one directly (fills, `x[i] = v`, optimizers under no_grad).
    def _check_inplace(self):
        """torch forbids in-place changes of leaves that require grad while grad mode is on."""
        if self._requires_grad and GradMode.enabled:
            if self.grad_fn is None:
                raise RuntimeError("a leaf Variable that requires grad is being used in an in-place "
                                   "operation.")
            base = self._base
            if base is not None and base._requires_grad and base.grad_fn is None:
                raise RuntimeError("a view of a leaf Variable that requires grad is being used in an "
                                   "in-place operation.")

    def _prepare_inplace(self):
        """Before overwriting this tensor's memory: torch's leaf rules, then the saved-values guard."""
        self._check_inplace()
        self._guard_saved_output()

    def _guard_saved_output(self):
        """If the node that made this tensor (or its base) saved these very values for backward, make
        that node check the version, so backward fails like torch's instead of using changed values.

        (A saved *input* needs nothing here: `Function.apply` recorded its version when it was saved.)"""
        for t in (self, self._base):
            if t is not None and t.grad_fn is not None and t.grad_fn.saved:
                node = t.grad_fn
                if any(a is t._data for a in node.saved):
                    root = t._base if t._base is not None else t
                    node._versions = tuple(node._versions) + ((root, root._vc, t, node),)

    def _write_inplace(self, result):
        """Store `result` (computed out of place) into this tensor's memory, as an in-place op does.

        The memory is written, not swapped, so views and `numpy()` arrays see the change. If the
        new node saved this tensor's old values for backward, it keeps a copy of them instead.
        A result without a graph node (a non-differentiable op such as `logical_not_`) leaves the
        tensor's graph as it was, and may even change a leaf that requires grad -- both as in torch.
        """
        if result.grad_fn is not None:
            self._check_inplace()
        data = self._data
        if result._data.shape != data.shape:
            from .backend.shapes import check_same_shape_for_inplace
            check_same_shape_for_inplace(result._data.shape, data.shape)
        src, dst = result.dtype, self.dtype
        if src._category > dst._category:
            raise RuntimeError(f"result type {_TYPE_WORD[src]} can't be cast to the desired output "
                               f"type {_TYPE_WORD[dst]}")
        node = result.grad_fn
        if node is not None and any(a is data for a in node.saved):
            node.saved = tuple(a.copy() if a is data else a for a in node.saved)
            node._versions = tuple(v for v in node._versions if v[2] is not self)
        self._guard_saved_output()
        data[...] = result._data
        self._bump_version()
        if node is not None:
            if self._base is not None:  # the base changed too: rewire both graphs (CopySlices)
                from .autograd.views import rebase_inplace_view
                rebase_inplace_view(self, node)
            else:
                self.grad_fn = node
                self._requires_grad = True
        return self


def _rebuild_tensor(array, requires_grad, device_str):
    t = Tensor._make(array, CPU)
    if device_str != "cpu":
        t = t.to(device_str)
    t._requires_grad = requires_grad
    return t


_new = object.__new__
_TYPE_WORD = {d: d.word for d in _dtypes.ALL}


def _type_name(dt, dev):
    return ("torch.cuda." if dev.type == "cuda" else "torch.") + _TYPE_WORD[dt] + "Tensor"


class _RemovableHandle:
    def __init__(self, hooks, hook):
        self._hooks, self._hook = hooks, hook

    def remove(self):
        if self._hook in self._hooks:
            self._hooks.remove(self._hook)


def _parse_to(args, kwargs):
    """Sort `to()`'s flexible arguments into (device, dtype, copy)."""
    dev = kwargs.pop("device", None)
    dt = kwargs.pop("dtype", None)
    copy = kwargs.pop("copy", False)
    kwargs.pop("non_blocking", None)
    kwargs.pop("memory_format", None)
    if kwargs:
        raise TypeError(f"to() got unexpected keyword arguments {sorted(kwargs)}")
    for a in args:
        if isinstance(a, Tensor):
            dev, dt = a._device, a.dtype
        elif isinstance(a, (_dtypes.dtype, np.dtype)) or a in (float, int, bool) or (
                isinstance(a, str) and a.startswith("torch.")):
            dt = a
        elif isinstance(a, (str, device, int)) and not isinstance(a, bool):
            dev = a
        elif isinstance(a, bool):
            copy = a  # to(dtype, non_blocking, copy) positional form
        else:
            raise TypeError(f"to() received an invalid combination of arguments - got {type(a).__name__}")
    return dev, dt, copy


class _TensorType(type):
    """`mt.FloatTensor`, `mt.LongTensor`, ...: legacy type objects usable with `.type()`,
    `isinstance` and as constructors, as in torch."""

    def __instancecheck__(cls, obj):
        return isinstance(obj, Tensor) and obj.dtype is cls.dtype and obj.is_cuda == cls.is_cuda

    def __call__(cls, *args):
        from . import creation
        if len(args) == 1 and not isinstance(args[0], numbers.Integral):
            out = creation.tensor(args[0], dtype=cls.dtype)
        else:
            out = creation.empty(*args, dtype=cls.dtype)
        return out.cuda() if cls.is_cuda else out

    def __repr__(cls):
        return f"<class '{cls.__qualname__}'>"


def _make_type(word, dt, cuda=False):
    name = word + "Tensor"
    return _TensorType(name, (), {"dtype": dt, "is_cuda": cuda,
                                  "__qualname__": ("torch.cuda." if cuda else "torch.") + name})


_TENSOR_TYPES_BY_NAME = {}
for _dt, _word in _TYPE_WORD.items():
    _TENSOR_TYPES_BY_NAME[_word + "Tensor"] = _make_type(_word, _dt)
CUDA_TENSOR_TYPES = {name: _make_type(name[:-6], t.dtype, cuda=True)
                     for name, t in _TENSOR_TYPES_BY_NAME.items()}

_function.Tensor = Tensor
_function._as_array = _as_array


# ---- the maths, bound from ops/ (each name -> the function that runs it) -----------------------------
def _bind_methods():
    from .ops import (activation as A, arithmetic as M, comparison as C, elementwise as E,
                      indexing as I, linalg as L, reduction as R, shape as S)

    def inplace(fn, differentiable=True):
        """`x.op_(...)`: compute out of place, then write into x's memory (see _write_inplace)."""
        def method(self, *args, **kwargs):
            if differentiable:
                self._check_inplace()  # torch's leaf rule comes before any check of the arguments
            return self._write_inplace(fn(self, *args, **kwargs))
        method.__name__ = fn.__name__ + "_"
        return method

    def flipped(fn):
        def method(self, other):
            return fn(other, self) if isinstance(other, Tensor) else NotImplemented
        return method

    methods = {
        # arithmetic and operators
        "add": M.add, "sub": M.sub, "subtract": M.sub, "mul": M.mul, "multiply": M.mul,
        "div": M.div, "divide": M.div, "true_divide": M.div, "floor_divide": M.floor_divide,
        "remainder": M.remainder, "pow": M.pow, "neg": M.neg, "negative": M.neg,
        "maximum": M.maximum, "minimum": M.minimum,
        "__add__": M.add, "__radd__": M.add, "__sub__": M.sub, "__rsub__": M.rsub,
        "__mul__": M.mul, "__rmul__": M.mul, "__truediv__": M.div, "__rtruediv__": M.rdiv,
        "__floordiv__": M.floor_divide, "__rfloordiv__": M.rfloordiv, "__mod__": M.remainder,
        "__rmod__": M.rremainder, "__pow__": M.pow, "__rpow__": M.rpow, "__neg__": M.neg,
        "__matmul__": L.matmul, "__rmatmul__": L.rmatmul, "__abs__": E.abs,
        "__pos__": lambda self: self,
        # comparisons and logic
        "eq": C.eq, "ne": C.ne, "lt": C.lt, "le": C.le, "gt": C.gt, "ge": C.ge,
        "not_equal": C.ne, "less": C.lt, "less_equal": C.le, "greater": C.gt, "greater_equal": C.ge,
        "__eq__": C.eq, "__ne__": C.ne, "__lt__": C.lt, "__le__": C.le, "__gt__": C.gt, "__ge__": C.ge,
        "logical_and": C.logical_and, "logical_or": C.logical_or, "logical_xor": C.logical_xor,
        "logical_not": C.logical_not, "bitwise_and": C.bitwise_and, "bitwise_or": C.bitwise_or,
        "bitwise_xor": C.bitwise_xor, "bitwise_not": C.bitwise_not,
        "__and__": C.bitwise_and, "__or__": C.bitwise_or, "__xor__": C.bitwise_xor,
        "__rand__": C.bitwise_and, "__ror__": C.bitwise_or, "__rxor__": C.bitwise_xor,
        "__invert__": C.bitwise_not, "isclose": C.isclose, "allclose": C.allclose, "equal": C.equal,
        "isnan": C.isnan, "isinf": C.isinf, "isfinite": C.isfinite,
        # elementwise
        "exp": E.exp, "log": E.log, "log1p": E.log1p, "log2": E.log2, "log10": E.log10,
        "sqrt": E.sqrt, "rsqrt": E.rsqrt, "sin": E.sin, "cos": E.cos, "tanh": E.tanh,
        "sigmoid": E.sigmoid, "relu": E.relu, "abs": E.abs, "absolute": E.abs, "sign": E.sign,
        "floor": E.floor, "ceil": E.ceil, "round": E.round, "trunc": E.trunc, "reciprocal": E.reciprocal,
        "square": E.square, "erf": E.erf, "clamp": E.clamp, "clip": E.clamp, "clamp_min": E.clamp_min,
        "clamp_max": E.clamp_max, "nan_to_num": E.nan_to_num,
        "where": lambda self, condition, other: E.where(condition, self, other),
        "softmax": A.softmax, "log_softmax": A.log_softmax,
        # reductions
        "sum": R.sum, "mean": R.mean, "nansum": R.nansum, "prod": R.prod, "max": R.max, "min": R.min,
        "amax": R.amax, "amin": R.amin, "argmax": R.argmax, "argmin": R.argmin, "var": R.var,
        "std": R.std, "logsumexp": R.logsumexp, "norm": R.norm, "all": R.all, "any": R.any,
        "cumsum": R.cumsum, "sort": R.sort, "argsort": R.argsort, "topk": R.topk, "unique": R.unique,
        "count_nonzero": R.count_nonzero,
        # linear algebra
        "matmul": L.matmul, "mm": L.mm, "bmm": L.bmm, "dot": L.dot, "mv": L.mv, "outer": L.outer,
        "inner": L.dot,
        # shape
        "reshape": S.reshape, "view": S.view, "view_as": S.view_as, "reshape_as": S.reshape_as,
        "flatten": S.flatten, "unflatten": S.unflatten, "squeeze": S.squeeze, "unsqueeze": S.unsqueeze,
        "permute": S.permute, "transpose": S.transpose, "swapaxes": S.transpose, "swapdims": S.transpose,
        "t": S.t, "movedim": S.movedim, "moveaxis": S.movedim, "expand": S.expand,
        "expand_as": S.expand_as, "broadcast_to": S.broadcast_to, "repeat": S.repeat, "tile": S.tile,
        "split": S.split, "chunk": S.chunk, "tensor_split": S.tensor_split, "unbind": S.unbind,
        "narrow": S.narrow, "flip": lambda self, *dims: S.flip(self, dims[0] if len(dims) == 1 else dims),
        "fliplr": S.fliplr, "flipud": S.flipud, "roll": S.roll, "clone": S.clone,
        "contiguous": S.contiguous, "tril": S.tril, "triu": S.triu,
        # indexing
        "__getitem__": I.getitem, "__setitem__": I.setitem, "gather": I.gather,
        "scatter": I.scatter, "scatter_add": I.scatter_add, "index_select": I.index_select,
        "masked_fill": I.masked_fill, "masked_select": I.masked_select, "nonzero": I.nonzero,
        "argwhere": I.argwhere, "take": I.take, "index_fill": I.index_fill, "index_add": I.index_add,
        "index_copy": I.index_copy, "index_put": I.index_put, "select": S.select,
    }
    for name, fn in methods.items():
        setattr(Tensor, name, fn)

    Tensor.T = property(S.T)
    Tensor.mT = property(S.mT)
    Tensor.__rmatmul__ = flipped(L.matmul)

    for name in ("add", "sub", "mul", "div", "pow", "clamp", "clip", "exp", "log", "sqrt", "abs",
                 "neg", "relu", "sigmoid", "tanh", "floor", "ceil", "round", "sign", "masked_fill",
                 "scatter", "scatter_add", "reciprocal", "remainder", "floor_divide", "clamp_min",
                 "clamp_max", "sin", "cos", "log1p", "rsqrt", "square", "trunc", "subtract",
                 "multiply", "divide", "true_divide", "fill_diagonal", "tril", "triu", "logical_not",
                 "logical_and", "logical_or", "index_fill", "index_add", "index_copy", "index_put"):
        if name in methods:
            setattr(Tensor, name + "_", inplace(methods[name], not name.startswith("logical")))
    Tensor.masked_fill_ = I.masked_fill_
    from .ops.filling import fill_diagonal_
    Tensor.fill_diagonal_ = fill_diagonal_
    for op, name in (("__iadd__", "add"), ("__isub__", "sub"), ("__imul__", "mul"),
                     ("__itruediv__", "div"), ("__ipow__", "pow"), ("__imod__", "remainder"),
                     ("__ifloordiv__", "floor_divide"), ("__iand__", "bitwise_and"),
                     ("__ior__", "bitwise_or"), ("__ixor__", "bitwise_xor")):
        setattr(Tensor, op, inplace(methods[name]))


_bind_methods()
