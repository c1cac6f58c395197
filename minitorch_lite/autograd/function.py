"""`Function`: one differentiable operation, and the graph node it leaves behind.

    >>> import minitorch_lite as mt
    >>> x = mt.tensor([1.0, 2.0], requires_grad=True)
    >>> y = (x * x).sum()
    >>> y.grad_fn                      # the node `Sum.apply` recorded
    <SumBackward0 object>
    >>> y.backward(); x.grad
    tensor([2., 4.])

An op is a subclass with two static methods that work on raw arrays (NumPy or CuPy: each computes
with `xp = xp_of(x)`), never on Tensors:

    class Mul(Function):
        @staticmethod
        def forward(ctx, x, y):
            ctx.save_for_backward(x, y)
            return x * y

        @staticmethod
        def backward(ctx, grad):
            x, y = ctx.saved
            return sum_to(grad * y, x.shape), sum_to(grad * x, y.shape)

`Mul.apply(a, b)` unwraps the tensors, runs `forward`, wraps the result and, when grad mode is on
and an input requires grad, keeps `ctx` as the result's `grad_fn`: the node the engine later calls
`backward` on. `ctx` *is* the node, so there is one small object per recorded op.
"""
import numpy as np

from ..backend.shapes import broadcast_shapes
from ..tensor import Tensor, _as_array
from .grad_mode import GradMode
from .views import mark_view


def sum_to(grad, shape):
    """Undo broadcasting: sum `grad` over the axes that broadcasting added or stretched to reach `shape`.

    >>> import numpy as np
    >>> sum_to(np.ones((2, 3)), (1, 3))
    array([[2., 2., 2.]])
    """
    if grad.shape == shape:
        return grad
    lead = grad.ndim - len(shape)
    axes = tuple(range(lead)) + tuple(
        i + lead for i, n in enumerate(shape) if n == 1 and grad.shape[i + lead] != 1)
    out = grad.sum(axis=axes, keepdims=True) if axes else grad
    return out.reshape(shape) if out.shape != shape else out


class _NameAttribute:
    """`grad_fn.name()` is a method in torch; ops still declare `name = "MulBackward0"` (or set
    `ctx.name = ...` in forward) and the string lands in `_name`."""

    def __get__(self, node, owner):
        if node is None:
            return owner._name
        return lambda: node._name

    def __set__(self, node, value):
        node._name = value


class Function:
    """Base class of every differentiable op. Subclasses define `forward` and `backward`.

    Class attributes a subclass may set:
      name            the grad_fn name torch shows (default: "<ClassName>Backward0")
      differentiable  False for ops whose output never requires grad (comparisons, argmax)
      is_view         True when the output shares memory with input 0 (reshape, slicing, ...)
    """

    name = _NameAttribute()
    _name = None
    differentiable = True
    is_view = False
    saved = ()            # arrays kept for backward (set by save_for_backward); None once freed
    saves_inputs = True   # False for ops that save only their output: no input versions to record
    _versions = ()        # (tensor, version) pairs of saved inputs: in-place changes are caught
    _tensor_hooks = None  # hooks registered on the non-leaf tensor this node produced
    _retained = None      # weakref to that tensor when it asked for retain_grad()

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        declared = cls.__dict__.get("name")
        if isinstance(declared, str):
            cls._name = declared
            delattr(cls, "name")  # keep the base class's descriptor in charge
        elif "_name" not in cls.__dict__:
            cls._name = cls.__name__ + "Backward0"

    # --- what ops call inside forward -----------------------------------------------------
    def save_for_backward(self, *arrays):
        self.saved = arrays

    # --- the one entry point ----------------------------------------------------------------
    @classmethod
    def apply(cls, *inputs, **params):
        """Run the op on tensors `inputs` (keyword `params` are passed through to forward).

        This is the hottest code there is (once per op), so it is written for speed: one- and
        two-input ops spelled out, `Tensor._make` inlined. `plain_apply` below does the same in a
        dozen plain lines -- read that one first; the tests check that both give the same results."""
        ctx = _new(cls)
        x = inputs[0]
        dev = x._device
        n = len(inputs)
        # one- and two-input ops are nearly all ops: spell them out, this is the hottest code there is
        if n == 1:
            out_data = cls.forward(ctx, x._data, **params)
            needs_grad = x._requires_grad
        elif n == 2:
            y = inputs[1]
            if y._device is not dev:
                _device_error(dev, y._device)
            try:
                out_data = cls.forward(ctx, x._data, y._data, **params)
            except ValueError:
                _check_broadcast(x._data.shape, y._data.shape)  # torch's message if that was the cause
                raise
            needs_grad = x._requires_grad or y._requires_grad
        else:
            for t in inputs:
                if t._device is not dev:
                    _device_error(dev, t._device)
            try:
                out_data = cls.forward(ctx, *[t._data for t in inputs], **params)
            except ValueError:
                _check_broadcast(*[t._data.shape for t in inputs])
                raise
            needs_grad = any(t._requires_grad for t in inputs)
        out = _new(Tensor)  # Tensor._make, inlined: this runs once per op
        out._data = out_data if type(out_data) is _ndarray else _as_array(out_data)
        out._device = dev
        out._grad = out._base = out._hooks = None
        out._version_counter = 0
        if needs_grad and GradMode.enabled and cls.differentiable:
            if n == 1:
                ctx.parents = (x.grad_fn or x,)  # x requires grad, so it is a node or a leaf
            elif n == 2:
                ctx.parents = (x.grad_fn or (x if x._requires_grad else None),
                               y.grad_fn or (y if y._requires_grad else None))
            else:
                ctx.parents = tuple(t.grad_fn or (t if t._requires_grad else None) for t in inputs)
            if ctx.saved and cls.saves_inputs:
                ctx._versions = _saved_versions(ctx.saved, inputs)
            out._requires_grad = True
            out.grad_fn = ctx
        else:
            out._requires_grad = False
            out.grad_fn = None
        if cls.is_view:
            mark_view(out, x)
        return out

    @classmethod
    def plain_apply(cls, *inputs, **params):
        """What `apply` does, without its speed-ups: the whole idea of recording a graph."""
        ctx = cls()                                  # the node this op may leave in the graph
        for t in inputs[1:]:
            if t._device is not inputs[0]._device:
                _device_error(inputs[0]._device, t._device)
        out = Tensor._make(cls.forward(ctx, *[t._data for t in inputs], **params), inputs[0]._device)
        if GradMode.enabled and cls.differentiable and any(t._requires_grad for t in inputs):
            # each input's producer: its node, or the input itself if it is a leaf that wants a grad
            ctx.parents = tuple(t.grad_fn or (t if t._requires_grad else None) for t in inputs)
            if ctx.saved and cls.saves_inputs:       # remember versions: in-place changes are caught
                ctx._versions = _saved_versions(ctx.saved, inputs)
            out._requires_grad, out.grad_fn = True, ctx
        if cls.is_view:
            mark_view(out, inputs[0])                # out shares inputs[0]'s memory
        return out

    @property
    def needs_input_grad(self):
        """One bool per input: does its gradient go anywhere? (backward may skip the ones that don't)"""
        return tuple(p is not None for p in self.parents)

    # --- introspection, as torch offers it ----------------------------------------------------
    @property
    def next_functions(self):
        """((node, 0), ...) for each input: a grad_fn, an AccumulateGrad for a leaf, or None."""
        return tuple((AccumulateGrad(p) if isinstance(p, Tensor) else p, 0)
                     for p in getattr(self, "parents", ()))

    def register_hook(self, hook):
        raise NotImplementedError("hooks on graph nodes are not supported; use Tensor.register_hook")

    def __repr__(self):
        return f"<{self._name} object>"


class AccumulateGrad:
    """What `next_functions` shows for a leaf: the place its gradient is accumulated."""

    _name = "AccumulateGrad"

    def name(self):
        return self._name

    def __init__(self, variable):
        self.variable = variable
        self.next_functions = ()

    def __repr__(self):
        return "<AccumulateGrad object>"


_new = object.__new__
_ndarray = np.ndarray


def _check_broadcast(*shapes):
    """NumPy refused to broadcast: raise torch's RuntimeError instead, if that was the cause."""
    broadcast_shapes(*shapes)


def _device_error(a, b):
    raise RuntimeError(f"Expected all tensors to be on the same device, but found at least two devices, "
                       f"{a} and {b}!")


def _saved_versions(saved, inputs):
    """For each saved array that is an input's data, remember that tensor and its memory's version.

    Entries are (root, version, tensor, saving node): `root` holds the version counter of the memory
    (a view counts on its base), `tensor` is named in the error. The saving node is None for inputs;
    for a saved *output* (see inplace.guard_saved_values) it is the node itself, which torch names."""
    versions = ()
    for array in saved:
        for t in inputs:
            if t._data is array:
                root = t._base if t._base is not None else t
                versions += ((root, root._version_counter, t, None),)
                break
    return versions


def check_versions(node):
    """Raise torch's error if a tensor this node saved was modified in place after it was saved."""
    for root, version, tensor, saver in node._versions:
        if root._version_counter != version:
            what = f"[{tensor.type()} [{', '.join(map(str, tensor.shape))}]]"
            producer = saver if saver is not None else tensor.grad_fn
            where = "" if producer is None else f", which is output 0 of {_op_name(producer)}"
            raise RuntimeError(
                "one of the variables needed for gradient computation has been modified by an "
                f"inplace operation: {what}{where}, is at version {root._version_counter}; expected version "
                f"{version} instead. Hint: enable anomaly detection to find the operation that failed "
                "to compute its gradient, with torch.autograd.set_detect_anomaly(True, check_nan=False).")


def _op_name(node):
    """'TanhBackward0' -> 'Tanh': how torch's version error names the op that made a tensor."""
    name = node._name
    cut = name.find("Backward")
    return name[:cut] if cut > 0 else name

