"""`out=`: every function that takes it writes its result there, as torch does -- never ignores it.

Every function of `mt` whose signature has an `out` parameter is listed below (a new one without a
row fails `test_every_function_with_out_has_a_row`) and run on torch and on minitorch_lite with:

  fits      an out of the result's shape and dtype: the same values, and the call returns `out`
  empty     an out with no elements: resized silently to the result's shape
  resized   an out of another, non-empty shape: resized, with torch's UserWarning
  int       an int64 out for a float result: torch's RuntimeError (cannot cast), out unchanged
  grad      an input that requires grad: torch's RuntimeError (out= has no autograd)
"""
import inspect
import warnings

import numpy as np
import pytest
import torch

import minitorch_lite as mt


NEEDS_GRAD = []  # set by the grad test: the inputs `_x` makes then require grad


def _x(L, *shape):
    n = int(np.prod(shape)) if shape else 1
    values = (np.arange(n, dtype=np.float32).reshape(shape) / 3 - 1).__abs__() + 0.5
    return L.tensor(values, requires_grad=bool(NEEDS_GRAD))


# name -> (call(L, out), example out(L)); call must give a float result unless the name says so
ROWS = {
    "add": (lambda L, o: L.add(_x(L, 2, 3), _x(L, 3), alpha=2, out=o), None),
    "sub": (lambda L, o: L.sub(_x(L, 2, 3), 1.5, out=o), None),
    "subtract": (lambda L, o: L.subtract(_x(L, 2, 3), 1.5, out=o), None),
    "mul": (lambda L, o: L.mul(_x(L, 2, 3), _x(L, 2, 1), out=o), None),
    "multiply": (lambda L, o: L.multiply(_x(L, 2, 3), 3, out=o), None),
    "div": (lambda L, o: L.div(_x(L, 2, 3), 3, out=o), None),
    "divide": (lambda L, o: L.divide(_x(L, 2, 3), 3, rounding_mode="floor", out=o), None),
    "true_divide": (lambda L, o: L.true_divide(_x(L, 2, 3), 3, out=o), None),
    "floor_divide": (lambda L, o: L.floor_divide(_x(L, 2, 3), 0.3, out=o), None),
    "remainder": (lambda L, o: L.remainder(_x(L, 2, 3), 0.7, out=o), None),
    "pow": (lambda L, o: L.pow(_x(L, 2, 3), 2, out=o), None),
    "maximum": (lambda L, o: L.maximum(_x(L, 2, 3), _x(L, 3), out=o), None),
    "minimum": (lambda L, o: L.minimum(_x(L, 2, 3), _x(L, 3), out=o), None),
    "neg": (lambda L, o: L.neg(_x(L, 2, 3), out=o), None),
    "negative": (lambda L, o: L.negative(_x(L, 2, 3), out=o), None),
    "exp": (lambda L, o: L.exp(_x(L, 2, 3), out=o), None),
    "log": (lambda L, o: L.log(_x(L, 2, 3), out=o), None),
    "log1p": (lambda L, o: L.log1p(_x(L, 2, 3), out=o), None),
    "log2": (lambda L, o: L.log2(_x(L, 2, 3), out=o), None),
    "log10": (lambda L, o: L.log10(_x(L, 2, 3), out=o), None),
    "sqrt": (lambda L, o: L.sqrt(_x(L, 2, 3), out=o), None),
    "rsqrt": (lambda L, o: L.rsqrt(_x(L, 2, 3), out=o), None),
    "sin": (lambda L, o: L.sin(_x(L, 2, 3), out=o), None),
    "cos": (lambda L, o: L.cos(_x(L, 2, 3), out=o), None),
    "tanh": (lambda L, o: L.tanh(_x(L, 2, 3), out=o), None),
    "sigmoid": (lambda L, o: L.sigmoid(_x(L, 2, 3), out=o), None),
    "erf": (lambda L, o: L.erf(_x(L, 2, 3), out=o), None),
    "reciprocal": (lambda L, o: L.reciprocal(_x(L, 2, 3), out=o), None),
    "abs": (lambda L, o: L.abs(_x(L, 2, 3) - 1, out=o), None),
    "absolute": (lambda L, o: L.absolute(_x(L, 2, 3) - 1, out=o), None),
    "sign": (lambda L, o: L.sign(_x(L, 2, 3) - 1, out=o), None),
    "square": (lambda L, o: L.square(_x(L, 2, 3), out=o), None),
    "floor": (lambda L, o: L.floor(_x(L, 2, 3) * 3, out=o), None),
    "ceil": (lambda L, o: L.ceil(_x(L, 2, 3) * 3, out=o), None),
    "trunc": (lambda L, o: L.trunc(_x(L, 2, 3) * 3, out=o), None),
    "fix": (lambda L, o: L.fix(_x(L, 2, 3) * 3, out=o), None),
    "round": (lambda L, o: L.round(_x(L, 2, 3) * 3, out=o), None),
    "clamp": (lambda L, o: L.clamp(_x(L, 2, 3), 0.8, 1.0, out=o), None),
    "clip": (lambda L, o: L.clip(_x(L, 2, 3), 0.8, 1.0, out=o), None),
    # (torch's where with out= takes only tensors for `other`)
    "where": (lambda L, o: L.where(_x(L, 2, 3) > 1, _x(L, 2, 3), _x(L, 3), out=o), None),
    "nan_to_num": (lambda L, o: L.nan_to_num(_x(L, 2, 3), out=o), None),
    "sum": (lambda L, o: L.sum(_x(L, 2, 3), 1, out=o), None),
    "mean": (lambda L, o: L.mean(_x(L, 2, 3), 1, out=o), None),
    "amax": (lambda L, o: L.amax(_x(L, 2, 3), 1, out=o), None),
    "amin": (lambda L, o: L.amin(_x(L, 2, 3), 1, out=o), None),
    "var": (lambda L, o: L.var(_x(L, 2, 3), 1, out=o), None),
    "std": (lambda L, o: L.std(_x(L, 2, 3), 1, out=o), None),
    "logsumexp": (lambda L, o: L.logsumexp(_x(L, 2, 3), 1, out=o), None),
    "norm": (lambda L, o: L.norm(_x(L, 2, 3), dim=1, out=o), None),
    "cumsum": (lambda L, o: L.cumsum(_x(L, 2, 3), 1, out=o), None),
    "matmul": (lambda L, o: L.matmul(_x(L, 2, 3), _x(L, 3, 4), out=o), None),
    "mm": (lambda L, o: L.mm(_x(L, 2, 3), _x(L, 3, 4), out=o), None),
    "bmm": (lambda L, o: L.bmm(_x(L, 2, 2, 3), _x(L, 2, 3, 4), out=o), None),
    "dot": (lambda L, o: L.dot(_x(L, 3), _x(L, 3), out=o), None),
    "inner": (lambda L, o: L.inner(_x(L, 3), _x(L, 3), out=o), None),
    "mv": (lambda L, o: L.mv(_x(L, 2, 3), _x(L, 3), out=o), None),
    "outer": (lambda L, o: L.outer(_x(L, 2), _x(L, 3), out=o), None),
    "cat": (lambda L, o: L.cat([_x(L, 2, 3), _x(L, 1, 3)], out=o), None),
    "concat": (lambda L, o: L.concat([_x(L, 2, 3), _x(L, 1, 3)], out=o), None),
    "concatenate": (lambda L, o: L.concatenate([_x(L, 2, 3), _x(L, 1, 3)], out=o), None),
    "stack": (lambda L, o: L.stack([_x(L, 2, 3), _x(L, 2, 3)], 1, out=o), None),
    "tril": (lambda L, o: L.tril(_x(L, 3, 3), out=o), None),
    "triu": (lambda L, o: L.triu(_x(L, 3, 3), 1, out=o), None),
    "gather": (lambda L, o: L.gather(_x(L, 2, 3), 1, L.tensor([[0, 2], [1, 1]]), out=o), None),
    "index_select": (lambda L, o: L.index_select(_x(L, 2, 3), 1, L.tensor([2, 0]), out=o), None),
    "max": (lambda L, o: L.max(_x(L, 2, 3), 1, out=o), "pair"),
    "min": (lambda L, o: L.min(_x(L, 2, 3), 1, out=o), "pair"),
    "sort": (lambda L, o: L.sort(_x(L, 2, 3) * -1, 1, out=o), "pair"),
    "topk": (lambda L, o: L.topk(_x(L, 2, 3), 2, out=o), "pair"),
    # boolean and integer results
    "eq": (lambda L, o: L.eq(_x(L, 2, 3), 1.5, out=o), "bool"),
    "ne": (lambda L, o: L.ne(_x(L, 2, 3), 1.5, out=o), "bool"),
    "lt": (lambda L, o: L.lt(_x(L, 2, 3), 1.0, out=o), "bool"),
    "le": (lambda L, o: L.le(_x(L, 2, 3), 1.0, out=o), "bool"),
    "gt": (lambda L, o: L.gt(_x(L, 2, 3), 1.0, out=o), "bool"),
    "ge": (lambda L, o: L.ge(_x(L, 2, 3), 1.0, out=o), "bool"),
    "not_equal": (lambda L, o: L.not_equal(_x(L, 2, 3), 1.5, out=o), "bool"),
    "less": (lambda L, o: L.less(_x(L, 2, 3), 1.0, out=o), "bool"),
    "less_equal": (lambda L, o: L.less_equal(_x(L, 2, 3), 1.0, out=o), "bool"),
    "greater": (lambda L, o: L.greater(_x(L, 2, 3), 1.0, out=o), "bool"),
    "greater_equal": (lambda L, o: L.greater_equal(_x(L, 2, 3), 1.0, out=o), "bool"),
    "logical_and": (lambda L, o: L.logical_and(_x(L, 2, 3) > 1, _x(L, 3) > 1, out=o), "bool"),
    "logical_or": (lambda L, o: L.logical_or(_x(L, 2, 3) > 1, _x(L, 3) > 1, out=o), "bool"),
    "logical_xor": (lambda L, o: L.logical_xor(_x(L, 2, 3) > 1, _x(L, 3) > 1, out=o), "bool"),
    "logical_not": (lambda L, o: L.logical_not(_x(L, 2, 3) > 1, out=o), "bool"),
    "all": (lambda L, o: L.all(_x(L, 2, 3) > 1, 1, out=o), "bool"),
    "any": (lambda L, o: L.any(_x(L, 2, 3) > 1, 1, out=o), "bool"),
    "bitwise_and": (lambda L, o: L.bitwise_and(L.arange(6).view(2, 3), 3, out=o), "long"),
    "bitwise_or": (lambda L, o: L.bitwise_or(L.arange(6).view(2, 3), 3, out=o), "long"),
    "bitwise_xor": (lambda L, o: L.bitwise_xor(L.arange(6).view(2, 3), 3, out=o), "long"),
    "bitwise_not": (lambda L, o: L.bitwise_not(L.arange(6).view(2, 3), out=o), "long"),
    # factories: the result takes out's dtype
    "zeros": (lambda L, o: L.zeros(2, 3, out=o), None),
    "ones": (lambda L, o: L.ones(2, 3, out=o), None),
    "empty": (lambda L, o: L.empty(2, 3, out=o).zero_(), None),
    "full": (lambda L, o: L.full((2, 3), 7.0, out=o), None),
    "eye": (lambda L, o: L.eye(3, out=o), None),
    "arange": (lambda L, o: L.arange(0, 3, 0.5, out=o), None),
    "linspace": (lambda L, o: L.linspace(0, 1, 5, out=o), None),
    "rand": (lambda L, o: L.rand(2, 3, out=o), None),
    "randn": (lambda L, o: L.randn(2, 3, out=o), None),
    "normal": (lambda L, o: L.normal(0.0, 1.0, (2, 3), out=o), None),
    "randint": (lambda L, o: L.randint(0, 5, (2, 3), out=o), "long"),
    "randperm": (lambda L, o: L.randperm(5, out=o), "long"),
    "bernoulli": (lambda L, o: L.bernoulli(L.full((2, 3), 0.5), out=o), None),
    "range": (lambda L, o: L.range(0, 3, out=o), None),
}
FACTORIES = {"zeros", "ones", "empty", "full", "eye", "arange", "linspace", "rand", "randn", "normal",
             "randint", "randperm", "bernoulli", "range"}


def _functions_with_out():
    names = []
    for name in dir(mt):
        fn = getattr(mt, name)
        if name.startswith("_") or not callable(fn) or isinstance(fn, type):
            continue
        try:
            if "out" in inspect.signature(fn).parameters:
                names.append(name)
        except (TypeError, ValueError):
            continue
    return names


def test_every_function_with_out_has_a_row():
    assert sorted(set(_functions_with_out()) - set(ROWS)) == []


def _result(L, name):
    call, kind = ROWS[name]
    L.manual_seed(0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if kind == "pair":
            return call(L, None)
        return call(L, None)


def _outs_like(L, result, make):
    if isinstance(result, tuple):
        return tuple(make(r) for r in result)
    return make(result)


def _values(x):
    if isinstance(x, tuple):
        return [_values(v) for v in x]
    return (x.detach().numpy() if isinstance(x, torch.Tensor) else x.detach().numpy()).tolist()


def _run(L, name, make_out, expect_warning=None):
    """Call with the out `make_out(reference_result)`; returns (outcome, out values, returned is out)."""
    reference = _result(L, name)
    out = _outs_like(L, reference, make_out)
    L.manual_seed(0)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            returned = ROWS[name][0](L, out)
        except Exception as e:  # noqa: BLE001 - compared with torch
            return type(e).__name__, _values(out), None, caught
    same = all(a is b for a, b in zip(returned, out)) if isinstance(out, tuple) else returned is out
    return "ok", _values(out), same, caught


SCENARIOS = {
    "fits": lambda L: lambda r: L.empty(tuple(r.shape), dtype=r.dtype).zero_(),
    "empty": lambda L: lambda r: L.empty(0, dtype=r.dtype),
    "resized": lambda L: lambda r: L.zeros(7, dtype=r.dtype),
    "int": lambda L: lambda r: L.zeros(tuple(r.shape), dtype=L.long if r.is_floating_point() else r.dtype),
}


@pytest.mark.parametrize("scenario", sorted(SCENARIOS))
@pytest.mark.parametrize("name", sorted(ROWS))
def test_out_like_torch(name, scenario):
    theirs = _run(torch, name, SCENARIOS[scenario](torch))
    ours = _run(mt, name, SCENARIOS[scenario](mt))
    assert ours[0] == theirs[0], (ours[0], theirs[0])
    if ours[0] == "ok":
        np.testing.assert_allclose(np.asarray(ours[1], dtype=float), np.asarray(theirs[1], dtype=float),
                                   rtol=1e-6, atol=1e-6)
    else:  # a refused call leaves `out` as it was (torch may have written part of it: mean into an int)
        assert not np.asarray(ours[1], dtype=float).any()
    assert ours[2] == theirs[2]

    def resized(caught):
        return any("was resized" in str(w.message) or "does not match the computed number" in str(w.message)
                   for w in caught)
    assert resized(ours[3]) == resized(theirs[3])


# torch's composite versions of these record a graph into `out` instead of refusing (inner as
# CopyBackwards, floor_divide as NotImplemented); minitorch_lite refuses every one alike
GRAD_QUIRKS = {"inner", "floor_divide"}


@pytest.mark.parametrize("name", sorted(n for n, (_, kind) in ROWS.items()
                                        if n not in FACTORIES | GRAD_QUIRKS and kind is None))
def test_out_refuses_inputs_that_require_grad(name):
    """Same refusal as torch (torch's message names its underlying kernel, e.g. pow() for square)."""
    outcomes = []
    for L in (torch, mt):
        out = _outs_like(L, _result(L, name), lambda r: L.empty(tuple(r.shape), dtype=r.dtype))
        NEEDS_GRAD.append(True)
        try:
            ROWS[name][0](L, out)
            outcomes.append("ok")
        except RuntimeError as e:
            assert "functions with out=... arguments don't support automatic differentiation" in str(e)
            outcomes.append("refused")
        finally:
            NEEDS_GRAD.clear()
    assert outcomes == ["refused", "refused"]


def test_grad_refusal_names_the_function():
    for L in (torch, mt):
        with pytest.raises(RuntimeError, match="add\\(\\): functions with out=... arguments don't support "
                                               "automatic differentiation"):
            L.add(L.ones(2, requires_grad=True), 1, out=L.zeros(2))
