"""Models of the course: TinyVGG (chapters 03-05), torchvision's EfficientNet B0-B2 and
EfficientNet-Lite0 (06-07, pretrained), the from-scratch ViT (08), torchvision's vit_b_16.

    >>> from minitorch_lite.vision import models
    >>> model = models.TinyVGG(input_shape=3, hidden_units=10, output_shape=3)
    >>> sum(p.numel() for p in model.parameters())
    10693
    >>> models.EfficientNet_B2_Weights.DEFAULT.transforms().crop_size
    [288]
"""
from ._api import Weights, WeightsEnum
from .efficientnet import (EfficientNet, EfficientNet_B0_Weights, EfficientNet_B1_Weights,
                           EfficientNet_B2_Weights, efficientnet_b0, efficientnet_b1, efficientnet_b2)
from .efficientnet_lite import EfficientNet_Lite0_Weights, EfficientNetLite, efficientnet_lite0
from .tinyvgg import FashionMNISTModelV2, TinyVGG
from .vision_transformer import VisionTransformer, ViT_B_16_Weights, vit_b_16
from .vit import (MLPBlock, MultiheadSelfAttentionBlock, PatchEmbedding, TransformerEncoderBlock, ViT,
                  vit_tiny)

__all__ = ["TinyVGG", "FashionMNISTModelV2", "PatchEmbedding", "MultiheadSelfAttentionBlock", "MLPBlock",
           "TransformerEncoderBlock", "ViT", "vit_tiny", "VisionTransformer", "ViT_B_16_Weights", "vit_b_16",
           "Weights", "WeightsEnum", "EfficientNet", "EfficientNet_B0_Weights", "EfficientNet_B1_Weights",
           "EfficientNet_B2_Weights", "efficientnet_b0", "efficientnet_b1", "efficientnet_b2",
           "EfficientNetLite", "EfficientNet_Lite0_Weights", "efficientnet_lite0"]
