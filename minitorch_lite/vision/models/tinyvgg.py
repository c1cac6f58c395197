"""TinyVGG, the course's small CNN (after the CNN Explainer, https://poloclub.github.io/cnn-explainer/).

    >>> import minitorch_lite as mt
    >>> from minitorch_lite.vision.models import TinyVGG, FashionMNISTModelV2
    >>> TinyVGG(input_shape=3, hidden_units=10, output_shape=3)(mt.zeros(1, 3, 64, 64)).shape
    torch.Size([1, 3])
    >>> FashionMNISTModelV2(input_shape=1, hidden_units=10, output_shape=10)(mt.zeros(1, 1, 28, 28)).shape
    torch.Size([1, 10])

Two blocks of (Conv 3x3 -> ReLU -> Conv 3x3 -> ReLU -> MaxPool 2), then Flatten -> Linear:

  chapter 03   FashionMNISTModelV2(1, 10, 10)          28x28, padding 1: Linear(10*7*7, 10)
  chapter 04   TinyVGG(3, 10, 3)                        64x64, padding 1: Linear(10*16*16, 3)
  chapter 05   TinyVGG(3, 10, 3, padding=0)             64x64, padding 0: Linear(10*13*13, 3)

The classifier's input size is computed from `image_size` and `padding`. The attributes carry
the course's names so state_dict keys match its checkpoints: `conv_block_1`, `conv_block_2`,
`classifier` in chapters 04-05, `block_1`, `block_2`, `classifier` in chapter 03.
"""
from ... import nn

__all__ = ["TinyVGG", "FashionMNISTModelV2"]


def _conv_block(in_channels, hidden_units, padding):
    return nn.Sequential(
        nn.Conv2d(in_channels, hidden_units, kernel_size=3, stride=1, padding=padding),
        nn.ReLU(),
        nn.Conv2d(hidden_units, hidden_units, kernel_size=3, stride=1, padding=padding),
        nn.ReLU(),
        nn.MaxPool2d(kernel_size=2, stride=2),
    )


def _side_after_blocks(image_size, padding):
    """Height (= width) after the two blocks: each 3x3 conv adds 2*padding - 2, each pool halves."""
    side = image_size
    for _ in range(2):
        side = (side + 2 * (2 * padding - 2)) // 2
    return side


class TinyVGG(nn.Module):
    """TinyVGG(input_shape, hidden_units, output_shape, padding=1, image_size=64)."""

    block_names = ("conv_block_1", "conv_block_2")

    def __init__(self, input_shape, hidden_units, output_shape, padding=1, image_size=64):
        super().__init__()
        side = _side_after_blocks(image_size, padding)
        if side < 1:
            raise ValueError(f"image_size={image_size} is too small for TinyVGG with padding={padding}")
        first, second = self.block_names
        setattr(self, first, _conv_block(input_shape, hidden_units, padding))
        setattr(self, second, _conv_block(hidden_units, hidden_units, padding))
        self.classifier = nn.Sequential(
            nn.Flatten(),
            nn.Linear(in_features=hidden_units * side * side, out_features=output_shape),
        )

    def forward(self, x):
        first, second = self.block_names
        return self.classifier(getattr(self, second)(getattr(self, first)(x)))


class FashionMNISTModelV2(TinyVGG):
    """Chapter 03's TinyVGG for 28x28 Fashion-MNIST images; its blocks are `block_1`, `block_2`."""

    block_names = ("block_1", "block_2")

    def __init__(self, input_shape, hidden_units, output_shape, padding=1, image_size=28):
        super().__init__(input_shape, hidden_units, output_shape, padding=padding, image_size=image_size)
