"""EfficientNet B0/B1/B2 and vision.ops against the real torchvision: same modules, state_dict keys,
initial weights (after the same seed), weight enums (urls, meta, preprocessing), eval logits, and
the gradients of chapter 06's feature extractor (frozen features, new head)."""
import numpy as np
import pytest
import torch

import minitorch_lite as mt
from minitorch_lite.vision import models, ops
from minitorch_lite.vision.models import _api
from reference._torchvision import torchvision as tv

BUILDERS = ["efficientnet_b0", "efficientnet_b1", "efficientnet_b2"]
PARAMS = {"efficientnet_b0": 5288548, "efficientnet_b1": 7794184, "efficientnet_b2": 9109994}
ENUMS = ["EfficientNet_B0_Weights", "EfficientNet_B1_Weights", "EfficientNet_B2_Weights", "ViT_B_16_Weights"]


def to_mt_state(state_dict, device="cpu"):
    return {k: mt.from_numpy(v.detach().numpy().copy()).to(device) for k, v in state_dict.items()}


def randomise_batchnorm(model, seed=1):
    """Non-trivial running statistics and affine parameters (fresh ones are 0/1, hiding mistakes)."""
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, torch.nn.BatchNorm2d):
                m.running_mean.copy_(torch.randn(m.num_features, generator=g) * 0.1)
                m.running_var.copy_(torch.rand(m.num_features, generator=g) + 0.5)
                m.weight.copy_(torch.rand(m.num_features, generator=g) + 0.5)
                m.bias.copy_(torch.randn(m.num_features, generator=g) * 0.1)
        model.classifier[1].weight.mul_(30)  # logits of order 1, not 0.03, so rtol means something


def build_pair(name, seed=0, **kwargs):
    mt.manual_seed(seed)
    ours = getattr(models, name)(**kwargs)
    torch.manual_seed(seed)
    theirs = getattr(tv.models, name)(**kwargs)
    return ours, theirs


# ---- structure and initialisation ----------------------------------------------------------------------------

@pytest.mark.parametrize("name", BUILDERS)
def test_same_modules_keys_and_initial_weights_as_torchvision(name):
    ours, theirs = build_pair(name)
    assert repr(ours) == repr(theirs)
    assert sum(p.numel() for p in ours.parameters()) == PARAMS[name]
    our_sd, their_sd = ours.state_dict(), theirs.state_dict()
    assert list(our_sd) == list(their_sd)
    for key, value in their_sd.items():       # the same draws from the same generator, in the same order
        np.testing.assert_array_equal(our_sd[key].numpy(), value.numpy(), err_msg=key)
    assert [m.stochastic_depth.p for m in ours.modules() if isinstance(m, models.efficientnet.MBConv)] == \
        [m.stochastic_depth.p for m in theirs.modules() if type(m).__name__ == "MBConv"]


def test_builder_arguments():
    model = models.efficientnet_b0(num_classes=3, dropout=0.5, stochastic_depth_prob=0.0)
    assert model.classifier[1].out_features == 3 and model.classifier[0].p == 0.5
    assert models.efficientnet_b2().classifier[0].p == 0.3
    with pytest.raises(ValueError, match="inverted_residual_setting should not be empty"):
        models.EfficientNet([], 0.2)
    with pytest.raises(TypeError, match="List\\[MBConvConfig\\]"):
        models.EfficientNet([1, 2], 0.2)
    with pytest.raises(TypeError, match="Invalid Weight class provided; expected EfficientNet_B0_Weights "
                                        "but received EfficientNet_B1_Weights"):
        models.efficientnet_b0(weights=models.EfficientNet_B1_Weights.DEFAULT)
    with pytest.raises(KeyError):
        models.efficientnet_b0(weights="IMAGENET1K_V2")
    with pytest.raises(ValueError, match="The parameter 'num_classes' expected value 1000 but got 3"):
        models.efficientnet_b0(weights="DEFAULT", num_classes=3)


# ---- weights enums --------------------------------------------------------------------------------------------

def test_imagenet_categories_data_file_is_torchvisions():
    from torchvision.models._meta import _IMAGENET_CATEGORIES
    assert _api.IMAGENET_CATEGORIES == _IMAGENET_CATEGORIES


@pytest.mark.parametrize("enum_name", ENUMS)
def test_weights_enum_members_urls_meta_and_transforms(enum_name):
    ours, theirs = getattr(models, enum_name), getattr(tv.models, enum_name)
    assert list(ours.__members__) == list(theirs.__members__)        # DEFAULT (an alias) included
    for name, member in theirs.__members__.items():
        mine = ours[name]
        assert repr(mine) == repr(member) and mine.name == member.name
        assert mine.url == member.url
        assert mine.meta == member.meta
        assert repr(mine.transforms()) == repr(member.transforms())
        assert ours.verify(name) is mine and ours.verify(f"{enum_name}.{name}") is mine
        assert ours.verify(mine) is mine
    assert ours.verify(None) is None
    assert ours.DEFAULT is ours[theirs.DEFAULT.name]


@pytest.mark.parametrize("enum_name, member", [("EfficientNet_B0_Weights", "IMAGENET1K_V1"),
                                               ("EfficientNet_B1_Weights", "IMAGENET1K_V1"),
                                               ("EfficientNet_B1_Weights", "IMAGENET1K_V2"),
                                               ("EfficientNet_B2_Weights", "IMAGENET1K_V1"),
                                               ("ViT_B_16_Weights", "IMAGENET1K_SWAG_E2E_V1")])
def test_weights_transforms_give_torchvisions_pixels(enum_name, member):
    """The preprocessing on real photos (PIL images), bicubic and bilinear, every crop size."""
    skimage_data = pytest.importorskip("skimage.data")
    from PIL import Image
    ours = getattr(models, enum_name)[member].transforms()
    theirs = getattr(tv.models, enum_name)[member].transforms()
    for photo in (skimage_data.chelsea(), skimage_data.rocket()):
        image = Image.fromarray(photo)
        got, want = ours(image), theirs(image)
        assert got.dtype == mt.float32 and tuple(got.shape) == tuple(want.shape)
        np.testing.assert_allclose(got.numpy(), want.numpy(), rtol=0, atol=1e-6)


# ---- vision.ops -------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("mode", ["row", "batch"])
@pytest.mark.parametrize("p", [0.0, 0.3, 1.0])
def test_stochastic_depth_draws_torchvisions_masks(mode, p):
    x = np.random.default_rng(0).standard_normal((16, 3, 2, 2)).astype(np.float32)
    mt.manual_seed(7)
    torch.manual_seed(7)
    for _ in range(3):                                   # consecutive draws stay in step
        got = ops.stochastic_depth(mt.from_numpy(x), p, mode)
        want = tv.ops.stochastic_depth(torch.from_numpy(x), p, mode)
        np.testing.assert_allclose(got.numpy(), want.numpy(), rtol=1e-6)
    np.testing.assert_array_equal(ops.stochastic_depth(mt.from_numpy(x), p, mode, training=False).numpy(), x)
    layer = ops.StochasticDepth(p, mode)
    assert repr(layer) == repr(tv.ops.StochasticDepth(p, mode))
    np.testing.assert_array_equal(layer.eval()(mt.from_numpy(x)).numpy(), x)


def test_stochastic_depth_errors_and_gradient():
    x = mt.ones(2, 3)
    with pytest.raises(ValueError, match="drop probability has to be between 0 and 1, but got 1.5"):
        ops.stochastic_depth(x, 1.5, "row")
    with pytest.raises(ValueError, match="mode has to be either 'batch' or 'row', but got col"):
        ops.stochastic_depth(x, 0.5, "col")
    mt.manual_seed(0)
    leaf = mt.ones(8, 2, requires_grad=True)
    out = ops.stochastic_depth(leaf, 0.5, "row")
    out.sum().backward()
    np.testing.assert_array_equal(leaf.grad.numpy(), out.detach().numpy())   # d(x*mask)/dx = mask


def test_squeeze_excitation_and_conv_norm_activation_match_torchvision():
    mt.manual_seed(3)
    ours = mt.nn.Sequential(ops.Conv2dNormActivation(4, 8, kernel_size=3, stride=2, groups=4),
                            ops.SqueezeExcitation(8, 2))
    torch.manual_seed(3)
    theirs = torch.nn.Sequential(tv.ops.Conv2dNormActivation(4, 8, kernel_size=3, stride=2, groups=4),
                                 tv.ops.SqueezeExcitation(8, 2))
    assert repr(ours) == repr(theirs)
    x = np.random.default_rng(1).standard_normal((2, 4, 9, 9)).astype(np.float32)
    for key, value in theirs.state_dict().items():
        np.testing.assert_array_equal(ours.state_dict()[key].numpy(), value.numpy(), err_msg=key)
    got, want = ours(mt.from_numpy(x)), theirs(torch.from_numpy(x))
    np.testing.assert_allclose(got.detach().numpy(), want.detach().numpy(), rtol=1e-5, atol=1e-6)
    assert ops.Conv2dNormActivation(2, 2, kernel_size=(3, 5), dilation=(1, 2))[0].padding == (1, 4)


# ---- numerics: eval logits and the feature extractor's training step -------------------------------------------

def _eval_logits(name, image_size, batch, device="cpu"):
    ours, theirs = build_pair(name)
    randomise_batchnorm(theirs)
    ours.load_state_dict(to_mt_state(theirs.state_dict(), device))
    ours.to(device).eval()
    theirs.eval()
    x = np.random.default_rng(0).standard_normal((batch, 3, image_size, image_size)).astype(np.float32)
    with mt.no_grad():
        got = ours(mt.from_numpy(x).to(device)).cpu().numpy()
    with torch.no_grad():
        want = theirs(torch.from_numpy(x)).numpy()
    assert np.abs(want).max() > 0.5                   # logits of a useful size
    # float32 through ~80 layers: differently ordered sums (im2col GEMM vs oneDNN) drift ~1e-6 each
    np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-5)


def test_efficientnet_b0_eval_logits_224():
    _eval_logits("efficientnet_b0", 224, 2)


@pytest.mark.parametrize("device", ["cpu", pytest.param("cuda", marks=pytest.mark.gpu)])
def test_efficientnet_b0_eval_logits_small_images(device):
    if device == "cuda" and not mt.cuda.is_available():
        pytest.skip("needs CuPy and a CUDA GPU")
    _eval_logits("efficientnet_b0", 64, 2, device)


@pytest.mark.slow
@pytest.mark.parametrize("name, size", [("efficientnet_b1", 240), ("efficientnet_b2", 288)])
def test_efficientnet_b1_b2_eval_logits(name, size):
    _eval_logits(name, size, 2)


def _feature_extractor_step(device, image_size, train_mode):
    """Chapter 06: freeze `features`, replace the head by Dropout(0.2, inplace=True) + Linear(1280, 3),
    one forward/backward; train mode draws dropout and stochastic-depth masks from the same seed on
    the CPU. A GPU draws its masks from the device's own generator (torch's does too, and its masks
    differ from its CPU ones), so there train mode runs with both probabilities 0."""
    random_off = train_mode and device != "cpu"
    ours, theirs = build_pair("efficientnet_b0", stochastic_depth_prob=0.0 if random_off else 0.2)
    randomise_batchnorm(theirs)
    ours.load_state_dict(to_mt_state(theirs.state_dict()))
    for p in ours.features.parameters():
        p.requires_grad = False
    for p in theirs.features.parameters():
        p.requires_grad = False
    p_drop = 0.0 if random_off else 0.2
    mt.manual_seed(42)
    ours.classifier = mt.nn.Sequential(mt.nn.Dropout(p=p_drop, inplace=True), mt.nn.Linear(1280, 3))
    torch.manual_seed(42)
    theirs.classifier = torch.nn.Sequential(torch.nn.Dropout(p=p_drop, inplace=True), torch.nn.Linear(1280, 3))
    np.testing.assert_array_equal(ours.classifier[1].weight.detach().numpy(), theirs.classifier[1].weight.detach().numpy())
    ours.to(device).train(train_mode)
    theirs.train(train_mode)
    assert sum(p.numel() for p in ours.parameters()) == 4011391
    assert sum(p.numel() for p in ours.parameters() if p.requires_grad) == 3843

    x = np.random.default_rng(0).standard_normal((4, 3, image_size, image_size)).astype(np.float32)
    y = np.array([0, 1, 2, 1])
    mt.manual_seed(5)
    torch.manual_seed(5)
    loss = mt.nn.CrossEntropyLoss()(ours(mt.from_numpy(x).to(device)), mt.from_numpy(y).to(device))
    their_loss = torch.nn.CrossEntropyLoss()(theirs(torch.from_numpy(x)), torch.from_numpy(y))
    loss.backward()
    their_loss.backward()
    np.testing.assert_allclose(loss.item(), their_loss.item(), rtol=1e-5)
    for (name, p), (_, q) in zip(ours.named_parameters(), theirs.named_parameters()):
        if name.startswith("features"):
            assert p.grad is None and q.grad is None, name
        else:
            # atol relative to the largest gradient: in train mode BatchNorm divides by the spread of a
            # 4-image batch, which amplifies float32 rounding in the 1280 features (seen: 4e-6 of 0.1)
            want = q.grad.numpy()
            np.testing.assert_allclose(p.grad.cpu().numpy(), want, rtol=1e-4, atol=1e-4 * np.abs(want).max(),
                                       err_msg=name)
    if train_mode:   # BatchNorm's running statistics moved the same way (frozen parameters, not buffers)
        for (key, got), (_, want) in zip(ours.state_dict().items(), theirs.state_dict().items()):
            if "running" in key:
                np.testing.assert_allclose(got.cpu().numpy(), want.numpy(), rtol=1e-4, atol=1e-6, err_msg=key)


@pytest.mark.parametrize("device", ["cpu", pytest.param("cuda", marks=pytest.mark.gpu)])
@pytest.mark.parametrize("train_mode", [False, True], ids=["eval", "train"])
def test_feature_extractor_training_step_matches_torch(device, train_mode):
    if device == "cuda" and not mt.cuda.is_available():
        pytest.skip("needs CuPy and a CUDA GPU")
    _feature_extractor_step(device, 64, train_mode)


def test_frozen_features_record_no_graph():
    """Frozen layers cost forward time only: with no parameter and no input requiring grad, the
    features' output carries no graph, so backward never enters them."""
    model = models.efficientnet_b0(num_classes=3)
    for p in model.features.parameters():
        p.requires_grad = False
    features = model.features(mt.randn(2, 3, 64, 64))
    assert features.grad_fn is None and not features.requires_grad
    logits = model.classifier(mt.flatten(model.avgpool(features), 1))
    assert logits.requires_grad and logits.grad_fn is not None
