"""Every in-place method, on leaf, non-leaf and view tensors, compared with torch.

For each method `x.op_(...)` minitorch_lite has (found by listing the Tensor class, so a new in-place
method without a row here fails `test_every_inplace_method_is_covered`), each scenario runs the same
code on torch and on minitorch_lite and compares the outcome: the same exception type, or the same
values and the same gradients. The scenarios:

  leaf           a leaf that requires grad (torch refuses in-place changes of it)
  leaf_view      a view of such a leaf (refused too)
  nonleaf        y = x * 1.5; y.op_(...); backward through y (the op's own gradient, or zero for fills)
  saved_output   y = x.sigmoid() (sigmoid saved y for its backward); y.op_(...); backward must fail
  saved_input    y = x * 1.5; z = y * y (mul saved y); y.op_(...); backward of z must fail
  view           y = x * 1.5; y[1:].op_(...) or y.t().op_(...); backward through y (CopySlices)
  operand        a plain tensor takes a value that requires grad: a.op_(w); gradient reaches w
  no_grad        under no_grad a leaf that requires grad may be changed; values compared
"""
import numpy as np
import pytest
import torch

import minitorch_lite as mt

SHAPE = (3, 4)


def _values(seed, shape=SHAPE, low=0.5, high=1.5):
    return np.random.default_rng(seed).uniform(low, high, size=shape).astype(np.float64)


def _t(L, array, grad=False):
    out = L.tensor(array, dtype=L.float64)
    return out.requires_grad_() if grad else out


def _index(L, values):
    return L.tensor(values, dtype=L.long)


# name -> fn(L, x, operand) doing the in-place op on x; `operand` is a float tensor of x's shape (for
# ops that take one); each fn returns nothing.
def _bool_mask(L, shape):
    return L.tensor(np.indices(shape).sum(axis=0) % 2 == 0)


INPLACE = {
    "add_": lambda L, x, w: x.add_(w, alpha=2), "sub_": lambda L, x, w: x.sub_(w),
    "mul_": lambda L, x, w: x.mul_(w), "div_": lambda L, x, w: x.div_(w),
    "pow_": lambda L, x, w: x.pow_(w), "subtract_": lambda L, x, w: x.subtract_(w),
    "multiply_": lambda L, x, w: x.multiply_(w), "divide_": lambda L, x, w: x.divide_(w),
    "true_divide_": lambda L, x, w: x.true_divide_(w), "remainder_": lambda L, x, w: x.remainder_(0.7),
    "floor_divide_": lambda L, x, w: x.floor_divide_(0.3),
    "clamp_": lambda L, x, w: x.clamp_(0.7, 1.2), "clip_": lambda L, x, w: x.clip_(0.7, 1.2),
    "clamp_min_": lambda L, x, w: x.clamp_min_(0.9), "clamp_max_": lambda L, x, w: x.clamp_max_(0.9),
    "exp_": lambda L, x, w: x.exp_(), "log_": lambda L, x, w: x.log_(), "sqrt_": lambda L, x, w: x.sqrt_(),
    "abs_": lambda L, x, w: x.abs_(), "neg_": lambda L, x, w: x.neg_(), "relu_": lambda L, x, w: x.relu_(),
    "sigmoid_": lambda L, x, w: x.sigmoid_(), "tanh_": lambda L, x, w: x.tanh_(),
    "floor_": lambda L, x, w: x.floor_(), "ceil_": lambda L, x, w: x.ceil_(),
    "round_": lambda L, x, w: x.round_(), "sign_": lambda L, x, w: x.sign_(),
    "trunc_": lambda L, x, w: x.trunc_(), "reciprocal_": lambda L, x, w: x.reciprocal_(),
    "sin_": lambda L, x, w: x.sin_(), "cos_": lambda L, x, w: x.cos_(), "log1p_": lambda L, x, w: x.log1p_(),
    "rsqrt_": lambda L, x, w: x.rsqrt_(), "square_": lambda L, x, w: x.square_(),
    "tril_": lambda L, x, w: x.tril_(), "triu_": lambda L, x, w: x.triu_(1),
    "logical_not_": lambda L, x, w: x.logical_not_(),
    "logical_and_": lambda L, x, w: x.logical_and_(w > 1), "logical_or_": lambda L, x, w: x.logical_or_(w > 1),
    "masked_fill_": lambda L, x, w: x.masked_fill_(_bool_mask(L, x.shape), 0.25),
    "scatter_": lambda L, x, w: x.scatter_(0, _index(L, np.zeros((1,) + tuple(x.shape[1:]), int)), 2.0),
    "scatter_add_": lambda L, x, w: x.scatter_add_(0, _index(L, np.zeros(tuple(w.shape), int)), w),
    "index_fill_": lambda L, x, w: x.index_fill_(0, _index(L, [0, 2]), -1.0),
    "index_add_": lambda L, x, w: x.index_add_(0, _index(L, list(range(w.shape[0]))), w, alpha=0.5),
    "index_copy_": lambda L, x, w: x.index_copy_(0, _index(L, list(range(w.shape[0]))[::-1]), w),
    "index_put_": lambda L, x, w: x.index_put_((_index(L, [0, 1]),), L.tensor(3.0, dtype=x.dtype)),
    "fill_diagonal_": lambda L, x, w: x.fill_diagonal_(7.0),
    "zero_": lambda L, x, w: x.zero_(), "fill_": lambda L, x, w: x.fill_(3.0),
    "copy_": lambda L, x, w: x.copy_(w), "uniform_": lambda L, x, w: x.uniform_(),
    "normal_": lambda L, x, w: x.normal_(), "bernoulli_": lambda L, x, w: x.bernoulli_(0.5),
    "random_": lambda L, x, w: x.random_(0, 5),
    "__iadd__": lambda L, x, w: x.__iadd__(w), "__isub__": lambda L, x, w: x.__isub__(w),
    "__imul__": lambda L, x, w: x.__imul__(w), "__itruediv__": lambda L, x, w: x.__itruediv__(w),
    "__ipow__": lambda L, x, w: x.__ipow__(w), "__imod__": lambda L, x, w: x.__imod__(0.7),
    "__ifloordiv__": lambda L, x, w: x.__ifloordiv__(0.3), "__iand__": lambda L, x, w: x.__iand__(w),
    "__ior__": lambda L, x, w: x.__ior__(w), "__ixor__": lambda L, x, w: x.__ixor__(w),
    "__setitem__": lambda L, x, w: x.__setitem__((slice(0, 2), 1), w[0, 0]),
}
NOT_DATA_CHANGES = {"requires_grad_", "detach_"}  # in-place on the tensor's autograd flags, not its values


def _inplace_methods():
    names = {n for n in dir(mt.Tensor) if n.endswith("_") and not n.startswith("_") and callable(
        getattr(mt.Tensor, n, None))}
    names |= {n for n in dir(mt.Tensor) if n.startswith("__i") and n.endswith("__") and n not in (
        "__init__", "__iter__", "__index__", "__int__", "__invert__", "__init_subclass__")}
    return sorted(names - NOT_DATA_CHANGES) + ["__setitem__"]


def test_every_inplace_method_is_covered():
    missing = [n for n in _inplace_methods() if n not in INPLACE]
    assert not missing, f"in-place methods without a row in INPLACE: {missing}"


def _outcome(L, scenario, op, seed=0):
    """Run one scenario; returns ('error', type name) or ('ok', [arrays to compare])."""
    L.manual_seed(seed)
    x_values, w_values = _values(seed), _values(seed + 1)
    weights = _t(L, _values(seed + 2))
    try:
        if scenario == "leaf":
            x = _t(L, x_values, grad=True)
            op(L, x, _t(L, w_values))
            return "ok", [x]
        if scenario == "leaf_view":
            x = _t(L, x_values, grad=True)
            op(L, x[1:], _t(L, w_values[1:]))
            return "ok", [x]
        if scenario in ("nonleaf", "view", "view_t", "saved_output", "saved_input"):
            x = _t(L, x_values, grad=True)
            w = _t(L, w_values, grad=True)
            y = x.sigmoid() if scenario == "saved_output" else x * 1.5
            z = y * y if scenario == "saved_input" else None
            if scenario == "view":
                op(L, y[1:], w[1:])
            elif scenario == "view_t":
                op(L, y.t(), w.t())
            else:
                op(L, y, w)
            loss = (z if z is not None else y * weights).sum()
            loss.backward()
            return "ok", [y, x.grad, w.grad]
        if scenario == "operand":
            a = _t(L, x_values)
            w = _t(L, w_values, grad=True)
            op(L, a, w)
            if a.requires_grad:
                (a * weights).sum().backward()
            return "ok", [a, w.grad, a.requires_grad]
        if scenario == "no_grad":
            x = _t(L, x_values, grad=True)
            with L.no_grad():
                op(L, x, _t(L, w_values))
            return "ok", [x, x.requires_grad]
    except Exception as e:  # noqa: BLE001 - compared with what torch raises
        return "error", type(e).__name__
    raise ValueError(scenario)


def _as_numpy(v):
    if v is None or isinstance(v, bool):
        return v
    if isinstance(v, torch.Tensor):
        return v.detach().numpy()
    return v.detach().numpy()


SCENARIOS = ["leaf", "leaf_view", "nonleaf", "saved_output", "saved_input", "view", "view_t", "operand",
             "no_grad"]


@pytest.mark.parametrize("scenario", SCENARIOS)
@pytest.mark.parametrize("name", sorted(INPLACE))
def test_inplace_like_torch(name, scenario):
    op = INPLACE[name]
    theirs = _outcome(torch, scenario, op)
    ours = _outcome(mt, scenario, op)
    assert ours[0] == theirs[0], f"minitorch_lite: {ours}, torch: {theirs}"
    if theirs[0] == "error":
        assert ours[1] == theirs[1]
        return
    for i, (a, b) in enumerate(zip(ours[1], theirs[1])):
        a, b = _as_numpy(a), _as_numpy(b)
        if b is None or isinstance(b, bool):
            assert a == b, f"item {i}: {a} vs torch {b}"
        else:
            assert a is not None, f"item {i}: None vs torch {b}"
            np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-12, err_msg=f"item {i}")


def test_grad_fn_names_of_fills():
    for call, name in (("zero_()", "ZeroBackward0"), ("fill_(1.0)", "FillBackward2"),
                       ("normal_()", "NormalBackward0"), ("uniform_()", "UniformBackward0"),
                       ("bernoulli_(0.5)", "BernoulliBackward2"), ("random_(0, 3)", "RandomBackward0"),
                       ("copy_(mt.ones(3))", "CopyBackwards")):
        y = mt.ones(3, requires_grad=True) * 2
        eval("y." + call, {"y": y, "mt": mt})
        assert y.grad_fn.name() == name


def test_reciprocal_by_division_does_not_save_its_input():
    """`1.0 / a` then an in-place change of `a`: torch saves the reciprocal, not `a`, so no error."""
    for L in (torch, mt):
        x = L.tensor([0.5, 2.0], requires_grad=True)
        a = x * 1
        b = 2.0 / a
        a.add_(1)
        b.sum().backward()
        assert np.allclose(_as_numpy(x.grad), [-8.0, -0.5])


def test_version_error_message_like_torch():
    messages = []
    for L in (torch, mt):
        x = L.tensor([0.5, -1.0, 2.0], requires_grad=True)
        y = x.tanh()
        y.zero_()
        with pytest.raises(RuntimeError) as err:
            y.sum().backward()
        messages.append(str(err.value))
    assert messages[0] == messages[1]


def test_data_changes_are_not_versioned():
    """As in torch, `.data` shares memory but not the version counter: autograd cannot see changes."""
    for L in (torch, mt):
        x = L.ones(3, requires_grad=True)
        y = x.exp()
        y.data.zero_()
        y.sum().backward()
        assert np.allclose(_as_numpy(x.grad), 0.0)
