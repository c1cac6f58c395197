"""The backward pass: walk the graph from the outputs to the leaves, calling each node's `backward`.

    >>> import minitorch_lite as mt
    >>> x = mt.tensor(3.0, requires_grad=True)
    >>> mt.autograd.grad(x * x, x)
    (tensor(6.),)

How it works, in three steps (`run_backward`):
1. Count, for every node reachable from the outputs, how many nodes consume its result
   (an iterative walk: deep graphs never hit Python's recursion limit).
2. Start from the outputs with their seed gradients. A node runs only when all of its consumers
   have handed it their gradient (the count drops to zero), so its gradient is complete; its
   `backward` returns one gradient per input, which go to the producing nodes.
3. At a leaf (a tensor the user made with `requires_grad=True`) the gradient is added to `.grad`.
Unless `retain_graph=True`, each node drops its saved arrays after running, which frees memory and
makes a second backward through it fail with torch's error.
"""
from ..tensor import Tensor
from .function import Function, check_versions

_FREED_MSG = (
    "Trying to backward through the graph a second time (or directly access saved tensors after "
    "they have already been freed). Saved intermediate values of the graph are freed when you call "
    ".backward() or autograd.grad(). Specify retain_graph=True if you need to backward through the "
    "graph a second time or if you need to access saved tensors after calling backward.")


def _count_consumers(roots):
    """How many times each reachable node is an input of another reachable node."""
    consumers = {}
    stack = list(roots)
    seen = set(stack)
    while stack:
        node = stack.pop()
        for parent in node.parents:
            if isinstance(parent, Function):
                consumers[parent] = consumers.get(parent, 0) + 1
                if parent not in seen:
                    seen.add(parent)
                    stack.append(parent)
    return consumers


def _run_tensor_hooks(hooks, grad, wrap):
    """Call each hook with the gradient as a Tensor; a hook may return a replacement."""
    for hook in hooks:
        result = hook(wrap(grad))
        if result is not None:
            grad = result._data
    return grad


def run_backward(roots, retain_graph=False, capture=None):
    """Propagate gradients from `roots`, a list of (tensor, seed gradient array).

    Without `capture`, leaf gradients are accumulated into `.grad`. With `capture` (a dict
    {node-or-leaf: None}, used by `autograd.grad`), the gradient reaching each key is stored in
    the dict instead and no `.grad` is touched.
    """
    grads = {}       # node -> gradient of its output, summed over its consumers so far
    leaf_grads = {}  # leaf -> gradient summed over every path; delivered once, at the end (as torch)
    start = []
    for tensor, seed in roots:
        node = tensor.grad_fn
        if node is None:  # backward() called on a leaf itself
            _add_to(leaf_grads, tensor, seed)
            continue
        if node in grads:
            grads[node] = grads[node] + seed
        else:
            grads[node] = seed
            start.append(node)
    consumers = _count_consumers(start)
    ready = [node for node in start if node not in consumers]

    while ready:
        node = ready.pop()
        grad = grads.pop(node, None)
        if grad is not None:
            if node._tensor_hooks:
                grad = _run_tensor_hooks(node._tensor_hooks, grad, Tensor._from_array)
            if node._retained is not None:
                owner = node._retained()
                if owner is not None:
                    _accumulate(owner, grad, private=False)
            if capture is not None and node in capture:
                capture[node] = grad if capture[node] is None else capture[node] + grad
            if node.saved is None:
                raise RuntimeError(_FREED_MSG)
            if node._versions:
                check_versions(node)
            input_grads = node.backward(node, grad)
            if type(input_grads) is not tuple:
                input_grads = (input_grads,)
            if not retain_graph and node.saved:
                node.saved = None     # the arrays it kept ...
                node._versions = ()   # ... and the tensors whose versions it checked
        else:
            input_grads = (None,) * len(node.parents)

        for parent, g in zip(node.parents, input_grads):
            if parent is None:
                continue
            if isinstance(parent, Function):
                if g is not None:
                    held = grads.get(parent)
                    grads[parent] = g if held is None else held + g
                left = consumers[parent] - 1
                consumers[parent] = left
                if left == 0:
                    ready.append(parent)
            elif g is not None:
                _add_to(leaf_grads, parent, g)

    _deliver_to_leaves(leaf_grads, roots, capture)


def _add_to(sums, key, grad):
    held = sums.get(key)
    sums[key] = grad if held is None else held + grad


def _deliver_to_leaves(leaf_grads, roots, capture):
    """Run each leaf's hooks on its total gradient, then accumulate it into `.grad` (or capture it).

    A gradient array may be handed over as `.grad` without a copy (as torch's AccumulateGrad steals
    buffers) when nothing else can see it: not a seed the caller passed in, not a view, not given to
    two leaves (Add's backward returns the same array for both inputs), not a hook's result. The
    graph has finished running, so no node still holds it.
    """
    shared = {id(seed) for _, seed in roots}
    seen = set()
    for g in leaf_grads.values():
        (shared if id(g) in seen else seen).add(id(g))
    for leaf, grad in leaf_grads.items():
        private = id(grad) not in shared
        if leaf._hooks:
            grad = _run_tensor_hooks(leaf._hooks, grad, Tensor._from_array)
            private = False
        if capture is None:
            _accumulate(leaf, grad, private)
        elif leaf in capture:
            capture[leaf] = grad


def _accumulate(tensor, grad, private):
    """Add `grad` into `tensor.grad`: the first time, take the array itself if `private` and laid out
    like a fresh one, else a contiguous copy; an in-place add after that."""
    if tensor._grad is None:
        data = tensor._data
        if not (private and grad.base is None and grad.dtype == data.dtype and grad.flags.c_contiguous
                and grad.shape == data.shape):
            grad = grad.astype(data.dtype, order="C")
        tensor._grad = Tensor._make(grad, tensor._device)
    else:
        tensor._grad._data += grad


