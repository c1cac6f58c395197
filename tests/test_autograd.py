"""The autograd engine against torch: accumulation, graph freeing, hooks, grad modes, in-place
detection, deep graphs and autograd.grad. Errors are compared by type and message with torch's."""
import numpy as np
import pytest
import torch

import minitorch_lite as mt
from harness import assert_close, check_same_error, gradcheck


def both(fn):
    """Run fn(lib) for torch and mt and compare what it returns."""
    assert_close(fn(mt), fn(torch), 1e-6, 1e-7)


def test_gradients_accumulate_over_backward_calls():
    def run(L):
        x = L.tensor([1.0, -2.0, 3.0], requires_grad=True)
        (x * x).sum().backward()
        (x * 3).sum().backward()
        return x.grad
    both(run)


def test_diamond_graph_sums_both_paths():
    def run(L):
        x = L.tensor([0.5, 1.5], requires_grad=True)
        y = x.exp()
        z = y * y + y.sin()  # y is used twice
        z.sum().backward()
        return x.grad
    both(run)


def test_backward_with_explicit_gradient_and_error_for_non_scalar():
    def run(L):
        x = L.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
        (x * 2).backward(L.tensor([[1.0, 0.5], [0.25, 2.0]]))
        return x.grad
    both(run)
    msg, t_msg = check_same_error(lambda L: (L.ones(2, requires_grad=True) * 2).backward())
    assert msg == t_msg


def test_second_backward_without_retain_graph_raises():
    def run(L, retain):
        x = L.tensor([1.0, 2.0], requires_grad=True)
        y = (x.exp() * x).sum()
        y.backward(retain_graph=retain)
        y.backward()
        return x.grad
    both(lambda L: run(L, True))
    msg, t_msg = check_same_error(run, False)
    assert msg == t_msg


def test_graph_without_saved_values_can_run_twice_like_torch():
    def run(L):
        x = L.tensor([1.0, 2.0], requires_grad=True)
        y = (x + 1).sum()
        y.backward()
        y.backward()
        return x.grad
    both(run)


def test_backward_on_tensor_without_grad_raises():
    msg, t_msg = check_same_error(lambda L: L.ones(2).sum().backward())
    assert msg == t_msg


def test_deep_graph_has_no_recursion_limit():
    x = mt.tensor([1.0], dtype=mt.float64, requires_grad=True)
    y = x
    for _ in range(20000):
        y = y * 1.0001
    y.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [1.0001 ** 20000], rtol=1e-10)


def test_hooks_on_leaf_and_non_leaf_and_removal():
    def run(L):
        x = L.tensor([1.0, 2.0], requires_grad=True)
        seen = []
        h1 = x.register_hook(lambda g: g * 10)
        y = x * x
        y.register_hook(lambda g: seen.append(g.clone()))
        y.sum().backward()
        h1.remove()
        (x * 1).sum().backward()
        return x.grad, seen[0]
    both(run)


def test_retain_grad_keeps_non_leaf_grad():
    def run(L):
        x = L.tensor([1.0, 2.0], requires_grad=True)
        y = x * 3
        y.retain_grad()
        z = (y * y).sum()
        z.backward()
        return y.grad, x.grad, y.is_leaf, x.is_leaf
    both(run)
    y = mt.ones(2, requires_grad=True) * 2
    assert y.grad is None  # non-leaf without retain_grad


def test_grad_modes_as_context_and_decorator():
    x = mt.ones(2, requires_grad=True)
    with mt.no_grad():
        assert not (x * 2).requires_grad
        with mt.enable_grad():
            assert (x * 2).requires_grad
    with mt.inference_mode():
        assert not (x * 2).requires_grad
        assert mt.is_inference_mode_enabled()
    with mt.set_grad_enabled(False):
        assert not mt.is_grad_enabled()
    assert mt.is_grad_enabled()

    @mt.no_grad()
    def f(t):
        return t * 2

    @mt.inference_mode()
    def g(t):
        return t * 2

    @mt.set_grad_enabled(False)
    def h(t):
        return t * 2

    assert mt.is_grad_enabled()  # defining h must not switch grad mode off
    assert not f(x).requires_grad and not g(x).requires_grad and not h(x).requires_grad
    mt.set_grad_enabled(False)
    assert not mt.is_grad_enabled()
    mt.set_grad_enabled(True)


def test_inplace_modification_of_saved_tensor_is_detected():
    def modify_output(L):
        x = L.tensor([1.0, 2.0], requires_grad=True)
        y = x.exp()
        y.add_(1)  # exp saved its output
        y.sum().backward()

    def modify_input(L):
        x = L.tensor([1.0, 2.0], requires_grad=True)
        a = x * 1
        b = a * a  # mul saved a
        a.mul_(2)
        b.sum().backward()

    for fn in (modify_output, modify_input):
        msg, t_msg = check_same_error(fn)
        assert "modified by an inplace operation" in msg
        assert msg.split("Hint")[0].split(", is at version")[0].split("which is output 0 of")[0] == \
            t_msg.split("Hint")[0].split(", is at version")[0].split("which is output 0 of")[0]


def test_inplace_on_unsaved_input_is_fine_like_torch():
    def run(L):
        x = L.tensor([1.0, 2.0], requires_grad=True)
        a = x * 1
        b = a + 1  # add saves nothing
        a.mul_(5)
        (b * 1).sum().backward()
        return x.grad
    both(run)


def test_inplace_ops_with_graph_give_torch_gradients():
    def run(L):
        x = L.tensor([1.0, -2.0, 3.0], requires_grad=True)
        w = L.tensor([0.5, 1.5, -1.0], requires_grad=True)
        y = x * 2
        y.mul_(w)
        y.add_(x)
        y.relu_()
        y.sum().backward()
        return x.grad, w.grad, y
    both(run)


def test_inplace_on_leaf_requiring_grad_raises():
    msg, t_msg = check_same_error(lambda L: L.ones(2, requires_grad=True).add_(1))
    assert msg == t_msg
    x = mt.ones(2, requires_grad=True)
    with mt.no_grad():
        x.add_(1)  # allowed under no_grad, as optimisers do
    assert x.tolist() == [2.0, 2.0]


def test_inplace_dtype_error():
    msg, t_msg = check_same_error(lambda L: L.ones(2, dtype=L.int64).add_(1.5))
    assert msg == t_msg


def test_running_loss_accumulation_pattern():
    """The course starts `train_loss = 0` and does `train_loss += loss` with graphs attached."""
    def run(L):
        w = L.tensor([0.3], requires_grad=True)
        total = 0
        for k in range(3):
            loss = ((w * k - 1) ** 2).mean()
            total += loss
        total /= 3
        total.backward()
        return total.detach(), w.grad
    both(run)


def test_autograd_grad():
    def run(L):
        x = L.tensor([1.0, 2.0], requires_grad=True)
        w = L.tensor([3.0, -1.0], requires_grad=True)
        y = (x * w).sum() + (x ** 3).sum()
        gx, gw = L.autograd.grad(y, (x, w))
        return gx, gw, x.grad is None
    both(run)
    msg, t_msg = check_same_error(
        lambda L: L.autograd.grad((L.ones(2, requires_grad=True) * 2).sum(), L.ones(2, requires_grad=True)))
    assert msg == t_msg

    def unused(L):
        a, b = L.ones(2, requires_grad=True), L.ones(2, requires_grad=True)
        return L.autograd.grad((a * 2).sum(), (a, b), allow_unused=True)[1]
    assert unused(mt) is None and unused(torch) is None


def test_autograd_grad_of_non_leaf():
    def run(L):
        x = L.tensor([1.0, 2.0], requires_grad=True)
        h = x * x
        y = (h * 3).sum()
        return L.autograd.grad(y, h)
    both(run)


def test_backward_inputs_argument():
    def run(L):
        x = L.tensor([1.0, 2.0], requires_grad=True)
        w = L.tensor([3.0, 4.0], requires_grad=True)
        (x * w).sum().backward(inputs=[w])
        return x.grad is None, w.grad
    both(run)


def test_detach_and_requires_grad_rules():
    x = mt.ones(2, requires_grad=True)
    y = x * 2
    d = y.detach()
    assert not d.requires_grad and d.grad_fn is None
    d[0] = 5.0  # shares memory with y, as in torch
    assert y[0].item() == 5.0
    msg, t_msg = check_same_error(lambda L: setattr(L.ones(2, requires_grad=True) * 2, "requires_grad", False))
    assert msg == t_msg
    msg, t_msg = check_same_error(lambda L: L.ones(2, dtype=L.int64).requires_grad_())
    assert msg == t_msg


def test_grad_fn_names_and_next_functions():
    x = mt.ones(2, requires_grad=True)
    y = (x * 2).sum()
    assert y.grad_fn.name() == "SumBackward0" == type(y.grad_fn).name
    (mul, _), = y.grad_fn.next_functions
    assert mul.name() == "MulBackward0"
    assert mul.next_functions[0][0].name() == "AccumulateGrad"


def test_mixed_dtype_gradients_come_back_in_each_inputs_dtype():
    def run(L):
        a = L.tensor([1.0, 2.0], dtype=L.float32, requires_grad=True)
        b = L.tensor([3.0, 4.0], dtype=L.float64, requires_grad=True)
        (a * b).sum().backward()
        return a.grad, b.grad
    both(run)


def test_setitem_with_autograd():
    def run(L):
        x = L.tensor([1.0, 2.0, 3.0, 4.0], requires_grad=True)
        v = L.tensor([10.0, 20.0], requires_grad=True)
        y = x * 2
        y[1:3] = v * v
        y[0] = 7.0
        (y * L.tensor([1.0, 2.0, 3.0, 4.0])).sum().backward()
        return y, x.grad, v.grad
    both(run)


@pytest.mark.parametrize("fn,arrays", [
    (lambda a, b: (a * b).sin().sum(dim=0) / (b.exp() + 1).sum(), [np.random.default_rng(0).normal(size=(3, 4)),
                                                                     np.random.default_rng(1).normal(size=(4,))]),
    (lambda a: a.softmax(dim=1).log().mean(), [np.random.default_rng(2).normal(size=(3, 5))]),
    (lambda a, b: (a @ b).tanh().norm(), [np.random.default_rng(3).normal(size=(2, 3)),
                                          np.random.default_rng(4).normal(size=(3, 4))]),
    (lambda a: a.std(dim=1) + a.var() + a.logsumexp(0).sum(), [np.random.default_rng(5).normal(size=(3, 4))]),
    (lambda a: mt.gather(a, 1, mt.tensor([[0, 2], [1, 1], [3, 0]])).prod(), [np.random.default_rng(6).normal(size=(3, 4))]),
])
def test_finite_differences(fn, arrays):
    gradcheck(fn, arrays)


def test_inplace_through_views_rewires_the_base_graph():
    def run(L):
        x = L.arange(1.0, 7.0, requires_grad=True)
        w = L.tensor([2.0, -3.0], requires_grad=True)
        y = x * 2
        y[1:3].mul_(w)                     # in-place op on a slice view
        z = y.view(2, 3)
        z[:, 0].add_(w)                    # through a view of a view, non-contiguous column
        out = (y * L.arange(6.0)).sum() + (z ** 2).sum()
        out.backward()
        return y, x.grad, w.grad
    both(run)


def test_inplace_through_view_of_non_grad_buffer():
    def run(L):
        x = L.tensor([1.0, 2.0], requires_grad=True)
        buf = L.zeros(4)
        buf[1:3] = x * 3
        buf.narrow(0, 0, 2).mul_(x.sum())
        buf.sum().backward()
        return buf, x.grad
    both(run)


def test_relu_inplace_after_flatten_view():
    """EfficientNet's classifier does Dropout(inplace=True) on a flattened (view) activation."""
    def run(L):
        x = L.tensor([[1.0, -2.0], [3.0, -4.0]], requires_grad=True)
        h = (x * 2).unsqueeze(0)
        f = h.flatten(1)
        f.relu_()
        (f * L.arange(4.0)).sum().backward()
        return f, x.grad
    both(run)


# ---- the teaching version of Function.apply does what the real one does ------------------------------------

def _apply_both(make):
    """Run `make(apply)` once with Function.apply and once with plain_apply; return both results."""
    from minitorch_lite.autograd.function import Function
    results = []
    for use_plain in (False, True):
        real = Function.__dict__["apply"]
        if use_plain:
            Function.apply = Function.__dict__["plain_apply"]
        try:
            mt.manual_seed(0)
            results.append(make())
        finally:
            Function.apply = real
    return results


@pytest.mark.parametrize("name", ["mlp", "views", "inplace", "saved-then-modified", "no-grad"])
def test_plain_apply_gives_the_same_results(name):
    def make():
        x = mt.randn(4, 3, requires_grad=True)
        w = mt.randn(3, 2, requires_grad=True)
        if name == "mlp":
            loss = (x @ w).relu().sum() + (x * 2).exp().mean()
        elif name == "views":
            loss = (x.t()[1:] * 3).sum() + x.reshape(12)[::2].sum() + w.T[0].sum()
        elif name == "inplace":
            y = x * 1.5
            y[1:].mul_(w.sum())
            loss = (y * y).sum()
        elif name == "saved-then-modified":
            y = x.tanh()
            y.add_(1)
            try:
                y.sum().backward()
            except RuntimeError as e:
                return str(e)
            raise AssertionError("backward should fail")
        else:
            with mt.no_grad():
                out = x @ w
            return out.tolist(), out.requires_grad, out.grad_fn
        loss.backward()
        return loss.item(), x.grad.tolist(), w.grad.tolist(), loss.grad_fn.name()
    real, plain = _apply_both(make)
    assert real == plain
