"""add_graph's GraphDef: the operations of one forward pass, each in the scope of its module.

    >>> import minitorch_lite as mt
    >>> from minitorch_lite.utils.tensorboard._graph import graph
    >>> model = mt.nn.Sequential(mt.nn.Linear(3, 4), mt.nn.ReLU())
    >>> graph_def, _ = graph(model, mt.randn(2, 3))
    >>> [(node.name, node.op) for node in graph_def.node]     # doctest: +NORMALIZE_WHITESPACE
    [('input/input.1', 'IO Node'), ('Sequential/Linear[0]/weight', 'Parameter'),
     ('Sequential/Linear[0]/bias', 'Parameter'), ('Sequential/Linear[0]/Linear.1', 'Linear'),
     ('Sequential/ReLU[1]/Relu.2', 'Relu'), ('output/output.1', 'IO Node')]

torch traces the model with TorchScript; minitorch_lite has no tracer, but its autograd graph
records every differentiable operation of a forward pass, with its inputs. So the model runs once
(in eval mode, as torch traces it) on copies of the inputs that require grad, and forward hooks on
every module claim the operations their forward created: walking the autograd graph back from a
module's output down to its inputs, every operation not yet claimed by an inner module is this
module's. (Frozen parameters are made to require grad for that one pass, so that they appear
too; their flags are put back afterwards.) Inner modules finish first, so each operation lands in the innermost module that ran
it; arithmetic written in a forward method (a residual `+`) lands in that module's scope.

Node names follow torch's scope format (`EfficientNet/Sequential[features]/Conv2d[0]/...`); the
op types are minitorch_lite's operation names (Convolution, BatchNorm, Silu, ...), not torch's
`aten::` names. Operations that record no autograd node (integer ops, ops on buffers alone) do not
appear, nor do buffers (BatchNorm's running statistics).
"""
import contextlib

from tensorboard.compat.proto.attr_value_pb2 import AttrValue
from tensorboard.compat.proto.config_pb2 import RunMetadata
from tensorboard.compat.proto.graph_pb2 import GraphDef
from tensorboard.compat.proto.node_def_pb2 import NodeDef
from tensorboard.compat.proto.step_stats_pb2 import DeviceStepStats, StepStats
from tensorboard.compat.proto.tensor_shape_pb2 import TensorShapeProto
from tensorboard.compat.proto.versions_pb2 import VersionDef

from ...autograd import enable_grad
from ...tensor import Tensor

__all__ = ["graph"]


def _tensors(obj):
    """The tensors in a module's input or output (nested tuples, lists and dict values)."""
    if isinstance(obj, Tensor):
        return [obj]
    if isinstance(obj, (tuple, list)):
        return [t for item in obj for t in _tensors(item)]
    if isinstance(obj, dict):
        return [t for item in obj.values() for t in _tensors(item)]
    return []


def _node(name, op, inputs=(), shape=None):
    attr = {}
    if shape is not None:
        dims = TensorShapeProto(dim=[TensorShapeProto.Dim(size=int(d)) for d in shape])
        attr["_output_shapes"] = AttrValue(list=AttrValue.ListValue(shape=[dims]))
    return NodeDef(name=name, op=op, input=list(inputs), attr=attr)


def _scopes(model):
    """id(module) -> 'Model/Child[name]/Grandchild[name]' for every module of the model."""
    scopes = {}
    for name, module in model.named_modules():
        if not name:
            scopes[id(module)] = type(model).__name__
            continue
        parent, _, last = name.rpartition(".")
        parent_scope = scopes[id(model.get_submodule(parent))] if parent else type(model).__name__
        scopes[id(module)] = f"{parent_scope}/{type(module).__name__}[{last}]"
    return scopes


class _Recorder:
    """Forward hooks that give each autograd node the scope of the innermost module that made it."""

    def __init__(self, model):
        self.scopes = _scopes(model)
        self.owner = {}    # id(autograd node) -> scope
        self.nodes = {}    # id(autograd node) -> node (kept alive, so ids stay unique)
        self.shapes = {}   # id(autograd node) -> shape of a module output it produced
        self.calls = []    # per running module: the autograd nodes of its inputs, taken on entry

    def pre_hook(self, module, args):
        # taken before the forward runs: an in-place layer (SiLU(inplace=True)) changes its input's
        # grad_fn to its own operation, which it must still claim
        self.calls.append({id(t.grad_fn) for t in _tensors(args) if t.grad_fn is not None})

    def hook(self, module, args, output):
        stop = self.calls.pop()
        scope = self.scopes.get(id(module), type(module).__name__)
        for tensor in _tensors(output):
            if tensor.grad_fn is not None:
                self.shapes.setdefault(id(tensor.grad_fn), tuple(tensor.shape))
                self.claim(tensor.grad_fn, scope, stop)

    def claim(self, node, scope, stop):
        pending = [node]
        while pending:
            node = pending.pop()
            if node is None or id(node) in self.owner or id(node) in stop or hasattr(node, "variable"):
                continue
            self.owner[id(node)] = scope
            self.nodes[id(node)] = node
            pending.extend(fn for fn, _ in node.next_functions)


@contextlib.contextmanager
def _eval_mode(model):
    training = model.training
    model.train(False)
    try:
        yield
    finally:
        model.train(training)


def graph(model, args, verbose=False, use_strict_trace=True):
    """(GraphDef, RunMetadata) of one forward pass of `model` on `args` (a tensor or a tuple)."""
    if args is None:
        raise ValueError("add_graph needs an example input (input_to_model) to run the model once: "
                         "minitorch_lite records the graph from a forward pass")
    args = args if isinstance(args, (tuple, list)) else (args,)
    inputs = [a.detach().requires_grad_(True) if isinstance(a, Tensor) and a.is_floating_point() else a
              for a in args]
    recorder = _Recorder(model)
    handles = [m.register_forward_pre_hook(recorder.pre_hook) for m in model.modules()]
    handles += [m.register_forward_hook(recorder.hook) for m in model.modules()]
    frozen = [p for p in model.parameters() if not p.requires_grad]
    try:
        for p in frozen:        # frozen parameters too must enter the recorded graph, for the picture
            p.requires_grad_(True)
        with _eval_mode(model), enable_grad():
            output = model(*inputs)
    finally:
        for p in frozen:
            p.requires_grad_(False)
        for handle in handles:
            handle.remove()

    names, nodes = {}, []
    for i, tensor in enumerate(t for t in inputs if isinstance(t, Tensor)):
        names[id(tensor)] = f"input/input.{i + 1}"
        nodes.append(_node(names[id(tensor)], "IO Node", shape=tensor.shape))
    parameters = {id(p): (name, p) for name, p in model.named_parameters()}

    def leaf_name(variable):
        if id(variable) not in names:         # a parameter, named in its module's scope
            name, p = parameters.get(id(variable), (f"tensor{len(names)}", variable))
            owner, _, attribute = name.rpartition(".")
            scope = recorder.scopes[id(model.get_submodule(owner))] if owner else type(model).__name__
            names[id(variable)] = f"{scope}/{attribute}"
            nodes.append(_node(names[id(variable)], "Parameter", shape=p.shape))
        return names[id(variable)]

    def op_name(last):
        """Name `last` and every operation before it (inputs first: an iterative post-order walk,
        since deep models chain more operations than Python's recursion limit)."""
        stack = [(last, False)]
        while stack:
            node, inputs_named = stack.pop()
            if id(node) in names:
                continue
            parents = [fn for fn, _ in node.next_functions if fn is not None]
            if not inputs_named:
                stack.append((node, True))
                stack.extend((fn, False) for fn in parents if not hasattr(fn, "variable"))
                continue
            inputs = [leaf_name(fn.variable) if hasattr(fn, "variable") else names[id(fn)] for fn in parents]
            kind = type(node).__name__
            counter[0] += 1
            names[id(node)] = f"{recorder.owner.get(id(node), type(model).__name__)}/{kind}.{counter[0]}"
            nodes.append(_node(names[id(node)], kind, inputs, recorder.shapes.get(id(node))))
        return names[id(last)]

    counter = [0]
    outputs = _tensors(output)
    for i, tensor in enumerate(outputs):
        if tensor.grad_fn is None:
            producers = [names[id(tensor)]] if id(tensor) in names else []
        else:
            producers = [op_name(tensor.grad_fn)]
        nodes.append(_node(f"output/output.{i + 1}", "IO Node", producers, tensor.shape))
    if verbose:
        for node in nodes:
            print(node.name, node.op, list(node.input))
    stepstats = RunMetadata(step_stats=StepStats(dev_stats=[DeviceStepStats(device="/device:CPU:0")]))
    return GraphDef(node=nodes, versions=VersionDef(producer=22)), stepstats
