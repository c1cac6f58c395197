"""Convolution, padding and pooling against torch: functional ops (forward + input grads), layers
(forward + parameter grads), reprs and error messages.

Each functional case runs in float64 and float32 on every device; layer cases also in train and
eval mode (see layer_harness.check_module).
"""
import re

import numpy as np
import pytest
import torch

import minitorch_lite as mt
from harness import check_op, check_same_error
from layer_harness import check_module


def F(L):
    return L.nn.functional


# ---- conv2d / conv1d -----------------------------------------------------------------------------------------

CONV_CASES = [
    # (id, fn(L, *inputs), input shapes)
    ("basic_pad1", lambda L, x, w, b: F(L).conv2d(x, w, b, padding=1), [(2, 3, 7, 7), (4, 3, 3, 3), (4,)]),
    ("no_bias", lambda L, x, w: F(L).conv2d(x, w), [(2, 3, 6, 5), (4, 3, 3, 3)]),
    ("stride_dilation", lambda L, x, w, b: F(L).conv2d(x, w, b, stride=2, padding=(1, 2), dilation=(2, 1)),
     [(2, 3, 9, 8), (4, 3, 3, 2), (4,)]),
    ("kernel_1x1", lambda L, x, w, b: F(L).conv2d(x, w, b), [(2, 5, 4, 6), (3, 5, 1, 1), (3,)]),
    ("stride_gt_kernel", lambda L, x, w: F(L).conv2d(x, w, stride=3), [(2, 2, 8, 7), (3, 2, 2, 2)]),
    ("stride_non_square", lambda L, x, w: F(L).conv2d(x, w, stride=(3, 4), padding=(1, 0)),
     [(2, 3, 5, 6), (6, 3, 2, 2)]),
    ("padding_3", lambda L, x, w, b: F(L).conv2d(x, w, b, padding=3), [(2, 3, 5, 6), (4, 3, 3, 3), (4,)]),
    ("non_square_kernel", lambda L, x, w: F(L).conv2d(x, w, padding=(2, 1)), [(1, 2, 6, 9), (3, 2, 5, 3)]),
    ("batch_1", lambda L, x, w, b: F(L).conv2d(x, w, b, padding=1), [(1, 3, 5, 5), (2, 3, 3, 3), (2,)]),
    ("unbatched", lambda L, x, w, b: F(L).conv2d(x, w, b, padding=1), [(3, 5, 5), (2, 3, 3, 3), (2,)]),
    ("groups_2", lambda L, x, w, b: F(L).conv2d(x, w, b, groups=2, padding=1), [(2, 4, 6, 6), (6, 2, 3, 3), (6,)]),
    ("depthwise", lambda L, x, w: F(L).conv2d(x, w, groups=4, padding=1), [(2, 4, 6, 6), (8, 1, 3, 3)]),
    ("depthwise_strided", lambda L, x, w: F(L).conv2d(x, w, groups=3, stride=2, padding=1), [(2, 3, 7, 7), (3, 1, 3, 3)]),
    ("groups_dilation_pad", lambda L, x, w, b: F(L).conv2d(x, w, b, padding=(3, 0), dilation=2, groups=3),
     [(2, 3, 5, 6), (6, 1, 2, 3), (6,)]),
    ("same_odd", lambda L, x, w: F(L).conv2d(x, w, padding="same"), [(2, 3, 6, 7), (4, 3, 3, 5)]),
    ("same_even_kernel", lambda L, x, w: F(L).conv2d(x, w, groups=2, padding="same"), [(2, 4, 6, 6), (6, 2, 4, 3)]),
    ("same_dilated", lambda L, x, w: F(L).conv2d(x, w, padding="same", dilation=2), [(2, 3, 8, 8), (2, 3, 3, 2)]),
    ("valid", lambda L, x, w: F(L).conv2d(x, w, padding="valid"), [(2, 3, 6, 7), (4, 3, 3, 3)]),
    ("kernel_equals_input", lambda L, x, w: F(L).conv2d(x, w), [(2, 3, 4, 4), (5, 3, 4, 4)]),
    ("conv1d", lambda L, x, w, b: F(L).conv1d(x, w, b, padding=2, stride=2), [(2, 3, 9), (4, 3, 3), (4,)]),
    ("conv1d_same_groups", lambda L, x, w: F(L).conv1d(x, w, padding="same", groups=2, dilation=2),
     [(2, 4, 9), (6, 2, 4)]),
    ("conv1d_unbatched", lambda L, x, w: F(L).conv1d(x, w), [(3, 9), (4, 3, 3)]),
]


@pytest.mark.filterwarnings("ignore:Using padding='same'")
@pytest.mark.parametrize("name,fn,shapes", CONV_CASES, ids=[c[0] for c in CONV_CASES])
def test_conv(name, fn, shapes, device):
    check_op(fn, shapes, device=device, check_grad_fn=True)


def test_conv_non_contiguous_inputs(device):
    check_op(lambda L, x, w: F(L).conv2d(x, w, padding=1), [(2, 3, 5, 6), (4, 3, 3, 3)],
             layouts=("transposed", "sliced"), device=device)


def test_conv_integer_input():
    x = np.random.default_rng(0).integers(-5, 5, (2, 3, 5, 5))
    w = np.random.default_rng(1).integers(-5, 5, (4, 3, 3, 3))
    check_op(lambda L, x, w: F(L).conv2d(x, w, padding=1), arrays=[x, w], grad=False)


def test_conv_weight_grad_only():
    """An input that needs no gradient (the first layer) still gives exact weight and bias grads."""
    rng = np.random.default_rng(0)
    x, w, b = rng.normal(size=(2, 3, 6, 6)), rng.normal(size=(4, 3, 3, 3)), rng.normal(size=4)
    tw, tb = torch.tensor(w, requires_grad=True), torch.tensor(b, requires_grad=True)
    mw, mb = mt.tensor(w, requires_grad=True), mt.tensor(b, requires_grad=True)
    torch.nn.functional.conv2d(torch.tensor(x), tw, tb, padding=1).square().sum().backward()
    mt.nn.functional.conv2d(mt.tensor(x), mw, mb, padding=1).square().sum().backward()
    np.testing.assert_allclose(mw.grad.numpy(), tw.grad.numpy(), rtol=1e-10)
    np.testing.assert_allclose(mb.grad.numpy(), tb.grad.numpy(), rtol=1e-10)


CONV_ERRORS = [
    ("channels", lambda L: F(L).conv2d(L.randn(1, 1, 28, 28), L.randn(10, 3, 3, 3))),
    ("uint8_input_with_bias", lambda L: F(L).conv2d(L.zeros(1, 3, 8, 8, dtype=L.uint8), L.randn(10, 3, 3, 3),
                                                    L.randn(10))),
    ("double_input_float_bias", lambda L: F(L).conv2d(L.randn(1, 3, 8, 8, dtype=L.float64), L.randn(10, 3, 3, 3),
                                                      L.randn(10))),
    ("uint8_input_no_bias", lambda L: F(L).conv2d(L.zeros(1, 3, 8, 8, dtype=L.uint8), L.randn(10, 3, 3, 3))),
    ("double_weight", lambda L: F(L).conv2d(L.randn(1, 3, 8, 8), L.randn(10, 3, 3, 3, dtype=L.float64))),
    ("input_2d", lambda L: F(L).conv2d(L.randn(28, 28), L.randn(10, 3, 3, 3))),
    ("conv1d_4d", lambda L: F(L).conv1d(L.randn(1, 3, 5, 5), L.randn(10, 3, 3))),
    ("kernel_too_big", lambda L: F(L).conv2d(L.randn(1, 3, 2, 2), L.randn(10, 3, 3, 3))),
    ("stride_0", lambda L: F(L).conv2d(L.randn(1, 3, 5, 5), L.randn(10, 3, 3, 3), stride=0)),
    ("negative_padding", lambda L: F(L).conv2d(L.randn(1, 3, 5, 5), L.randn(10, 3, 3, 3), padding=-1)),
    ("dilation_0", lambda L: F(L).conv2d(L.randn(1, 3, 5, 5), L.randn(10, 3, 3, 3), dilation=0)),
    ("groups_0", lambda L: F(L).conv2d(L.randn(1, 3, 5, 5), L.randn(10, 3, 3, 3), groups=0)),
    ("same_strided", lambda L: F(L).conv2d(L.randn(1, 3, 5, 5), L.randn(10, 3, 3, 3), padding="same", stride=2)),
    ("bad_padding_string", lambda L: F(L).conv2d(L.randn(1, 3, 5, 5), L.randn(10, 3, 3, 3), padding="foo")),
    ("bad_padding_length", lambda L: F(L).conv2d(L.randn(1, 3, 5, 5), L.randn(10, 3, 3, 3), padding=(1, 2, 3))),
    ("bias_size", lambda L: F(L).conv2d(L.randn(1, 3, 5, 5), L.randn(10, 3, 3, 3), L.randn(9))),
    ("weight_not_divisible", lambda L: F(L).conv2d(L.randn(1, 4, 5, 5), L.randn(9, 2, 3, 3), groups=2)),
    ("weight_3d", lambda L: F(L).conv2d(L.randn(1, 3, 5, 5), L.randn(10, 3, 3))),
    ("module_groups_in", lambda L: L.nn.Conv2d(4, 8, 3, groups=3)),
    ("module_groups_out", lambda L: L.nn.Conv2d(4, 9, 3, groups=2)),
    ("module_groups_0", lambda L: L.nn.Conv2d(4, 8, 3, groups=0)),
    ("module_same_strided", lambda L: L.nn.Conv2d(4, 8, 3, padding="same", stride=2)),
    ("module_padding_mode", lambda L: L.nn.Conv2d(4, 8, 3, padding_mode="foo")),
    ("module_padding_string", lambda L: L.nn.Conv2d(4, 8, 3, padding="bar")),
]


def _sorted_sets(message):
    """torch prints Python sets in its messages; their order depends on how the set was built, so
    compare the contents of {...} as sorted items."""
    return re.sub(r"\{([^}]*)\}", lambda m: "{" + ", ".join(sorted(m.group(1).split(", "))) + "}", message)


@pytest.mark.parametrize("name,fn", CONV_ERRORS, ids=[c[0] for c in CONV_ERRORS])
def test_conv_errors(name, fn):
    ours, theirs = check_same_error(fn)
    assert _sorted_sets(ours) == _sorted_sets(theirs)


CONV_MODULES = [
    ("tinyvgg_conv", lambda L: L.nn.Conv2d(3, 4, 3, 1, 1), [(2, 3, 6, 6)]),
    ("strided_no_bias", lambda L: L.nn.Conv2d(2, 4, (3, 2), stride=(2, 1), padding=(1, 0), bias=False),
     [(2, 2, 7, 6)]),
    ("depthwise_dilated", lambda L: L.nn.Conv2d(4, 8, 3, padding=2, dilation=2, groups=4), [(2, 4, 6, 6)]),
    ("same_even", lambda L: L.nn.Conv2d(2, 3, 4, padding="same"), [(2, 2, 5, 6)]),
    ("reflect", lambda L: L.nn.Conv2d(2, 3, 3, padding=1, padding_mode="reflect"), [(2, 2, 5, 6)]),
    ("replicate", lambda L: L.nn.Conv2d(2, 3, 3, padding=(2, 1), padding_mode="replicate"), [(2, 2, 5, 6)]),
    ("circular", lambda L: L.nn.Conv2d(2, 3, 3, padding=1, padding_mode="circular"), [(2, 2, 5, 6)]),
    ("reflect_same_unbatched", lambda L: L.nn.Conv2d(2, 3, 4, padding="same", padding_mode="reflect"),
     [(2, 5, 6)]),
    ("conv1d", lambda L: L.nn.Conv1d(3, 4, 3, stride=2, padding=1), [(2, 3, 9)]),
    ("conv1d_circular", lambda L: L.nn.Conv1d(3, 4, 3, padding=2, padding_mode="circular"), [(2, 3, 9)]),
]


@pytest.mark.filterwarnings("ignore:Using padding='same'")
@pytest.mark.parametrize("name,make,shapes", CONV_MODULES, ids=[c[0] for c in CONV_MODULES])
def test_conv_module(name, make, shapes, device):
    check_module(make, shapes, modes=("train",), device=device)


REPRS = [
    lambda L: L.nn.Conv2d(3, 10, 3),
    lambda L: L.nn.Conv2d(1, 10, kernel_size=3, stride=1, padding=1),
    lambda L: L.nn.Conv2d(3, 10, (3, 5), stride=2, padding=1, dilation=2, bias=False, padding_mode="reflect"),
    lambda L: L.nn.Conv2d(4, 8, 3, padding="same", groups=2),
    lambda L: L.nn.Conv2d(4, 8, 3, padding="valid"),
    lambda L: L.nn.Conv1d(3, 4, 2, padding="same"),
    lambda L: L.nn.Conv1d(3, 6, 5, stride=2, groups=3, padding_mode="circular"),
    lambda L: L.nn.MaxPool2d(2),
    lambda L: L.nn.MaxPool2d((2, 3), 1, 1, 2, True, True),
    lambda L: L.nn.MaxPool2d(kernel_size=3, stride=2),
    lambda L: L.nn.AvgPool2d(2),
    lambda L: L.nn.AvgPool2d((2, 3), 1, 1, True, False, 3),
    lambda L: L.nn.AdaptiveAvgPool2d((5, None)),
    lambda L: L.nn.AdaptiveAvgPool2d(1),
]


@pytest.mark.parametrize("make", REPRS)
def test_reprs(make):
    assert repr(make(mt)) == repr(make(torch))


def test_conv_attributes_and_shapes():
    for L in (torch, mt):
        conv = L.nn.Conv2d(2, 6, 3, groups=2, bias=False)
        assert tuple(conv.weight.shape) == (6, 1, 3, 3)
        assert conv.bias is None
        assert conv._reversed_padding_repeated_twice == (0, 0, 0, 0)
    t, m = torch.nn.Conv2d(2, 6, (3, 4), padding="same"), mt.nn.Conv2d(2, 6, (3, 4), padding="same")
    assert m._reversed_padding_repeated_twice == t._reversed_padding_repeated_twice
    assert (m.kernel_size, m.stride, m.padding, m.dilation) == (t.kernel_size, t.stride, t.padding, t.dilation)
    assert list(m.state_dict()) == list(t.state_dict())


# ---- pad ----------------------------------------------------------------------------------------------------------

PAD_CASES = []
for _mode in ("constant", "reflect", "replicate", "circular"):
    PAD_CASES += [
        (f"{_mode}_2d", lambda L, x, m=_mode: F(L).pad(x, (1, 2, 2, 0), mode=m), [(2, 3, 4, 5)]),
        (f"{_mode}_crop", lambda L, x, m=_mode: F(L).pad(x, (-1, 2, 2, -1), mode=m), [(2, 3, 4, 5)]),
        (f"{_mode}_1d", lambda L, x, m=_mode: F(L).pad(x, (3, 2), mode=m), [(3, 4)]),
        (f"{_mode}_3d_input", lambda L, x, m=_mode: F(L).pad(x, (2, 2, 1, 3), mode=m), [(3, 4, 5)]),
    ]
PAD_CASES += [
    ("constant_value", lambda L, x: F(L).pad(x, (1, 1, 2, 2, 1, 0), value=-1.5), [(2, 3, 4, 5)]),
    ("reflect_3d", lambda L, x: F(L).pad(x, (1, 1, 2, 1, 1, 0), mode="reflect"), [(2, 3, 4, 5)]),
]


@pytest.mark.parametrize("name,fn,shapes", PAD_CASES, ids=[c[0] for c in PAD_CASES])
def test_pad(name, fn, shapes, device):
    check_op(fn, shapes, device=device, check_grad_fn=name.startswith(("constant", "reflect", "replicate")))


PAD_ERRORS = [
    lambda L: F(L).pad(L.randn(1, 2, 3, 3), (1, 2, 3)),
    lambda L: F(L).pad(L.randn(1, 2, 3, 3), (1, 2), mode="reflect"),
    lambda L: F(L).pad(L.randn(1, 2, 3, 3), (3, 3, 1, 1), mode="reflect"),
    lambda L: F(L).pad(L.randn(1, 2, 3, 3), (4, 3, 1, 1), mode="circular"),
    lambda L: F(L).pad(L.randn(1, 2, 3, 3), (1, 1), mode="foo"),
    lambda L: F(L).pad(L.randn(1, 2, 3, 3), (1, 1), value=2.0, mode="reflect"),
    lambda L: F(L).pad(L.randn(1, 2, 3, 3), (1,) * 10),
    lambda L: F(L).pad(L.randn(1, 2, 3, 3), (-2, -2)),
]


@pytest.mark.parametrize("fn", PAD_ERRORS)
def test_pad_errors(fn):
    ours, theirs = check_same_error(fn)
    assert ours == theirs


# ---- pooling -------------------------------------------------------------------------------------------------

def _ties():
    return np.round(np.random.default_rng(3).uniform(0, 2, (2, 2, 6, 6)))


def _nans():
    x = np.random.default_rng(4).uniform(-1, 1, (1, 2, 4, 4))
    x[0, 0, 0, 1] = x[0, 0, 1, 0] = x[0, 1, 3, 3] = np.nan
    return x


POOL_CASES = [
    ("max_2", lambda L, x: F(L).max_pool2d(x, 2), dict(shapes=[(2, 3, 8, 8)])),
    ("max_odd_size", lambda L, x: F(L).max_pool2d(x, 2), dict(shapes=[(2, 3, 7, 5)])),
    ("max_3_2_1_ceil", lambda L, x: F(L).max_pool2d(x, 3, 2, 1, ceil_mode=True), dict(shapes=[(2, 3, 8, 7)])),
    ("max_ceil_last_window_dropped", lambda L, x: F(L).max_pool2d(x, 2, 2, 1, ceil_mode=True),
     dict(shapes=[(1, 2, 5, 5)])),
    ("max_dilated", lambda L, x: F(L).max_pool2d(x, (2, 3), (1, 2), (1, 1), dilation=(2, 1)),
     dict(shapes=[(2, 3, 8, 7)])),
    ("max_stride_gt_kernel", lambda L, x: F(L).max_pool2d(x, 2, 3), dict(shapes=[(3, 8, 7)])),
    ("max_overlapping", lambda L, x: F(L).max_pool2d(x, 3, 1), dict(shapes=[(2, 2, 6, 6)])),
    ("max_indices", lambda L, x: F(L).max_pool2d(x, 2, return_indices=True), dict(shapes=[(2, 3, 5, 5)])),
    ("max_indices_padded", lambda L, x: F(L).max_pool2d(x, 3, 2, 1, ceil_mode=True, return_indices=True),
     dict(shapes=[(2, 3, 8, 7)])),
    ("max_ties_first_wins", lambda L, x: F(L).max_pool2d(x, 2, return_indices=True), dict(arrays=[_ties()])),
    ("max_ties_overlapping", lambda L, x: F(L).max_pool2d(x, 3, 1, 1), dict(arrays=[_ties()])),
    ("max_all_equal", lambda L, x: F(L).max_pool2d(x, 2), dict(arrays=[np.ones((1, 2, 4, 4))])),
    ("max_nan", lambda L, x: F(L).max_pool2d(x, 2, return_indices=True), dict(arrays=[_nans()])),
    ("max_int", lambda L, x: F(L).max_pool2d(x, 2, 1, 1),
     dict(arrays=[np.random.default_rng(0).integers(-9, 9, (2, 2, 5, 5))], grad=False)),
    ("avg_2", lambda L, x: F(L).avg_pool2d(x, 2), dict(shapes=[(2, 3, 8, 7)])),
    ("avg_3_2_1_ceil", lambda L, x: F(L).avg_pool2d(x, 3, 2, 1, ceil_mode=True), dict(shapes=[(2, 3, 8, 7)])),
    ("avg_exclude_pad_ceil", lambda L, x: F(L).avg_pool2d(x, 3, 2, 1, ceil_mode=True, count_include_pad=False),
     dict(shapes=[(2, 3, 8, 7)])),
    ("avg_exclude_pad", lambda L, x: F(L).avg_pool2d(x, (2, 3), 1, 1, count_include_pad=False),
     dict(shapes=[(2, 3, 8, 7)])),
    ("avg_divisor", lambda L, x: F(L).avg_pool2d(x, 3, 2, 1, divisor_override=5), dict(shapes=[(2, 3, 8, 7)])),
    ("avg_stride_gt_kernel", lambda L, x: F(L).avg_pool2d(x, 2, 3), dict(shapes=[(2, 3, 8, 7)])),
    ("avg_unbatched", lambda L, x: F(L).avg_pool2d(x, 2, 1), dict(shapes=[(3, 5, 4)])),
    ("avg_int", lambda L, x: F(L).avg_pool2d(x, 3, 1, 1),
     dict(arrays=[np.random.default_rng(0).integers(-9, 9, (1, 4, 4))], grad=False)),
    ("adaptive_1", lambda L, x: F(L).adaptive_avg_pool2d(x, 1), dict(shapes=[(2, 3, 8, 7)])),
    ("adaptive_divisible", lambda L, x: F(L).adaptive_avg_pool2d(x, (4, 7)), dict(shapes=[(2, 3, 8, 7)])),
    ("adaptive_non_divisible", lambda L, x: F(L).adaptive_avg_pool2d(x, 3), dict(shapes=[(2, 3, 8, 7)])),
    ("adaptive_none", lambda L, x: F(L).adaptive_avg_pool2d(x, (None, 3)), dict(shapes=[(2, 3, 8, 7)])),
    ("adaptive_upsample", lambda L, x: F(L).adaptive_avg_pool2d(x, (9, 10)), dict(shapes=[(2, 3, 8, 7)])),
    ("adaptive_unbatched", lambda L, x: F(L).adaptive_avg_pool2d(x, (2, 5)), dict(shapes=[(3, 8, 7)])),
]


@pytest.mark.parametrize("name,fn,opts", POOL_CASES, ids=[c[0] for c in POOL_CASES])
def test_pool(name, fn, opts, device):
    check_op(fn, device=device, check_grad_fn=True, **opts)


def test_max_pool_non_contiguous(device):
    check_op(lambda L, x: F(L).max_pool2d(x, 2), [(2, 3, 6, 6)], layouts=("transposed", "sliced"), device=device)


POOL_ERRORS = [
    lambda L: F(L).max_pool2d(L.randn(5, 5), 2),
    lambda L: F(L).max_pool2d(L.randn(1, 2, 5, 5), 2, padding=2),
    lambda L: F(L).max_pool2d(L.randn(1, 2, 5, 5), 6),
    lambda L: F(L).max_pool2d(L.randn(1, 2, 5, 5), (2, 2, 2)),
    lambda L: F(L).max_pool2d(L.randn(1, 2, 5, 5), 2, stride=0),
    lambda L: F(L).max_pool2d(L.randn(1, 2, 5, 5), 0),
    lambda L: F(L).max_pool2d(L.randn(1, 2, 5, 5), 2, dilation=0),
    lambda L: F(L).avg_pool2d(L.randn(1, 2, 5, 5), 2, padding=2),
    lambda L: F(L).avg_pool2d(L.randn(1, 2, 5, 5), 6),
    lambda L: F(L).avg_pool2d(L.randn(1, 2, 5, 5), 2, divisor_override=0),
    lambda L: F(L).adaptive_avg_pool2d(L.randn(1, 2, 5, 5), (1, 2, 3)),
    lambda L: F(L).adaptive_avg_pool2d(L.randn(5, 5), 3),
    lambda L: F(L).adaptive_avg_pool2d(L.ones(1, 2, 5, 5, dtype=L.int64), 3),
]


@pytest.mark.parametrize("fn", POOL_ERRORS)
def test_pool_errors(fn):
    ours, theirs = check_same_error(fn)
    assert ours == theirs


POOL_MODULES = [
    ("maxpool", lambda L: L.nn.MaxPool2d(2), [(2, 3, 6, 6)]),
    ("maxpool_ceil", lambda L: L.nn.MaxPool2d(3, 2, 1, ceil_mode=True), [(2, 3, 7, 6)]),
    ("maxpool_indices", lambda L: L.nn.MaxPool2d(2, return_indices=True), [(2, 3, 6, 6)]),
    ("avgpool", lambda L: L.nn.AvgPool2d(3, 2, 1, count_include_pad=False), [(2, 3, 7, 6)]),
    ("adaptive", lambda L: L.nn.AdaptiveAvgPool2d((3, 4)), [(2, 3, 7, 6)]),
]


@pytest.mark.parametrize("name,make,shapes", POOL_MODULES, ids=[c[0] for c in POOL_MODULES])
def test_pool_module(name, make, shapes, device):
    check_module(make, shapes, modes=("train",), device=device)


def test_tinyvgg_block_end_to_end(device):
    """The course's TinyVGG feature block: conv, relu, conv, relu, maxpool, flatten, linear."""
    def make(L):
        return L.nn.Sequential(L.nn.Conv2d(1, 4, 3, 1, 1), L.nn.ReLU(), L.nn.Conv2d(4, 4, 3, 1, 1), L.nn.ReLU(),
                               L.nn.MaxPool2d(2), L.nn.Flatten(), L.nn.Linear(4 * 7 * 7, 3))
    check_module(make, [(2, 1, 14, 14)], modes=("train",), device=device)
