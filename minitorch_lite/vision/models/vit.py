"""The Vision Transformer as chapter 08 builds it from the paper (Dosovitskiy et al., 2020).

    >>> import minitorch_lite as mt
    >>> from minitorch_lite.vision.models import vit_tiny
    >>> model = vit_tiny(img_size=32, patch_size=8, num_classes=3)
    >>> model(mt.zeros(2, 3, 32, 32)).shape
    torch.Size([2, 3])

    image [B, 3, 224, 224]
      -> PatchEmbedding: Conv2d(3, 768, 16, stride 16) -> flatten -> [B, 196, 768]
      -> prepend the class token, add the position embedding, dropout     [B, 197, 768]
      -> 12 x TransformerEncoderBlock: x = MSA(LN(x)) + x; x = MLP(LN(x)) + x
      -> classifier: LayerNorm -> Linear on the class token x[:, 0]      [B, num_classes]

Names, defaults, parameter creation order (so seeded initialisation) and forward follow the
course's code, so its state_dict keys and outputs match. `vit_tiny(...)` makes a small one for
tests and CPU benchmarks; ViT-Base itself (85.8M parameters) wants the GPU backend.
"""
from ... import nn
from ...creation import randn
from ...ops.shape import cat

__all__ = ["PatchEmbedding", "MultiheadSelfAttentionBlock", "MLPBlock", "TransformerEncoderBlock",
           "ViT", "vit_tiny"]


class PatchEmbedding(nn.Module):
    """Image [B, C, H, W] -> sequence of patch embeddings [B, H*W/patch^2, embedding_dim]."""

    def __init__(self, in_channels=3, patch_size=16, embedding_dim=768):
        super().__init__()
        self.patch_size = patch_size
        self.patcher = nn.Conv2d(in_channels=in_channels, out_channels=embedding_dim,
                                 kernel_size=patch_size, stride=patch_size, padding=0)
        self.flatten = nn.Flatten(start_dim=2, end_dim=3)

    def forward(self, x):
        image_resolution = x.shape[-1]
        if image_resolution % self.patch_size != 0:
            raise AssertionError(f"Input image size must be divisble by patch size, image shape: "
                                 f"{image_resolution}, patch size: {self.patch_size}")
        return self.flatten(self.patcher(x)).permute(0, 2, 1)


class MultiheadSelfAttentionBlock(nn.Module):
    """LayerNorm -> multi-head self-attention (query = key = value)."""

    def __init__(self, embedding_dim=768, num_heads=12, attn_dropout=0.0):
        super().__init__()
        self.layer_norm = nn.LayerNorm(normalized_shape=embedding_dim)
        self.multihead_attn = nn.MultiheadAttention(embed_dim=embedding_dim, num_heads=num_heads,
                                                    dropout=attn_dropout, batch_first=True)

    def forward(self, x):
        x = self.layer_norm(x)
        attn_output, _ = self.multihead_attn(query=x, key=x, value=x, need_weights=False)
        return attn_output


class MLPBlock(nn.Module):
    """LayerNorm -> Linear -> GELU -> Dropout -> Linear -> Dropout."""

    def __init__(self, embedding_dim=768, mlp_size=3072, dropout=0.1):
        super().__init__()
        self.layer_norm = nn.LayerNorm(normalized_shape=embedding_dim)
        self.mlp = nn.Sequential(
            nn.Linear(in_features=embedding_dim, out_features=mlp_size),
            nn.GELU(),
            nn.Dropout(p=dropout),
            nn.Linear(in_features=mlp_size, out_features=embedding_dim),
            nn.Dropout(p=dropout),
        )

    def forward(self, x):
        return self.mlp(self.layer_norm(x))


class TransformerEncoderBlock(nn.Module):
    """Pre-norm encoder block with residual connections around attention and MLP."""

    def __init__(self, embedding_dim=768, num_heads=12, mlp_size=3072, mlp_dropout=0.1, attn_dropout=0.0):
        super().__init__()
        self.msa_block = MultiheadSelfAttentionBlock(embedding_dim=embedding_dim, num_heads=num_heads,
                                                     attn_dropout=attn_dropout)
        self.mlp_block = MLPBlock(embedding_dim=embedding_dim, mlp_size=mlp_size, dropout=mlp_dropout)

    def forward(self, x):
        x = self.msa_block(x) + x
        x = self.mlp_block(x) + x
        return x


class ViT(nn.Module):
    """The course's ViT; defaults are ViT-Base/16 (224x224 images, 12 layers, width 768)."""

    def __init__(self, img_size=224, in_channels=3, patch_size=16, num_transformer_layers=12,
                 embedding_dim=768, mlp_size=3072, num_heads=12, attn_dropout=0.0, mlp_dropout=0.1,
                 embedding_dropout=0.1, num_classes=1000):
        super().__init__()
        if img_size % patch_size != 0:
            raise AssertionError(f"Image size must be divisible by patch size, image size: {img_size}, "
                                 f"patch size: {patch_size}.")
        self.num_patches = (img_size * img_size) // patch_size ** 2
        self.class_embedding = nn.Parameter(data=randn(1, 1, embedding_dim), requires_grad=True)
        self.position_embedding = nn.Parameter(data=randn(1, self.num_patches + 1, embedding_dim),
                                               requires_grad=True)
        self.embedding_dropout = nn.Dropout(p=embedding_dropout)
        self.patch_embedding = PatchEmbedding(in_channels=in_channels, patch_size=patch_size,
                                              embedding_dim=embedding_dim)
        self.transformer_encoder = nn.Sequential(*[
            TransformerEncoderBlock(embedding_dim=embedding_dim, num_heads=num_heads, mlp_size=mlp_size,
                                    mlp_dropout=mlp_dropout, attn_dropout=attn_dropout)
            for _ in range(num_transformer_layers)])
        self.classifier = nn.Sequential(
            nn.LayerNorm(normalized_shape=embedding_dim),
            nn.Linear(in_features=embedding_dim, out_features=num_classes),
        )

    def forward(self, x):
        batch_size = x.shape[0]
        class_token = self.class_embedding.expand(batch_size, -1, -1)
        x = self.patch_embedding(x)
        x = cat((class_token, x), dim=1)
        x = self.position_embedding + x
        x = self.embedding_dropout(x)
        x = self.transformer_encoder(x)
        return self.classifier(x[:, 0])


def vit_tiny(img_size=32, in_channels=3, patch_size=8, num_transformer_layers=2, embedding_dim=64,
             mlp_size=128, num_heads=4, attn_dropout=0.0, mlp_dropout=0.1, embedding_dropout=0.1,
             num_classes=10):
    """A small ViT with the same structure, for tests and CPU benchmarks."""
    return ViT(img_size=img_size, in_channels=in_channels, patch_size=patch_size,
               num_transformer_layers=num_transformer_layers, embedding_dim=embedding_dim,
               mlp_size=mlp_size, num_heads=num_heads, attn_dropout=attn_dropout,
               mlp_dropout=mlp_dropout, embedding_dropout=embedding_dropout, num_classes=num_classes)
