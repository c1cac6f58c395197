"""torchvision's EfficientNet B0, B1 and B2 (Tan & Le, 2019), with its module names and weights.

    >>> from minitorch_lite.vision.models import efficientnet_b0, EfficientNet_B0_Weights
    >>> model = efficientnet_b0()                          # random init, torchvision's scheme
    >>> sum(p.numel() for p in model.parameters())
    5288548
    >>> weights = EfficientNet_B0_Weights.DEFAULT
    >>> model = efficientnet_b0(weights=weights)           # doctest: +SKIP
    >>> preprocess = weights.transforms()                  # resize 256 (bicubic), crop 224, normalise

The network: a 3x3 stride-2 stem, seven stages of MBConv blocks, a 1x1 conv to 1280 (B0) channels,
global average pooling and `classifier = Sequential(Dropout(p, inplace=True), Linear(1280, 1000))`.
An MBConv block (mobile inverted bottleneck):

    1x1 conv expanding the channels 6x (not in the first stage) -> BatchNorm -> SiLU
    kxk depthwise conv (groups = channels, stride 1 or 2)       -> BatchNorm -> SiLU
    squeeze-excitation (channel gates from the channel means)
    1x1 conv projecting down to the output channels              -> BatchNorm
    + the input (when the shape allows), through StochasticDepth

B1 and B2 scale the depth (x1.1, x1.2 blocks per stage) and B2 the width (x1.1 channels, rounded
to multiples of 8). Every BatchNorm has eps=1e-3, the value the TensorFlow-trained weights need.

Module paths, parameter shapes and state_dict keys are torchvision's (`features.1.0.block.2.fc1.
weight`, ...), so its checkpoints load by name; the initialisation (kaiming-normal fan_out convs,
unit/zero BatchNorm, uniform(+-1/sqrt(out)) Linear) runs in torchvision's order from the same
generator, so after the same `manual_seed` the two libraries build identical models.
`weights=` reads the checkpoint from torch's hub cache (downloading it when missing): see
minitorch_lite.hub.
"""
import copy
import math
from functools import partial

from ... import nn
from ...ops.shape import flatten
from ..ops.misc import Conv2dNormActivation, SqueezeExcitation
from ..ops.stochastic_depth import StochasticDepth
from ..transforms._presets import ImageClassification
from ..transforms.functional import InterpolationMode
from ._api import IMAGENET_CATEGORIES, Weights, WeightsEnum, overwrite_named_param

__all__ = ["EfficientNet", "EfficientNet_B0_Weights", "EfficientNet_B1_Weights", "EfficientNet_B2_Weights",
           "efficientnet_b0", "efficientnet_b1", "efficientnet_b2"]


def _make_divisible(v, divisor, min_value=None):
    """Round a channel count to a multiple of `divisor`, never more than 10% down (TensorFlow's rule)."""
    if min_value is None:
        min_value = divisor
    new_v = max(min_value, int(v + divisor / 2) // divisor * divisor)
    if new_v < 0.9 * v:
        new_v += divisor
    return new_v


class MBConvConfig:
    """One stage of Table 1 of the paper, scaled by width_mult (channels) and depth_mult (blocks)."""

    def __init__(self, expand_ratio, kernel, stride, input_channels, out_channels, num_layers,
                 width_mult=1.0, depth_mult=1.0, block=None):
        self.expand_ratio = expand_ratio
        self.kernel = kernel
        self.stride = stride
        self.input_channels = self.adjust_channels(input_channels, width_mult)
        self.out_channels = self.adjust_channels(out_channels, width_mult)
        self.num_layers = self.adjust_depth(num_layers, depth_mult)
        self.block = MBConv if block is None else block

    @staticmethod
    def adjust_channels(channels, width_mult, min_value=None):
        return _make_divisible(channels * width_mult, 8, min_value)

    @staticmethod
    def adjust_depth(num_layers, depth_mult):
        return int(math.ceil(num_layers * depth_mult))

    def __repr__(self):
        fields = ("expand_ratio", "kernel", "stride", "input_channels", "out_channels", "num_layers")
        return f"{self.__class__.__name__}(" + ", ".join(f"{f}={getattr(self, f)}" for f in fields) + ")"


class MBConv(nn.Module):
    """Mobile inverted bottleneck with squeeze-excitation; `block` indices as torchvision's."""

    def __init__(self, cnf, stochastic_depth_prob, norm_layer, se_layer=SqueezeExcitation):
        super().__init__()
        if not (1 <= cnf.stride <= 2):
            raise ValueError("illegal stride value")
        self.use_res_connect = cnf.stride == 1 and cnf.input_channels == cnf.out_channels

        layers = []
        activation_layer = nn.SiLU
        expanded_channels = cnf.adjust_channels(cnf.input_channels, cnf.expand_ratio)
        if expanded_channels != cnf.input_channels:        # expand
            layers.append(Conv2dNormActivation(cnf.input_channels, expanded_channels, kernel_size=1,
                                               norm_layer=norm_layer, activation_layer=activation_layer))
        layers.append(Conv2dNormActivation(expanded_channels, expanded_channels, kernel_size=cnf.kernel,  # depthwise
                                           stride=cnf.stride, groups=expanded_channels,
                                           norm_layer=norm_layer, activation_layer=activation_layer))
        squeeze_channels = max(1, cnf.input_channels // 4)
        layers.append(se_layer(expanded_channels, squeeze_channels, activation=partial(nn.SiLU, inplace=True)))
        layers.append(Conv2dNormActivation(expanded_channels, cnf.out_channels, kernel_size=1,  # project
                                           norm_layer=norm_layer, activation_layer=None))
        self.block = nn.Sequential(*layers)
        self.stochastic_depth = StochasticDepth(stochastic_depth_prob, "row")
        self.out_channels = cnf.out_channels

    def forward(self, input):
        result = self.block(input)
        if self.use_res_connect:
            result = self.stochastic_depth(result)
            result += input
        return result


class EfficientNet(nn.Module):
    """torchvision.models.EfficientNet (V1 blocks): features -> avgpool -> flatten -> classifier."""

    def __init__(self, inverted_residual_setting, dropout, stochastic_depth_prob=0.2, num_classes=1000,
                 norm_layer=None, last_channel=None):
        super().__init__()
        if not inverted_residual_setting:
            raise ValueError("The inverted_residual_setting should not be empty")
        if not (isinstance(inverted_residual_setting, (list, tuple))
                and all(isinstance(s, MBConvConfig) for s in inverted_residual_setting)):
            raise TypeError("The inverted_residual_setting should be List[MBConvConfig]")
        if norm_layer is None:
            norm_layer = nn.BatchNorm2d

        layers = []
        firstconv_output_channels = inverted_residual_setting[0].input_channels
        layers.append(Conv2dNormActivation(3, firstconv_output_channels, kernel_size=3, stride=2,
                                           norm_layer=norm_layer, activation_layer=nn.SiLU))
        # the residual branches are dropped more often the deeper they sit: p * block_index / blocks
        total_stage_blocks = sum(cnf.num_layers for cnf in inverted_residual_setting)
        stage_block_id = 0
        for cnf in inverted_residual_setting:
            stage = []
            for _ in range(cnf.num_layers):
                block_cnf = copy.copy(cnf)
                if stage:              # every block after a stage's first keeps the shape
                    block_cnf.input_channels = block_cnf.out_channels
                    block_cnf.stride = 1
                sd_prob = stochastic_depth_prob * float(stage_block_id) / total_stage_blocks
                stage.append(block_cnf.block(block_cnf, sd_prob, norm_layer))
                stage_block_id += 1
            layers.append(nn.Sequential(*stage))
        lastconv_input_channels = inverted_residual_setting[-1].out_channels
        lastconv_output_channels = last_channel if last_channel is not None else 4 * lastconv_input_channels
        layers.append(Conv2dNormActivation(lastconv_input_channels, lastconv_output_channels, kernel_size=1,
                                           norm_layer=norm_layer, activation_layer=nn.SiLU))

        self.features = nn.Sequential(*layers)
        self.avgpool = nn.AdaptiveAvgPool2d(1)
        self.classifier = nn.Sequential(nn.Dropout(p=dropout, inplace=True),
                                        nn.Linear(lastconv_output_channels, num_classes))

        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                nn.init.kaiming_normal_(m.weight, mode="fan_out")
                if m.bias is not None:
                    nn.init.zeros_(m.bias)
            elif isinstance(m, (nn.BatchNorm2d, nn.GroupNorm)):
                nn.init.ones_(m.weight)
                nn.init.zeros_(m.bias)
            elif isinstance(m, nn.Linear):
                init_range = 1.0 / math.sqrt(m.out_features)
                nn.init.uniform_(m.weight, -init_range, init_range)
                nn.init.zeros_(m.bias)

    def forward(self, x):
        x = self.features(x)
        x = self.avgpool(x)
        x = flatten(x, 1)
        return self.classifier(x)


def _efficientnet_conf(width_mult, depth_mult):
    bneck_conf = partial(MBConvConfig, width_mult=width_mult, depth_mult=depth_mult)
    return [  # expand ratio, kernel, stride, in, out, blocks (B0's; scaled above)
        bneck_conf(1, 3, 1, 32, 16, 1),
        bneck_conf(6, 3, 2, 16, 24, 2),
        bneck_conf(6, 5, 2, 24, 40, 2),
        bneck_conf(6, 3, 2, 40, 80, 3),
        bneck_conf(6, 5, 1, 80, 112, 3),
        bneck_conf(6, 5, 2, 112, 192, 4),
        bneck_conf(6, 3, 1, 192, 320, 1),
    ]


def _efficientnet(width_mult, depth_mult, dropout, weights, progress, **kwargs):
    if weights is not None:
        overwrite_named_param(kwargs, "num_classes", len(weights.meta["categories"]))
    model = EfficientNet(_efficientnet_conf(width_mult, depth_mult), dropout, last_channel=None, **kwargs)
    if weights is not None:
        model.load_state_dict(weights.get_state_dict(progress=progress, check_hash=True))
    return model


# ---- the weights: torchvision's members, urls, preprocessing and meta data ----------------------------------

_COMMON_META_V1 = {
    "categories": IMAGENET_CATEGORIES,
    "min_size": (1, 1),
    "recipe": "https://github.com/pytorch/vision/tree/main/references/classification#efficientnet-v1",
}


class EfficientNet_B0_Weights(WeightsEnum):
    IMAGENET1K_V1 = Weights(
        # Weights ported from https://github.com/rwightman/pytorch-image-models/
        url="https://download.pytorch.org/models/efficientnet_b0_rwightman-7f5810bc.pth",
        transforms=partial(ImageClassification, crop_size=224, resize_size=256,
                           interpolation=InterpolationMode.BICUBIC),
        meta={
            **_COMMON_META_V1,
            "num_params": 5288548,
            "_metrics": {"ImageNet-1K": {"acc@1": 77.692, "acc@5": 93.532}},
            "_ops": 0.386,
            "_file_size": 20.451,
            "_docs": """These weights are ported from the original paper.""",
        },
    )
    DEFAULT = IMAGENET1K_V1


class EfficientNet_B1_Weights(WeightsEnum):
    IMAGENET1K_V1 = Weights(
        # Weights ported from https://github.com/rwightman/pytorch-image-models/
        url="https://download.pytorch.org/models/efficientnet_b1_rwightman-bac287d4.pth",
        transforms=partial(ImageClassification, crop_size=240, resize_size=256,
                           interpolation=InterpolationMode.BICUBIC),
        meta={
            **_COMMON_META_V1,
            "num_params": 7794184,
            "_metrics": {"ImageNet-1K": {"acc@1": 78.642, "acc@5": 94.186}},
            "_ops": 0.687,
            "_file_size": 30.134,
            "_docs": """These weights are ported from the original paper.""",
        },
    )
    IMAGENET1K_V2 = Weights(
        url="https://download.pytorch.org/models/efficientnet_b1-c27df63c.pth",
        transforms=partial(ImageClassification, crop_size=240, resize_size=255,
                           interpolation=InterpolationMode.BILINEAR),
        meta={
            **_COMMON_META_V1,
            "num_params": 7794184,
            "recipe": "https://github.com/pytorch/vision/issues/3995#new-recipe-with-lr-wd-crop-tuning",
            "_metrics": {"ImageNet-1K": {"acc@1": 79.838, "acc@5": 94.934}},
            "_ops": 0.687,
            "_file_size": 30.136,
            "_docs": """
                These weights improve upon the results of the original paper by using a modified version of TorchVision's
                `new training recipe
                <https://pytorch.org/blog/how-to-train-state-of-the-art-models-using-torchvision-latest-primitives/>`_.
            """,
        },
    )
    DEFAULT = IMAGENET1K_V2


class EfficientNet_B2_Weights(WeightsEnum):
    IMAGENET1K_V1 = Weights(
        # Weights ported from https://github.com/rwightman/pytorch-image-models/
        url="https://download.pytorch.org/models/efficientnet_b2_rwightman-c35c1473.pth",
        transforms=partial(ImageClassification, crop_size=288, resize_size=288,
                           interpolation=InterpolationMode.BICUBIC),
        meta={
            **_COMMON_META_V1,
            "num_params": 9109994,
            "_metrics": {"ImageNet-1K": {"acc@1": 80.608, "acc@5": 95.310}},
            "_ops": 1.088,
            "_file_size": 35.174,
            "_docs": """These weights are ported from the original paper.""",
        },
    )
    DEFAULT = IMAGENET1K_V1


# ---- builders -----------------------------------------------------------------------------------------------

def efficientnet_b0(*, weights=None, progress=True, **kwargs):
    """EfficientNet-B0 (5.3M parameters, 224x224). `weights`: None, an EfficientNet_B0_Weights
    member or its name ("DEFAULT", "IMAGENET1K_V1"); kwargs go to EfficientNet (num_classes, dropout,
    stochastic_depth_prob, norm_layer)."""
    weights = EfficientNet_B0_Weights.verify(weights)
    return _efficientnet(1.0, 1.0, kwargs.pop("dropout", 0.2), weights, progress, **kwargs)


def efficientnet_b1(*, weights=None, progress=True, **kwargs):
    """EfficientNet-B1 (7.8M parameters, 240x240); see efficientnet_b0."""
    weights = EfficientNet_B1_Weights.verify(weights)
    return _efficientnet(1.0, 1.1, kwargs.pop("dropout", 0.2), weights, progress, **kwargs)


def efficientnet_b2(*, weights=None, progress=True, **kwargs):
    """EfficientNet-B2 (9.1M parameters, 288x288); see efficientnet_b0."""
    weights = EfficientNet_B2_Weights.verify(weights)
    return _efficientnet(1.1, 1.2, kwargs.pop("dropout", 0.3), weights, progress, **kwargs)
