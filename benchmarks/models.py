"""The course's models for the benchmarks, on either framework (`lib` = torch or minitorch_lite).

    >>> import torch
    >>> from benchmarks.models import circle_model
    >>> circle_model(torch)(torch.zeros(5, 2)).shape
    torch.Size([5, 1])

Each course model is defined once per framework, in its chapter: `reference/chNN_*.py` (torch) and
`minitorch_lite/course/chNN_*.py` (minitorch_lite). These functions pick the twin for `lib` and
build it as the course does (same layers, same order, so `lib.manual_seed(0)` before building gives
both frameworks identical weights). Models that are not the course's own (`mlp`, and the small ViT
until chapter 08 has its twins) are written here for any `lib`.
"""
import importlib


def chapter(lib, name):
    """The chapter module `name` (e.g. "ch02_classification") written for `lib`."""
    package = "reference" if lib.__name__ == "torch" else "minitorch_lite.course"
    return importlib.import_module(f"{package}.{name}")


def linear_regression(lib):
    """01 workflow: LinearRegressionModelV2, one nn.Linear(1, 1)."""
    return chapter(lib, "ch01_workflow").LinearRegressionModelV2()


def circle_model(lib):
    """02 classification: CircleModelV2, 2 -> 10 -> 10 -> 1 with ReLUs."""
    return chapter(lib, "ch02_classification").CircleModelV2()


def blob_model(lib, input_features=2, output_features=4, hidden_units=8):
    """02 classification: BlobModel, a Sequential of three Linear layers (its ReLUs are commented out)."""
    return chapter(lib, "ch02_classification").BlobModel(input_features, output_features, hidden_units)


def fashion_mnist_v0(lib, input_shape=784, hidden_units=10, output_shape=10):
    """03 computer vision: FashionMNISTModelV0, Flatten then two Linear layers (no non-linearity)."""
    return chapter(lib, "ch03_computer_vision").FashionMNISTModelV0(input_shape, hidden_units, output_shape)


def mlp(lib, in_features=784, hidden_units=256, out_features=10):
    """A plain MNIST-style MLP: Flatten, Linear(784, 256), ReLU, Linear(256, 10)."""
    nn = lib.nn
    return nn.Sequential(nn.Flatten(), nn.Linear(in_features, hidden_units), nn.ReLU(),
                         nn.Linear(hidden_units, out_features))


def tiny_vgg(lib, input_shape, hidden_units, output_shape, image_size):
    """03/04 TinyVGG: two blocks of (conv 3x3, ReLU, conv 3x3, ReLU, max-pool 2), then a Linear.
    28x28 is chapter 03's FashionMNISTModelV2; other sizes are chapter 04's TinyVGG (written here
    until chapter 04 has its twins)."""
    if image_size == 28:
        return chapter(lib, "ch03_computer_vision").FashionMNISTModelV2(input_shape, hidden_units, output_shape)
    nn = lib.nn

    class TinyVGG(nn.Module):
        def __init__(self):
            super().__init__()
            self.block_1 = nn.Sequential(
                nn.Conv2d(input_shape, hidden_units, kernel_size=3, stride=1, padding=1), nn.ReLU(),
                nn.Conv2d(hidden_units, hidden_units, kernel_size=3, stride=1, padding=1), nn.ReLU(),
                nn.MaxPool2d(kernel_size=2, stride=2))
            self.block_2 = nn.Sequential(
                nn.Conv2d(hidden_units, hidden_units, 3, padding=1), nn.ReLU(),
                nn.Conv2d(hidden_units, hidden_units, 3, padding=1), nn.ReLU(),
                nn.MaxPool2d(2))
            side = image_size // 4
            self.classifier = nn.Sequential(
                nn.Flatten(), nn.Linear(in_features=hidden_units * side * side, out_features=output_shape))

        def forward(self, x):
            return self.classifier(self.block_2(self.block_1(x)))

    return TinyVGG()


def vit(lib, img_size=32, in_channels=3, patch_size=4, num_transformer_layers=2, embedding_dim=64,
        mlp_size=128, num_heads=4, attn_dropout=0.0, mlp_dropout=0.1, embedding_dropout=0.1,
        num_classes=10):
    """08 paper replicating: the course's ViT, built from the same pieces, at a small size."""
    nn = lib.nn

    class PatchEmbedding(nn.Module):
        def __init__(self):
            super().__init__()
            self.patcher = nn.Conv2d(in_channels, embedding_dim, kernel_size=patch_size,
                                     stride=patch_size, padding=0)
            self.flatten = nn.Flatten(start_dim=2, end_dim=3)

        def forward(self, x):
            return self.flatten(self.patcher(x)).permute(0, 2, 1)

    class MultiheadSelfAttentionBlock(nn.Module):
        def __init__(self):
            super().__init__()
            self.layer_norm = nn.LayerNorm(normalized_shape=embedding_dim)
            self.multihead_attn = nn.MultiheadAttention(embed_dim=embedding_dim, num_heads=num_heads,
                                                        dropout=attn_dropout, batch_first=True)

        def forward(self, x):
            x = self.layer_norm(x)
            attn_output, _ = self.multihead_attn(query=x, key=x, value=x, need_weights=False)
            return attn_output

    class MLPBlock(nn.Module):
        def __init__(self):
            super().__init__()
            self.layer_norm = nn.LayerNorm(normalized_shape=embedding_dim)
            self.mlp = nn.Sequential(
                nn.Linear(embedding_dim, mlp_size), nn.GELU(), nn.Dropout(p=mlp_dropout),
                nn.Linear(mlp_size, embedding_dim), nn.Dropout(p=mlp_dropout))

        def forward(self, x):
            return self.mlp(self.layer_norm(x))

    class TransformerEncoderBlock(nn.Module):
        def __init__(self):
            super().__init__()
            self.msa_block = MultiheadSelfAttentionBlock()
            self.mlp_block = MLPBlock()

        def forward(self, x):
            x = self.msa_block(x) + x
            return self.mlp_block(x) + x

    class ViT(nn.Module):
        def __init__(self):
            super().__init__()
            self.num_patches = (img_size * img_size) // patch_size ** 2
            self.class_embedding = nn.Parameter(lib.randn(1, 1, embedding_dim), requires_grad=True)
            self.position_embedding = nn.Parameter(lib.randn(1, self.num_patches + 1, embedding_dim),
                                                   requires_grad=True)
            self.embedding_dropout = nn.Dropout(p=embedding_dropout)
            self.patch_embedding = PatchEmbedding()
            self.transformer_encoder = nn.Sequential(
                *[TransformerEncoderBlock() for _ in range(num_transformer_layers)])
            self.classifier = nn.Sequential(nn.LayerNorm(normalized_shape=embedding_dim),
                                            nn.Linear(embedding_dim, num_classes))

        def forward(self, x):
            batch_size = x.shape[0]
            class_token = self.class_embedding.expand(batch_size, -1, -1)
            x = lib.cat((class_token, self.patch_embedding(x)), dim=1)
            x = self.embedding_dropout(self.position_embedding + x)
            x = self.transformer_encoder(x)
            return self.classifier(x[:, 0])

    return ViT()
