"""Models of the course: TinyVGG (chapters 03-05), the from-scratch ViT (08), torchvision's vit_b_16.

    >>> from minitorch_lite.vision import models
    >>> model = models.TinyVGG(input_shape=3, hidden_units=10, output_shape=3)
    >>> sum(p.numel() for p in model.parameters())
    10693
"""
from .tinyvgg import FashionMNISTModelV2, TinyVGG
from .vision_transformer import VisionTransformer, ViT_B_16_Weights, vit_b_16
from .vit import (MLPBlock, MultiheadSelfAttentionBlock, PatchEmbedding, TransformerEncoderBlock, ViT,
                  vit_tiny)

__all__ = ["TinyVGG", "FashionMNISTModelV2", "PatchEmbedding", "MultiheadSelfAttentionBlock", "MLPBlock",
           "TransformerEncoderBlock", "ViT", "vit_tiny", "VisionTransformer", "ViT_B_16_Weights", "vit_b_16"]
