"""Printing tensors exactly as PyTorch does (`repr(t)` / `str(t)`), on NumPy arrays.

    >>> import numpy as np
    >>> from minitorch_lite.backend import dtypes
    >>> from minitorch_lite.backend.device import CPU
    >>> print(tensor_repr(np.array([[1.0, 2.5], [-3.0, 1e-5]]), dtype=dtypes.float64, device=CPU))
    tensor([[ 1.0000e+00,  2.5000e+00],
            [-3.0000e+00,  1.0000e-05]], dtype=torch.float64)

The rules follow torch/_tensor_str.py:

* One `_Formatter` per tensor picks a single style and width for every element. Floats print
  with `precision` decimals, or as `1.` when every finite value is an integer, or in scientific
  notation when the finite non-zero magnitudes span more than 1000x, exceed 1e8 or fall
  below 1e-4 (unless `sci_mode` is forced). Zeros, nan and inf never influence that choice.
* Tensors with more than `threshold` elements are summarised: each dimension longer than
  2 * `edgeitems` shows only its first and last `edgeitems` entries around a `...`.
* Rows wrap to fit `linewidth`, indented under their opening bracket.
* Suffixes such as `dtype=torch.float64`, `device='cuda:0'` and `grad_fn=<AddBackward0>`
  follow the data, on a new line when they would overflow `linewidth`.

Values are formatted through Python floats/ints (`ndarray.tolist()`), as torch does via
`Tensor.item()`, so rounding and `nan`/`inf`/`-0.` spellings match character for character.
"""
import contextlib
import math

import numpy as np

from .backend import dtypes

__all__ = ["tensor_repr", "set_printoptions", "get_printoptions", "printoptions"]

# torch's profiles; "default" is also the state at import.
_PROFILES = {
    "default": dict(precision=4, threshold=1000, edgeitems=3, linewidth=80),
    "short": dict(precision=2, threshold=1000, edgeitems=2, linewidth=80),
    "full": dict(precision=4, threshold=math.inf, edgeitems=3, linewidth=80),
}


class _PrintOptions:
    def __init__(self):
        self.__dict__.update(_PROFILES["default"], sci_mode=None)


PRINT_OPTS = _PrintOptions()


def set_printoptions(precision=None, threshold=None, edgeitems=None, linewidth=None,
                     profile=None, sci_mode=None):
    """torch.set_printoptions: a profile first, then any explicit option on top of it.

    As in torch, `sci_mode` is always assigned, so leaving it out turns automatic choice back on.
    """
    if profile is not None:
        if profile not in _PROFILES:  # torch silently ignores unknown profiles; so do we
            profile = None
        else:
            PRINT_OPTS.__dict__.update(_PROFILES[profile])
    for name, value in (("precision", precision), ("threshold", threshold),
                        ("edgeitems", edgeitems), ("linewidth", linewidth)):
        if value is not None:
            setattr(PRINT_OPTS, name, value)
    PRINT_OPTS.sci_mode = sci_mode


def get_printoptions():
    """The current options, as a dict that `set_printoptions(**d)` accepts."""
    o = PRINT_OPTS
    return dict(precision=o.precision, threshold=o.threshold, edgeitems=o.edgeitems,
                linewidth=o.linewidth, sci_mode=o.sci_mode)


@contextlib.contextmanager
def printoptions(**kwargs):
    """Temporarily change print options: `with printoptions(precision=2): print(t)`."""
    old = get_printoptions()
    set_printoptions(**kwargs)
    try:
        yield
    finally:
        set_printoptions(**old)


class _Formatter:
    """Chooses one notation and one width for all the elements that will be shown."""

    def __init__(self, values, floating):
        self.floating = floating
        self.int_mode = True
        self.sci_mode = False
        self.precision = PRINT_OPTS.precision
        self.width = 1
        flat = values.reshape(-1)
        if not floating:  # ints and bools print as Python does: 7, -3, True
            self.width = max([self.width] + [len(str(v)) for v in flat.tolist()])
            return
        # Only finite non-zero values decide the style and width; 0, nan and inf just pad to it.
        shown = flat[np.isfinite(flat) & (flat != 0)]
        if shown.size == 0:
            return
        magnitudes = np.abs(shown).astype(np.float64)  # float16 would overflow the ratio
        lo, hi = magnitudes.min(), magnitudes.max()
        self.int_mode = bool(np.all(shown == np.ceil(shown)))
        if PRINT_OPTS.sci_mode is None:
            with np.errstate(over="ignore"):  # huge / subnormal is inf, which still means "sci"
                self.sci_mode = bool(hi / lo > 1000.0 or hi > 1.0e8 or lo < 1.0e-4)
        else:
            self.sci_mode = PRINT_OPTS.sci_mode
        if self.sci_mode:
            spec, extra = f".{self.precision}e", 0
        elif self.int_mode:
            spec, extra = ".0f", 1  # room for the trailing "." that marks a float
        else:
            spec, extra = f".{self.precision}f", 0
        self.width = max(self.width, max(len(format(v, spec)) for v in shown.tolist()) + extra)

    def format(self, value):
        """One element (a Python number) as a right-aligned string of the common width."""
        if not self.floating:
            s = str(value)
        elif self.sci_mode:
            s = format(value, f".{self.precision}e")
        elif self.int_mode:
            s = format(value, ".0f")
            if math.isfinite(value):
                s += "."
        else:
            s = format(value, f".{self.precision}f")
        return s.rjust(self.width)


def _summarized(a):
    """Only the elements a summarised print shows: the edge items of every long dimension."""
    e = PRINT_OPTS.edgeitems
    for axis, n in enumerate(a.shape):
        if n > 2 * e:
            a = np.take(a, np.r_[0:e, n - e:n], axis=axis)
    return a


def _body(a, indent, summarize, fmt):
    """The bracketed text of `a`; `indent` is the column of its opening bracket."""
    if a.ndim == 0:
        return fmt.format(a.item())
    e = PRINT_OPTS.edgeitems
    cut = summarize and a.shape[0] > 2 * e  # show only the edges of this dimension
    if a.ndim == 1:
        if summarize and not e:
            items = ["..."]
        elif cut:
            items = ([fmt.format(v) for v in a[:e].tolist()] + [" ..."]
                     + [fmt.format(v) for v in a[-e:].tolist()])
        else:
            items = [fmt.format(v) for v in a.tolist()]
        # Each element costs its width plus ", "; wrapped lines start under the first element.
        per_line = max(1, (PRINT_OPTS.linewidth - indent) // (fmt.width + 2))
        lines = [", ".join(items[i:i + per_line]) for i in range(0, len(items), per_line)]
        return "[" + (",\n" + " " * (indent + 1)).join(lines) + "]"
    rows = range(a.shape[0])
    if cut:
        rows = list(range(e)) + [None] + list(range(a.shape[0] - e, a.shape[0]))
    parts = ["..." if i is None else _body(a[i], indent + 1, summarize, fmt) for i in rows]
    # Sub-tensors of rank k are separated by k newlines, i.e. k - 1 blank lines (as torch and NumPy).
    return "[" + ("," + "\n" * (a.ndim - 1) + " " * (indent + 1)).join(parts) + "]"


def _add_suffixes(text, suffixes, indent):
    """Append `, suffix` items, moving one to a new line when the current line would pass linewidth."""
    out = [text]
    # torch counts this way (two more than the last line's length when there is no newline);
    # we keep the quirk so the break points agree.
    line_len = len(text) - text.rfind("\n") + 1
    for suffix in suffixes:
        if line_len + len(suffix) + 2 > PRINT_OPTS.linewidth:
            out.append(",\n" + " " * indent + suffix)
            line_len = indent + len(suffix)
        else:
            out.append(", " + suffix)
            line_len += len(suffix) + 2
    out.append(")")
    return "".join(out)


def tensor_repr(data, *, dtype, device, grad_fn_name=None, requires_grad=False, prefix="tensor("):
    """The repr of a tensor holding `data` (a NumPy array), as torch would print it.

    `requires_grad` should be True only for a leaf that requires grad; `grad_fn_name` wins over it.
    """
    a = np.asarray(data)
    indent = len(prefix)
    default_float = dtypes.get_default_dtype()
    suffixes = []
    if device.type != "cpu":  # torch shows the device whenever it is not the default (CPU)
        suffixes.append(f"device='{device}'")
    if a.size == 0:
        # Nothing to infer the dtype from, so only the default float dtype goes unnamed.
        if a.ndim != 1:
            suffixes.append(f"size={tuple(a.shape)}")
        if dtype is not default_float:
            suffixes.append(f"dtype={dtype!r}")
        text = "[]"
    else:
        if not PRINT_OPTS.edgeitems:  # with no edge items shown, the size is the only clue
            suffixes.append(f"size={tuple(a.shape)}")
        # int64 and bool are recognisable from the values, as is the default float dtype.
        if dtype not in (default_float, dtypes.int64, dtypes.bool_):
            suffixes.append(f"dtype={dtype!r}")
        summarize = a.size > PRINT_OPTS.threshold
        fmt = _Formatter(_summarized(a) if summarize else a, dtype.is_floating_point)
        text = _body(a, indent, summarize, fmt)
    if grad_fn_name is not None:
        suffixes.append(f"grad_fn=<{grad_fn_name}>")
    elif requires_grad:
        suffixes.append("requires_grad=True")
    return _add_suffixes(prefix + text, suffixes, indent)
