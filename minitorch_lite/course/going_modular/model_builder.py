"""Contains the TinyVGG model: two convolutional blocks, then a linear classifier.

    >>> import minitorch_lite as mt
    >>> from minitorch_lite.course.going_modular.model_builder import TinyVGG
    >>> _ = mt.manual_seed(42)
    >>> model = TinyVGG(input_shape=3, hidden_units=10, output_shape=3)
    >>> sum(p.numel() for p in model.parameters()), model(mt.zeros(1, 3, 64, 64)).shape
    (8083, torch.Size([1, 3]))

The architecture of the CNN Explainer website (https://poloclub.github.io/cnn-explainer/), as
the course builds it: each block is Conv 3x3 -> ReLU -> Conv 3x3 -> ReLU -> MaxPool 2.

  chapter 05   TinyVGG(3, 10, 3)              padding 0: 64 -> 62 -> 60 -> 30 -> 28 -> 26 -> 13,
                                              classifier Linear(10*13*13, 3), 8,083 parameters
  chapter 04   TinyVGG(3, 10, 3, padding=1)   64 -> 32 -> 16, classifier Linear(10*16*16, 3),
                                              10,693 parameters

The classifier's input size is computed from `image_size` and `padding` (the course writes the
13 or 16 by hand). The attribute names are the course's, so state_dict keys match its checkpoints.
"""
import minitorch_lite as mt
from minitorch_lite import nn


def side_after_blocks(image_size: int, padding: int) -> int:
    """Height (= width) of the feature maps after both blocks: each 3x3 convolution changes the
    side by 2 * padding - 2, each max pool halves it (rounding down)."""
    side = image_size
    for _ in range(2):
        side = (side + 2 * (2 * padding - 2)) // 2
    return side


class TinyVGG(nn.Module):
    """Creates the TinyVGG architecture.

    Args:
      input_shape: number of colour channels of the input images (3 for RGB).
      hidden_units: number of filters of every convolution.
      output_shape: number of classes.
      padding: padding of every convolution (0 in chapter 05, 1 in chapter 04).
      image_size: height and width of the input images (64 in the course).
    """

    def __init__(self, input_shape: int, hidden_units: int, output_shape: int, padding: int = 0,
                 image_size: int = 64) -> None:
        super().__init__()
        side = side_after_blocks(image_size, padding)
        if side < 1:
            raise ValueError(f"TinyVGG with padding={padding} needs images larger than "
                             f"{image_size}x{image_size}")
        self.conv_block_1 = nn.Sequential(
            nn.Conv2d(in_channels=input_shape, out_channels=hidden_units, kernel_size=3, stride=1,
                      padding=padding),
            nn.ReLU(),
            nn.Conv2d(in_channels=hidden_units, out_channels=hidden_units, kernel_size=3, stride=1,
                      padding=padding),
            nn.ReLU(),
            nn.MaxPool2d(kernel_size=2, stride=2),
        )
        self.conv_block_2 = nn.Sequential(
            nn.Conv2d(hidden_units, hidden_units, kernel_size=3, padding=padding),
            nn.ReLU(),
            nn.Conv2d(hidden_units, hidden_units, kernel_size=3, padding=padding),
            nn.ReLU(),
            nn.MaxPool2d(2),
        )
        self.classifier = nn.Sequential(
            nn.Flatten(),
            nn.Linear(in_features=hidden_units * side * side, out_features=output_shape),
        )

    def forward(self, x: mt.Tensor) -> mt.Tensor:
        return self.classifier(self.conv_block_2(self.conv_block_1(x)))  # operator fusion
