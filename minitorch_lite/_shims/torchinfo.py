"""torchinfo.summary for minitorch_lite models: one forward pass with hooks on every module.

    >>> import minitorch_lite as mt
    >>> from minitorch_lite._shims.torchinfo import summary
    >>> model = mt.nn.Sequential(mt.nn.Linear(4, 8), mt.nn.ReLU(), mt.nn.Linear(8, 2))
    >>> print(summary(model, input_size=(1, 4), verbose=0))      # doctest: +NORMALIZE_WHITESPACE
    ==========================================================================================
    Layer (type:depth-idx)                   Output Shape              Param #
    ==========================================================================================
    Sequential                               [1, 2]                    --
    ├─Linear: 1-1                            [1, 8]                    40
    ├─ReLU: 1-2                              [1, 8]                    --
    ├─Linear: 1-3                            [1, 2]                    18
    ==========================================================================================
    Total params: 58
    Trainable params: 58
    Non-trainable params: 0
    Total mult-adds (M): 0.00
    ==========================================================================================
    Input size (MB): 0.00
    Forward/backward pass size (MB): 0.00
    Params size (MB): 0.00
    Estimated Total Size (MB): 0.00
    ==========================================================================================

How the table is measured (the same rules as torchinfo 1.8, so the numbers agree with it):
  - a forward pre-hook on every module opens a row (its depth, its index among the rows of that
    depth, its input shape) and a forward hook closes it (output shape); rows appear in call order;
  - Param #: a leaf module (no children) shows all its parameters; a container shows only the
    parameters held directly by it ("--" when none); rows deeper than `depth` are hidden and their
    parameters shown on the ancestor at `depth`;
  - mult-adds of a leaf: each weight/bias count times the output size without channels for a Conv
    (batch x spatial), times the batch for other layers;
  - sizes: input bytes, 2 x the output bytes of leaves with parameters (activations and their
    gradients), parameter bytes.
The input is `mt.rand(*input_size)` (it draws from the default generator, as torchinfo's does).
Modules that are defined but never called get no row (torchinfo lists them anyway).
"""
import math
import sys

from .. import creation
from ..autograd import no_grad
from ..tensor import Tensor

__version__ = "1.8.0+minitorch_lite"  # the torchinfo release whose table this reproduces
__all__ = ["summary", "ModelStatistics"]

HEADERS = {"input_size": "Input Shape", "output_size": "Output Shape", "num_params": "Param #",
           "params_percent": "Param %", "kernel_size": "Kernel Shape", "mult_adds": "Mult-Adds",
           "trainable": "Trainable"}


class LayerRow:
    """One call of one module: what the table shows about it."""

    def __init__(self, module, var_name, depth):
        self.module, self.var_name, self.depth = module, var_name, depth
        self.class_name = type(module).__name__
        self.children = []  # every row below this one, at any depth (torchinfo's "children")
        self.is_leaf = not any(True for _ in module.children())
        self.is_recursive = False
        self.depth_index = None
        self.input_size, self.output_size, self.output_bytes = [], [], 0
        params = list(module.parameters())
        self.num_params = sum(p.numel() for p in params)
        self.trainable_params = sum(p.numel() for p in params if p.requires_grad)
        self.param_bytes = sum(p.numel() * p.element_size() for p in params)
        kernel = getattr(module, "kernel_size", None)
        self.kernel_size = list(kernel) if isinstance(kernel, (tuple, list)) else kernel

    def leftover_params(self, trainable=False):
        """Parameters this row holds that none of the rows below it counts."""
        own = self.trainable_params if trainable else self.num_params
        for child in self.children:
            if child.is_recursive:
                continue
            if child.is_leaf:
                own -= child.trainable_params if trainable else child.num_params
            else:
                own -= child.leftover_params(trainable)
        return own

    @property
    def macs(self):
        if not self.output_size:  # never ran (summary without an input)
            return 0
        total = 0
        for name, param in self.module.named_parameters():
            if name in ("weight", "bias"):
                if "Conv" in self.class_name:  # the channel dimension is in the weight already
                    total += param.numel() * math.prod(self.output_size[:1] + self.output_size[2:])
                else:
                    total += self.output_size[0] * param.numel()
            elif "weight" in name or "bias" in name:
                total += math.prod(self.output_size[:2]) * param.numel()
        return total

    @property
    def trainable(self):
        if self.num_params == 0:
            return "--"
        if self.trainable_params == 0:
            return "False"
        return "True" if self.trainable_params == self.num_params else "Partial"

    def params_shown(self, at_max_depth):
        return self.num_params if at_max_depth or self.is_leaf else self.leftover_params()

    def cells(self, at_max_depth, total_params):
        if self.num_params == 0:
            params = "--"
        elif self.is_recursive:
            params = "(recursive)"
        elif at_max_depth or self.is_leaf:
            params = f"{self.num_params:,}" if self.trainable_params else f"({self.num_params:,})"
        else:
            leftover = self.leftover_params()
            params = f"{leftover:,}" if leftover > 0 else "--"
        shown = self.params_shown(at_max_depth)
        percent = f"{shown / total_params:>7.2%}" if total_params and shown else "     --"
        if self.is_leaf:
            macs = self.macs
        elif at_max_depth:
            macs = sum(child.macs for child in self.children if child.is_leaf)
        else:
            macs = 0
        return {"input_size": str(self.input_size) if self.input_size else "--",
                "output_size": str(self.output_size) if self.output_size else "--",
                "num_params": params, "params_percent": percent,
                "kernel_size": str(self.kernel_size) if self.kernel_size else "--",
                "mult_adds": f"{macs:,}" if macs > 0 else "--", "trainable": self.trainable}


def _first_tensor(value):
    if isinstance(value, Tensor):
        return value
    if isinstance(value, (tuple, list)):
        for item in value:
            found = _first_tensor(item)
            if found is not None:
                return found
    if isinstance(value, dict):
        return _first_tensor(list(value.values()))
    return None


def _make_inputs(input_size, input_data, device, dtypes):
    if input_data is not None:
        return list(input_data) if isinstance(input_data, (list, tuple)) else [input_data]
    sizes = [input_size] if all(isinstance(n, int) for n in input_size) else list(input_size)
    dtypes = dtypes or [None] * len(sizes)
    return [creation.rand(*size, dtype=dtype, device=device) for size, dtype in zip(sizes, dtypes)]


def _var_name(name, module):
    return name.rsplit(".", 1)[-1] if name else type(module).__name__


def _number(rows):
    """Each row's index among the rows of its depth, in table order."""
    counters = {}
    for row in rows:
        counters[row.depth] = counters.get(row.depth, 0) + 1
        row.depth_index = counters[row.depth]
    return rows


def _rows_from_tree(model):
    """Without an input nothing runs: one row per module, in definition order."""
    rows, stack = [], []
    for name, module in model.named_modules():
        depth = name.count(".") + 1 if name else 0
        del stack[depth:]
        row = LayerRow(module, _var_name(name, module), depth)
        for ancestor in stack:
            ancestor.children.append(row)
        stack.append(row)
        rows.append(row)
    return _number(rows)


def _measure(model, inputs):
    """Run the model once with hooks on every module; return its rows in call order."""
    names = {id(module): name for name, module in model.named_modules()}
    rows, stack, seen, handles = [], [], set(), []

    def pre_hook(module, args):
        row = LayerRow(module, _var_name(names.get(id(module), ""), module), len(stack))
        row.is_recursive = id(module) in seen
        seen.add(id(module))
        first = _first_tensor(args)
        row.input_size = list(first.shape) if first is not None else []
        for ancestor in stack:
            ancestor.children.append(row)
        rows.append(row)
        stack.append(row)

    def hook(module, args, output):
        row = stack.pop()
        first = _first_tensor(output)
        if first is not None:
            row.output_size = list(first.shape)
            row.output_bytes = first.numel() * first.element_size()

    for module in model.modules():
        handles.append(module.register_forward_pre_hook(pre_hook))
        handles.append(module.register_forward_hook(hook))
    try:
        with no_grad():
            model(*inputs)
    finally:
        for handle in handles:
            handle.remove()
    return _number(rows)


class ModelStatistics:
    """What summary() returns: the rows and totals; its repr is the table."""

    def __init__(self, rows, input_bytes, col_names, col_width, depth, row_settings, has_input):
        self.summary_list = rows
        self.col_names, self.col_width, self.max_depth = col_names, col_width, depth
        self.show_var_name = "var_names" in row_settings
        self.show_depth = "depth" in row_settings
        self.ascii_only = "ascii_only" in row_settings
        self.has_input = has_input
        self.total_input = input_bytes
        self.total_params = self.trainable_params = self.total_mult_adds = 0
        self.total_param_bytes = self.total_output_bytes = 0
        for row in rows:
            if row.is_leaf:
                self.total_mult_adds += row.macs
                if row.num_params > 0:
                    self.total_output_bytes += 2 * row.output_bytes  # activations and gradients
                if not row.is_recursive:
                    self.total_params += row.num_params
                    self.trainable_params += row.trainable_params
                    self.total_param_bytes += row.param_bytes
            elif not row.is_recursive:
                self.total_params += max(row.leftover_params(), 0)
                self.trainable_params += max(row.leftover_params(trainable=True), 0)
        self.layer_name_width = 40
        longest = max((len(self._title(row)) + row.depth * 5 + 1 for row in rows), default=0)
        if longest >= self.layer_name_width:
            self.layer_name_width = math.ceil(longest / 5) * 5

    def _title(self, row):
        title = row.class_name
        if self.show_var_name and row.var_name:
            title += f" ({row.var_name})"
        if self.show_depth and row.depth > 0:
            title += f": {row.depth}-{row.depth_index}"
        return title

    def _prefix(self, depth):
        """The tree drawing: '├─' at depth 1, then '│    ' per extra level and '└─'."""
        if depth == 0:
            return ""
        if self.ascii_only:
            return "+ " if depth == 1 else "|    " * (depth - 1) + "+ "
        return "├─" if depth == 1 else "│    " * (depth - 1) + "└─"

    def _line(self, first, cells):
        line = f"{first:<{self.layer_name_width}} "
        for name in self.col_names:
            line += f"{cells.get(name, ''):<{self.col_width}} "
        return line.rstrip() + "\n"

    @staticmethod
    def _count(num, auto_units):
        if auto_units:
            unit, value = (("T", num / 1e12) if num >= 1e12 else ("G", num / 1e9) if num >= 1e9
                           else ("M", num / 1e6))
            label = f" ({unit})"
        else:
            label, value = "", num
        if float(value).is_integer():
            return f"{label}: {int(value):,d}"
        return f"{label}: {value:,.2f}"

    def __repr__(self):
        divider = "=" * (len(self.col_names) * self.col_width + self.layer_name_width)
        header = "Layer (type" + (" (var_name)" if self.show_var_name else "") + \
                 (":depth-idx" if self.show_depth else "") + ")"
        table = divider + "\n" + self._line(header, HEADERS) + divider + "\n"
        for row in self.summary_list:
            if row.depth > self.max_depth:
                continue
            cells = row.cells(row.depth == self.max_depth, self.total_params)
            table += self._line(self._prefix(row.depth) + self._title(row), cells)
        table += (f"{divider}\nTotal params{self._count(self.total_params, False)}\n"
                  f"Trainable params{self._count(self.trainable_params, False)}\n"
                  f"Non-trainable params"
                  f"{self._count(self.total_params - self.trainable_params, False)}\n")
        if self.has_input:
            total = self.total_input + self.total_output_bytes + self.total_param_bytes
            table += (f"Total mult-adds{self._count(self.total_mult_adds, True)}\n{divider}\n"
                      f"Input size (MB): {self.total_input / 1e6:0.2f}\n"
                      f"Forward/backward pass size (MB): {self.total_output_bytes / 1e6:0.2f}\n"
                      f"Params size (MB): {self.total_param_bytes / 1e6:0.2f}\n"
                      f"Estimated Total Size (MB): {total / 1e6:0.2f}\n")
        return table + divider

    __str__ = __repr__


def summary(model, input_size=None, input_data=None, batch_dim=None, cache_forward_pass=None,
            col_names=None, col_width=25, depth=3, device=None, dtypes=None, mode=None,
            row_settings=None, verbose=None, **kwargs):
    """The layer table of `model` run on `input_data` or on random tensors of `input_size`.

    Prints it when verbose is 1 (the default outside interactive sessions, as in torchinfo) and
    returns it as a ModelStatistics whose repr is the table.
    """
    has_input = input_size is not None or input_data is not None
    col_names = tuple(col_names) if col_names else (
        ("output_size", "num_params") if has_input else ("num_params",))
    unknown = [name for name in col_names if name not in HEADERS]
    if unknown:
        raise ValueError(f"Unknown column names {unknown}; choose from {list(HEADERS)}")
    row_settings = set(row_settings) if row_settings else {"depth"}
    if verbose is None:
        verbose = 0 if hasattr(sys, "ps1") and sys.ps1 else 1
    rows, input_bytes = _rows_from_tree(model), 0
    if has_input:
        if device is None:
            first_param = next(model.parameters(), None)
            device = first_param.device if first_param is not None else "cpu"
        inputs = _make_inputs(input_size, input_data, device, dtypes)
        input_bytes = sum(x.numel() * x.element_size() for x in inputs if isinstance(x, Tensor))
        training = model.training
        if mode in ("train", "eval"):
            model.train(mode == "train")
        try:
            rows = _measure(model, inputs)
        finally:
            model.train(training)
    statistics = ModelStatistics(rows, input_bytes, col_names, col_width, depth, row_settings,
                                 has_input)
    if verbose > 0:
        print(statistics)
    return statistics
