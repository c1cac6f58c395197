"""vision.models against torch twins: the same model written in torch here, as the course writes it
(TinyVGG, chapter 08's ViT) or as torchvision writes it (VisionTransformer). Same seed -> same
initial weights and state_dict keys; then the same outputs and parameter gradients."""
import math
from collections import OrderedDict

import numpy as np
import pytest
import torch
from torch import nn as tnn

import minitorch_lite as mt
from minitorch_lite.vision import models


# ---- torch twins ---------------------------------------------------------------------------------

class TorchTinyVGG(tnn.Module):
    def __init__(self, input_shape, hidden_units, output_shape, padding=1, side=16, names=("conv_block_1", "conv_block_2")):
        super().__init__()
        self.names = names
        for i, name in enumerate(names):
            setattr(self, name, tnn.Sequential(
                tnn.Conv2d(input_shape if i == 0 else hidden_units, hidden_units, kernel_size=3, stride=1, padding=padding),
                tnn.ReLU(),
                tnn.Conv2d(hidden_units, hidden_units, kernel_size=3, stride=1, padding=padding),
                tnn.ReLU(),
                tnn.MaxPool2d(kernel_size=2, stride=2)))
        self.classifier = tnn.Sequential(tnn.Flatten(), tnn.Linear(hidden_units * side * side, output_shape))

    def forward(self, x):
        return self.classifier(getattr(self, self.names[1])(getattr(self, self.names[0])(x)))


class TorchPatchEmbedding(tnn.Module):
    def __init__(self, in_channels=3, patch_size=16, embedding_dim=768):
        super().__init__()
        self.patcher = tnn.Conv2d(in_channels, embedding_dim, kernel_size=patch_size, stride=patch_size, padding=0)
        self.flatten = tnn.Flatten(start_dim=2, end_dim=3)

    def forward(self, x):
        return self.flatten(self.patcher(x)).permute(0, 2, 1)


class TorchMSABlock(tnn.Module):
    def __init__(self, embedding_dim, num_heads, attn_dropout=0.0):
        super().__init__()
        self.layer_norm = tnn.LayerNorm(normalized_shape=embedding_dim)
        self.multihead_attn = tnn.MultiheadAttention(embed_dim=embedding_dim, num_heads=num_heads,
                                                     dropout=attn_dropout, batch_first=True)

    def forward(self, x):
        x = self.layer_norm(x)
        return self.multihead_attn(query=x, key=x, value=x, need_weights=False)[0]


class TorchMLPBlock(tnn.Module):
    def __init__(self, embedding_dim, mlp_size, dropout):
        super().__init__()
        self.layer_norm = tnn.LayerNorm(normalized_shape=embedding_dim)
        self.mlp = tnn.Sequential(tnn.Linear(embedding_dim, mlp_size), tnn.GELU(), tnn.Dropout(p=dropout),
                                  tnn.Linear(mlp_size, embedding_dim), tnn.Dropout(p=dropout))

    def forward(self, x):
        return self.mlp(self.layer_norm(x))


class TorchEncoderBlock(tnn.Module):
    def __init__(self, embedding_dim, num_heads, mlp_size, mlp_dropout, attn_dropout=0.0):
        super().__init__()
        self.msa_block = TorchMSABlock(embedding_dim, num_heads, attn_dropout)
        self.mlp_block = TorchMLPBlock(embedding_dim, mlp_size, mlp_dropout)

    def forward(self, x):
        x = self.msa_block(x) + x
        return self.mlp_block(x) + x


class TorchViT(tnn.Module):
    """Chapter 08's ViT."""

    def __init__(self, img_size, in_channels, patch_size, num_transformer_layers, embedding_dim, mlp_size,
                 num_heads, attn_dropout, mlp_dropout, embedding_dropout, num_classes):
        super().__init__()
        self.num_patches = (img_size * img_size) // patch_size ** 2
        self.class_embedding = tnn.Parameter(data=torch.randn(1, 1, embedding_dim), requires_grad=True)
        self.position_embedding = tnn.Parameter(data=torch.randn(1, self.num_patches + 1, embedding_dim),
                                                requires_grad=True)
        self.embedding_dropout = tnn.Dropout(p=embedding_dropout)
        self.patch_embedding = TorchPatchEmbedding(in_channels, patch_size, embedding_dim)
        self.transformer_encoder = tnn.Sequential(*[
            TorchEncoderBlock(embedding_dim, num_heads, mlp_size, mlp_dropout, attn_dropout)
            for _ in range(num_transformer_layers)])
        self.classifier = tnn.Sequential(tnn.LayerNorm(normalized_shape=embedding_dim),
                                         tnn.Linear(embedding_dim, num_classes))

    def forward(self, x):
        class_token = self.class_embedding.expand(x.shape[0], -1, -1)
        x = torch.cat((class_token, self.patch_embedding(x)), dim=1)
        x = self.embedding_dropout(self.position_embedding + x)
        return self.classifier(self.transformer_encoder(x)[:, 0])


class TorchVisionTransformer(tnn.Module):
    """torchvision.models.VisionTransformer, written out with torch (torchvision is not installed)."""

    class MLPBlock(tnn.Sequential):
        def __init__(self, in_dim, mlp_dim, dropout):
            super().__init__(tnn.Linear(in_dim, mlp_dim), tnn.GELU(), tnn.Dropout(dropout),
                             tnn.Linear(mlp_dim, in_dim), tnn.Dropout(dropout))
            for m in self.modules():
                if isinstance(m, tnn.Linear):
                    tnn.init.xavier_uniform_(m.weight)
                    tnn.init.normal_(m.bias, std=1e-6)

    class EncoderBlock(tnn.Module):
        def __init__(self, num_heads, hidden_dim, mlp_dim, dropout, attention_dropout):
            super().__init__()
            self.num_heads = num_heads
            self.ln_1 = tnn.LayerNorm(hidden_dim, eps=1e-6)
            self.self_attention = tnn.MultiheadAttention(hidden_dim, num_heads, dropout=attention_dropout, batch_first=True)
            self.dropout = tnn.Dropout(dropout)
            self.ln_2 = tnn.LayerNorm(hidden_dim, eps=1e-6)
            self.mlp = TorchVisionTransformer.MLPBlock(hidden_dim, mlp_dim, dropout)

        def forward(self, input):
            x = self.ln_1(input)
            x, _ = self.self_attention(x, x, x, need_weights=False)
            x = self.dropout(x) + input
            return x + self.mlp(self.ln_2(x))

    class Encoder(tnn.Module):
        def __init__(self, seq_length, num_layers, num_heads, hidden_dim, mlp_dim, dropout, attention_dropout):
            super().__init__()
            self.pos_embedding = tnn.Parameter(torch.empty(1, seq_length, hidden_dim).normal_(std=0.02))
            self.dropout = tnn.Dropout(dropout)
            layers = OrderedDict()
            for i in range(num_layers):
                layers[f"encoder_layer_{i}"] = TorchVisionTransformer.EncoderBlock(
                    num_heads, hidden_dim, mlp_dim, dropout, attention_dropout)
            self.layers = tnn.Sequential(layers)
            self.ln = tnn.LayerNorm(hidden_dim, eps=1e-6)

        def forward(self, input):
            return self.ln(self.layers(self.dropout(input + self.pos_embedding)))

    def __init__(self, image_size, patch_size, num_layers, num_heads, hidden_dim, mlp_dim, num_classes=1000):
        super().__init__()
        self.patch_size, self.hidden_dim = patch_size, hidden_dim
        self.conv_proj = tnn.Conv2d(3, hidden_dim, kernel_size=patch_size, stride=patch_size)
        seq_length = (image_size // patch_size) ** 2 + 1
        self.class_token = tnn.Parameter(torch.zeros(1, 1, hidden_dim))
        self.encoder = TorchVisionTransformer.Encoder(seq_length, num_layers, num_heads, hidden_dim, mlp_dim, 0.0, 0.0)
        self.heads = tnn.Sequential(OrderedDict(head=tnn.Linear(hidden_dim, num_classes)))
        fan_in = 3 * patch_size * patch_size
        tnn.init.trunc_normal_(self.conv_proj.weight, std=math.sqrt(1 / fan_in))
        tnn.init.zeros_(self.conv_proj.bias)
        tnn.init.zeros_(self.heads.head.weight)
        tnn.init.zeros_(self.heads.head.bias)

    def forward(self, x):
        n, _, h, w = x.shape
        x = self.conv_proj(x).reshape(n, self.hidden_dim, (h // self.patch_size) * (w // self.patch_size))
        x = torch.cat([self.class_token.expand(n, -1, -1), x.permute(0, 2, 1)], dim=1)
        return self.heads(self.encoder(x)[:, 0])


# ---- helpers -----------------------------------------------------------------------------------------

def assert_same_init(ours, theirs):
    our_sd, their_sd = ours.state_dict(), theirs.state_dict()
    assert list(our_sd) == list(their_sd)
    for name, tensor in their_sd.items():
        np.testing.assert_array_equal(our_sd[name].numpy(), tensor.numpy(), err_msg=name)


def assert_same_forward_backward(ours, theirs, x, rtol=1e-5, atol=1e-6):
    y_ours = ours(mt.from_numpy(x.copy()))
    y_theirs = theirs(torch.from_numpy(x.copy()))
    np.testing.assert_allclose(y_ours.detach().numpy(), y_theirs.detach().numpy(), rtol=rtol, atol=atol)
    target = np.arange(x.shape[0]) % y_theirs.shape[1]
    mt.nn.CrossEntropyLoss()(y_ours, mt.from_numpy(target)).backward()
    tnn.CrossEntropyLoss()(y_theirs, torch.from_numpy(target)).backward()
    for (name, p_ours), (_, p_theirs) in zip(ours.named_parameters(), theirs.named_parameters()):
        assert p_ours.grad is not None, name
        np.testing.assert_allclose(p_ours.grad.numpy(), p_theirs.grad.numpy(), rtol=rtol * 10, atol=atol * 10,
                                   err_msg=name)


def build_both(make_ours, make_theirs, seed=42):
    mt.manual_seed(seed)
    ours = make_ours()
    torch.manual_seed(seed)
    theirs = make_theirs()
    return ours, theirs


# ---- TinyVGG --------------------------------------------------------------------------------------------

@pytest.mark.parametrize("make_ours, make_theirs, shape, params", [
    (lambda: models.FashionMNISTModelV2(input_shape=1, hidden_units=10, output_shape=10),
     lambda: TorchTinyVGG(1, 10, 10, 1, 7, ("block_1", "block_2")), (4, 1, 28, 28), 7740),
    (lambda: models.TinyVGG(input_shape=3, hidden_units=10, output_shape=3),
     lambda: TorchTinyVGG(3, 10, 3, 1, 16), (3, 3, 64, 64), 10693),
    (lambda: models.TinyVGG(input_shape=3, hidden_units=10, output_shape=3, padding=0),
     lambda: TorchTinyVGG(3, 10, 3, 0, 13), (3, 3, 64, 64), 8083),
], ids=["ch03-v2", "ch04", "ch05-padding0"])
def test_tinyvgg_matches_course_model(rng, make_ours, make_theirs, shape, params):
    ours, theirs = build_both(make_ours, make_theirs)
    assert sum(p.numel() for p in ours.parameters()) == params
    assert repr(ours).split("\n", 1)[1] == repr(theirs).split("\n", 1)[1]     # same layers, same reprs
    assert_same_init(ours, theirs)
    assert_same_forward_backward(ours, theirs, rng.standard_normal(shape).astype(np.float32))


def test_tinyvgg_other_image_sizes():
    model = models.TinyVGG(3, 8, 5, padding=1, image_size=32)
    assert model.classifier[1].in_features == 8 * 8 * 8
    assert tuple(model(mt.zeros(2, 3, 32, 32)).shape) == (2, 5)
    with pytest.raises(ValueError, match="too small"):
        models.TinyVGG(3, 8, 5, padding=0, image_size=8)


# ---- chapter 08's ViT ---------------------------------------------------------------------------------

SMALL_VIT = dict(img_size=32, in_channels=3, patch_size=8, num_transformer_layers=2, embedding_dim=48,
                 mlp_size=96, num_heads=4, attn_dropout=0.0, mlp_dropout=0.1, embedding_dropout=0.1,
                 num_classes=3)


def test_vit_matches_course_model(rng):
    ours, theirs = build_both(lambda: models.ViT(**SMALL_VIT), lambda: TorchViT(**SMALL_VIT))
    assert_same_init(ours, theirs)
    ours.eval()
    theirs.eval()
    assert_same_forward_backward(ours, theirs, rng.standard_normal((2, 3, 32, 32)).astype(np.float32),
                                 rtol=1e-4, atol=1e-5)


def test_vit_tiny_and_blocks_shapes():
    model = models.vit_tiny(num_classes=4)
    assert tuple(model(mt.randn(2, 3, 32, 32)).shape) == (2, 4)
    patches = models.PatchEmbedding(in_channels=3, patch_size=16, embedding_dim=768)
    assert tuple(patches(mt.randn(1, 3, 224, 224)).shape) == (1, 196, 768)
    assert sum(p.numel() for p in patches.parameters()) == 590592
    assert sum(p.numel() for p in models.MultiheadSelfAttentionBlock().parameters()) == 2363904
    assert sum(p.numel() for p in models.MLPBlock().parameters()) == 4723968
    with pytest.raises(AssertionError, match="divisble by patch size"):
        patches(mt.randn(1, 3, 100, 100))


@pytest.mark.slow
def test_vit_base_parameter_count():
    assert sum(p.numel() for p in models.ViT(num_classes=3).parameters()) == 85800963


# ---- torchvision's VisionTransformer / vit_b_16 -----------------------------------------------------------

SMALL_TV = dict(image_size=32, patch_size=8, num_layers=2, num_heads=4, hidden_dim=48, mlp_dim=96, num_classes=5)


def test_vision_transformer_matches_torchvision_structure(rng):
    ours, theirs = build_both(lambda: models.VisionTransformer(**SMALL_TV), lambda: TorchVisionTransformer(**SMALL_TV))
    assert_same_init(ours, theirs)
    assert "encoder.layers.encoder_layer_1.mlp.3.weight" in ours.state_dict()
    with torch.no_grad():          # the zero-initialised head would make every output 0
        theirs.heads.head.weight.normal_()
    ours.heads.head.weight.data = mt.from_numpy(theirs.heads.head.weight.detach().numpy().copy())
    assert_same_forward_backward(ours, theirs, rng.standard_normal((2, 3, 32, 32)).astype(np.float32),
                                 rtol=1e-4, atol=1e-5)


def test_vit_b_16_weights_missing_offline(tmp_path, monkeypatch):
    """Without the checkpoint in the hub cache and without network, `weights=` says where to put it
    (tests/test_hub.py loads real torchvision checkpoints)."""
    from urllib.error import URLError

    from minitorch_lite import hub

    def no_network(*args, **kwargs):
        raise URLError("no network in this test")
    monkeypatch.setattr(hub, "urlopen", no_network)
    monkeypatch.setenv("TORCH_HOME", str(tmp_path))
    for weights in (models.ViT_B_16_Weights.DEFAULT, "DEFAULT", "IMAGENET1K_SWAG_E2E_V1"):
        with pytest.raises(hub.DownloadError, match="put the file 'vit_b_16.*pth' into the folder"):
            models.vit_b_16(weights=weights, progress=False)
    transforms = models.ViT_B_16_Weights.DEFAULT.transforms()
    assert repr(transforms) == ("ImageClassification(\n    crop_size=[224]\n    resize_size=[256]\n"
                                "    mean=[0.485, 0.456, 0.406]\n    std=[0.229, 0.224, 0.225]\n"
                                "    interpolation=InterpolationMode.BILINEAR\n)")
    from PIL import Image
    out = transforms(Image.new("RGB", (300, 260), (255, 0, 0)))
    assert tuple(out.shape) == (3, 224, 224) and out.dtype == mt.float32
    np.testing.assert_allclose(out.numpy()[:, 0, 0], (np.array([1.0, 0, 0]) - [0.485, 0.456, 0.406])
                               / [0.229, 0.224, 0.225], rtol=1e-6)


@pytest.mark.slow
def test_vit_b_16_parameter_count():
    model = models.vit_b_16()
    assert sum(p.numel() for p in model.parameters()) == 86567656
    model.heads = mt.nn.Linear(in_features=768, out_features=3)
    assert sum(p.numel() for p in model.parameters()) == 85800963
