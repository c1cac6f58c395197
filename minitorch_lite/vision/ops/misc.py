"""torchvision.ops.misc's building blocks: Conv2dNormActivation and SqueezeExcitation.

    >>> from minitorch_lite import nn
    >>> from minitorch_lite.vision.ops import Conv2dNormActivation
    >>> Conv2dNormActivation(3, 8, kernel_size=3, stride=2, activation_layer=nn.SiLU)
    Conv2dNormActivation(
      (0): Conv2d(3, 8, kernel_size=(3, 3), stride=(2, 2), padding=(1, 1), bias=False)
      (1): BatchNorm2d(8, eps=1e-05, momentum=0.1, affine=True, bias=True, track_running_stats=True)
      (2): SiLU(inplace=True)
    )

Same submodule indices as torchvision (0 conv, 1 norm, 2 activation; fc1/fc2 in squeeze-
excitation), so torchvision's state_dict keys load by name.
"""
from ... import nn

__all__ = ["Conv2dNormActivation", "SqueezeExcitation"]


class Conv2dNormActivation(nn.Sequential):
    """Conv2d -> norm_layer -> activation_layer; "same" padding for odd kernels; no conv bias
    when a norm layer follows (the norm's shift replaces it)."""

    def __init__(self, in_channels, out_channels, kernel_size=3, stride=1, padding=None, groups=1,
                 norm_layer=nn.BatchNorm2d, activation_layer=nn.ReLU, dilation=1, inplace=True,
                 bias=None):
        if padding is None:
            if isinstance(kernel_size, int) and isinstance(dilation, int):
                padding = (kernel_size - 1) // 2 * dilation
            else:
                kernel_size = _pair(kernel_size)
                dilation = _pair(dilation)
                padding = tuple((k - 1) // 2 * d for k, d in zip(kernel_size, dilation))
        if bias is None:
            bias = norm_layer is None
        layers = [nn.Conv2d(in_channels, out_channels, kernel_size, stride, padding, dilation=dilation,
                            groups=groups, bias=bias)]
        if norm_layer is not None:
            layers.append(norm_layer(out_channels))
        if activation_layer is not None:
            params = {} if inplace is None else {"inplace": inplace}
            layers.append(activation_layer(**params))
        super().__init__(*layers)
        self.out_channels = out_channels


def _pair(value):
    return tuple(value) if isinstance(value, (tuple, list)) else (value, value)


class SqueezeExcitation(nn.Module):
    """Squeeze-and-excitation (Hu et al.): scale each channel by a gate computed from the
    channel means, input * sigmoid(fc2(activation(fc1(avgpool(input)))))."""

    def __init__(self, input_channels, squeeze_channels, activation=nn.ReLU, scale_activation=nn.Sigmoid):
        super().__init__()
        self.avgpool = nn.AdaptiveAvgPool2d(1)
        self.fc1 = nn.Conv2d(input_channels, squeeze_channels, 1)
        self.fc2 = nn.Conv2d(squeeze_channels, input_channels, 1)
        self.activation = activation()
        self.scale_activation = scale_activation()

    def _scale(self, input):
        scale = self.avgpool(input)
        scale = self.fc1(scale)
        scale = self.activation(scale)
        scale = self.fc2(scale)
        return self.scale_activation(scale)

    def forward(self, input):
        scale = self._scale(input)
        return scale * input
