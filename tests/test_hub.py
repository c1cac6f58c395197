"""minitorch_lite.hub and `weights=`: torch's hub cache, the safe readers, and torch.hub's download.

No test touches the network: checkpoints are made here with torch/torchvision and written into a
temporary TORCH_HOME, and downloads come from an http.server on 127.0.0.1 (every other address is
refused by the `local_network_only` fixture)."""
import hashlib
import http.server
import io
import os
import pickle
import socket
import threading
import time
import urllib.request
from urllib.error import URLError

import numpy as np
import pytest
import torch

import minitorch_lite as mt
from minitorch_lite import hub, legacy_pth
from minitorch_lite.torch_pickle import TorchFileError
from minitorch_lite.vision import models
from reference._torchvision import torchvision as tv


@pytest.fixture(autouse=True)
def local_network_only(monkeypatch):
    """Refuse any url but 127.0.0.1 (a test that would reach the internet fails instead)."""
    real_urlopen = urllib.request.urlopen

    def urlopen(request, *args, **kwargs):
        url = request.full_url if isinstance(request, urllib.request.Request) else request
        if not url.startswith("http://127.0.0.1:"):
            raise URLError(f"test refused a network access to {url}")
        return real_urlopen(request, *args, **kwargs)
    monkeypatch.setattr(hub, "urlopen", urlopen)


@pytest.fixture
def torch_home(tmp_path, monkeypatch):
    home = tmp_path / "torch_home"
    monkeypatch.setenv("TORCH_HOME", str(home))
    monkeypatch.setattr(hub, "_hub_dir", None)
    return home


def checkpoints(home):
    folder = home / "hub" / "checkpoints"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def url_file_name(url):
    return url.rsplit("/", 1)[1]


def torchvision_checkpoint(home, builder, weights, seed=0):
    """A randomly initialised torchvision model's state_dict (BatchNorm statistics randomised too),
    saved by torch under the file name of `weights.url` in the hub cache; returns the model."""
    torch.manual_seed(seed)
    model = builder()
    with torch.no_grad():
        for name, buffer in model.named_buffers():
            if name.endswith("running_var"):
                buffer.uniform_(0.5, 1.5)
            elif name.endswith("running_mean"):
                buffer.normal_(0, 0.1)
    torch.save(model.state_dict(), checkpoints(home) / url_file_name(weights.url))
    return model.eval()


# ---- where the cache is ---------------------------------------------------------------------------------------

def test_get_dir_follows_torch(monkeypatch, tmp_path):
    monkeypatch.setattr(hub, "_hub_dir", None)
    for env in ("TORCH_HOME", "XDG_CACHE_HOME"):
        monkeypatch.delenv(env, raising=False)
    assert hub.get_dir() == torch.hub.get_dir() == os.path.expanduser("~/.cache/torch/hub")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert hub.get_dir() == torch.hub.get_dir() == str(tmp_path / "xdg" / "torch" / "hub")
    monkeypatch.setenv("TORCH_HOME", str(tmp_path / "th"))
    assert hub.get_dir() == torch.hub.get_dir() == str(tmp_path / "th" / "hub")
    hub.set_dir(str(tmp_path / "mine"))
    assert hub.get_dir() == str(tmp_path / "mine")
    assert mt.hub is hub


# ---- weights= from the cache -------------------------------------------------------------------------------------

@pytest.mark.parametrize("weights_arg", ["enum", "IMAGENET1K_V1", "EfficientNet_B0_Weights.IMAGENET1K_V1",
                                         "DEFAULT"])
def test_efficientnet_b0_weights_from_the_hub_cache(torch_home, weights_arg):
    theirs = torchvision_checkpoint(torch_home, tv.models.efficientnet_b0, tv.models.EfficientNet_B0_Weights.DEFAULT)
    weights = models.EfficientNet_B0_Weights.IMAGENET1K_V1 if weights_arg == "enum" else weights_arg
    ours = models.efficientnet_b0(weights=weights).eval()
    for key, value in theirs.state_dict().items():
        np.testing.assert_array_equal(ours.state_dict()[key].numpy(), value.numpy(), err_msg=key)
    if weights_arg == "enum":       # and the numbers that come out of it
        x = np.random.default_rng(0).standard_normal((1, 3, 96, 96)).astype(np.float32)
        with mt.no_grad():
            got = ours(mt.from_numpy(x)).numpy()
        with torch.no_grad():
            want = theirs(torch.from_numpy(x)).numpy()
        np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-6)


@pytest.mark.slow
@pytest.mark.parametrize("builder, enum, size", [("efficientnet_b1", "EfficientNet_B1_Weights", 240),
                                                 ("efficientnet_b2", "EfficientNet_B2_Weights", 288),
                                                 ("vit_b_16", "ViT_B_16_Weights", 224)])
def test_bigger_models_weights_from_the_hub_cache(torch_home, builder, enum, size):
    theirs = torchvision_checkpoint(torch_home, getattr(tv.models, builder), getattr(tv.models, enum).DEFAULT)
    if builder == "vit_b_16":       # torchvision's head is zero-initialised: give it weights
        state = theirs.state_dict()
        state["heads.head.weight"].normal_(0, 0.02)
        torch.save(state, checkpoints(torch_home) / url_file_name(tv.models.ViT_B_16_Weights.DEFAULT.url))
    ours = getattr(models, builder)(weights="DEFAULT").eval()
    x = np.random.default_rng(0).standard_normal((2, 3, size, size)).astype(np.float32)
    with mt.no_grad():
        got = ours(mt.from_numpy(x)).numpy()
    with torch.no_grad():
        want = theirs(torch.from_numpy(x)).numpy()
    assert np.abs(want).max() > 0.01
    np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-5)


def test_vit_b_16_swag_weights_set_the_image_size(torch_home, monkeypatch):
    """SWAG_E2E weights are for 384x384 images: the builder sizes the position embedding from
    meta["min_size"] before loading (here the loading is replaced: the point is the shape)."""
    seen = {}

    def fake_get_state_dict(self, progress=True, check_hash=False):
        seen["url"] = self.url
        return seen["model"].state_dict()
    monkeypatch.setattr(models.ViT_B_16_Weights, "get_state_dict", fake_get_state_dict)
    seen["model"] = models.VisionTransformer(image_size=384, patch_size=16, num_layers=1, num_heads=2,
                                             hidden_dim=8, mlp_dim=16)
    with pytest.raises(RuntimeError):   # the real architecture is bigger than this small state dict
        models.vit_b_16(weights="IMAGENET1K_SWAG_E2E_V1")
    assert seen["url"].endswith("vit_b_16_swag-9ac1b537.pth")
    with pytest.raises(ValueError, match="The parameter 'image_size' expected value 384 but got 224"):
        models.vit_b_16(weights="IMAGENET1K_SWAG_E2E_V1", image_size=224)


def test_missing_weights_without_network_name_the_file_and_folder(torch_home):
    start = time.perf_counter()
    with pytest.raises(hub.DownloadError) as info:
        models.efficientnet_b0(weights="DEFAULT", progress=False)
    message = str(info.value)
    folder = str(torch_home / "hub" / "checkpoints")
    assert "efficientnet_b0_rwightman-7f5810bc.pth" in message and folder in message
    assert isinstance(info.value, URLError) and isinstance(info.value, OSError)
    assert time.perf_counter() - start < 5
    assert os.listdir(folder) == []                       # nothing half-written left behind
    with pytest.raises(hub.DownloadError, match="vit_b_16-c867db91.pth"):
        models.vit_b_16(weights=models.ViT_B_16_Weights.DEFAULT, progress=False)


def test_a_hostile_checkpoint_in_the_cache_is_refused(torch_home):
    class Evil:
        def __reduce__(self):
            return (os.system, ("echo hacked",))
    name = url_file_name(models.EfficientNet_B0_Weights.DEFAULT.url)
    torch.save({"features.0.0.weight": Evil()}, checkpoints(torch_home) / name)
    with pytest.raises(TorchFileError, match="refusing to load 'posix.system'|refusing to load 'os.system'"):
        models.efficientnet_b0(weights="DEFAULT")


# ---- torch's legacy (pre-1.6) format ---------------------------------------------------------------------------

def test_legacy_checkpoints_load_like_torch(tmp_path):
    base = torch.arange(24, dtype=torch.float64).reshape(4, 6)
    state = {"w": torch.randn(3, 4), "view": base[1:, ::2], "same": base, "i": torch.tensor([1, 2], dtype=torch.int64),
             "flag": torch.tensor([True, False]), "nested": [torch.ones(2), {"x": torch.zeros(1, dtype=torch.float16)}]}
    path = tmp_path / "legacy.pth"
    torch.save(state, path, _use_new_zipfile_serialization=False)
    assert legacy_pth.is_legacy(path)
    got = legacy_pth.load(path)
    want = torch.load(path)
    np.testing.assert_array_equal(got["w"].numpy(), want["w"].numpy())
    np.testing.assert_array_equal(got["view"].numpy(), want["view"].numpy())
    assert got["view"].dtype == mt.float64 and got["i"].dtype == mt.int64 and got["flag"].dtype == mt.bool
    assert got["nested"][1]["x"].dtype == mt.float16
    np.testing.assert_array_equal(got["same"].numpy(), base.numpy())
    modern = tmp_path / "modern.pth"
    torch.save(state, modern)
    assert not legacy_pth.is_legacy(modern)


def test_legacy_reader_refuses_code_and_damage(tmp_path):
    class Evil:
        def __reduce__(self):
            return (os.system, ("echo hacked",))
    hostile = tmp_path / "evil.pth"
    torch.save({"a": Evil()}, hostile, _use_new_zipfile_serialization=False)
    with pytest.raises(TorchFileError, match="refusing to load"):
        legacy_pth.load(hostile)
    good = tmp_path / "good.pth"
    torch.save({"a": torch.ones(1000)}, good, _use_new_zipfile_serialization=False)
    truncated = tmp_path / "truncated.pth"
    truncated.write_bytes(good.read_bytes()[:-100])
    with pytest.raises(TorchFileError, match="truncated.pth: storage .* is truncated"):
        legacy_pth.load(truncated)
    # a pickle with a newer protocol's opcodes inside a legacy layout
    bad = tmp_path / "bad.pth"
    data = io.BytesIO()
    for obj in (legacy_pth.MAGIC_NUMBER, 1001, {"little_endian": True}):
        pickle.dump(obj, data, protocol=2)
    pickle.dump({"a": b"bytes"}, data, protocol=4)
    bad.write_bytes(data.getvalue())
    with pytest.raises(TorchFileError, match="refusing pickle opcode"):
        legacy_pth.load(bad)


def test_legacy_checkpoint_through_the_hub_cache(torch_home):
    theirs = torchvision_checkpoint(torch_home, tv.models.efficientnet_b0, tv.models.EfficientNet_B0_Weights.DEFAULT)
    path = checkpoints(torch_home) / url_file_name(models.EfficientNet_B0_Weights.DEFAULT.url)
    torch.save(theirs.state_dict(), path, _use_new_zipfile_serialization=False)
    ours = models.efficientnet_b0(weights="DEFAULT")
    np.testing.assert_array_equal(ours.features[0][0].weight.detach().numpy(),
                                  theirs.features[0][0].weight.detach().numpy())


# ---- downloading, from a server on 127.0.0.1 ---------------------------------------------------------------------

@pytest.fixture
def file_server(tmp_path):
    """Serve tmp_path/served over http on 127.0.0.1; yields (folder, base url)."""
    folder = tmp_path / "served"
    folder.mkdir()

    class Handler(http.server.SimpleHTTPRequestHandler):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, directory=str(folder), **kwargs)

        def log_message(self, *args):
            pass
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield folder, f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def served_checkpoint(folder, stem, hash_prefix=None):
    """A torch checkpoint served as `<stem>-<first 10 hex digits of its SHA-256>.pth`."""
    buffer = io.BytesIO()
    state = {"weight": torch.randn(300, 200), "bias": torch.arange(5.0)}
    torch.save(state, buffer)
    data = buffer.getvalue()
    prefix = hash_prefix or hashlib.sha256(data).hexdigest()[:10]
    name = f"{stem}-{prefix}.pth"
    (folder / name).write_bytes(data)
    return name, state


def test_download_into_the_cache_then_read_from_it(torch_home, file_server, capsys):
    folder, base = file_server
    name, state = served_checkpoint(folder, "model")
    got = hub.load_state_dict_from_url(f"{base}/{name}", check_hash=True, progress=True)
    np.testing.assert_array_equal(got["weight"].numpy(), state["weight"].numpy())
    cache = checkpoints(torch_home)
    assert os.listdir(cache) == [name]                     # the file, no .partial left
    captured = capsys.readouterr()
    assert f'Downloading: "{base}/{name}" to {cache / name}' in captured.out
    assert "100%" in captured.err                          # tqdm's bar
    (folder / name).unlink()                               # the second call reads the cache only
    again = hub.load_state_dict_from_url(f"{base}/{name}", check_hash=True)
    np.testing.assert_array_equal(again["bias"].numpy(), state["bias"].numpy())


def test_download_with_a_wrong_hash_leaves_nothing(torch_home, file_server):
    folder, base = file_server
    name, _ = served_checkpoint(folder, "model", hash_prefix="0123456789")
    with pytest.raises(RuntimeError, match='invalid hash value \\(expected "0123456789", got "[0-9a-f]{64}"\\)'):
        hub.load_state_dict_from_url(f"{base}/{name}", check_hash=True, progress=False)
    assert os.listdir(checkpoints(torch_home)) == []
    # without check_hash the same file is accepted, as torch.hub does
    hub.load_state_dict_from_url(f"{base}/{name}", progress=False)
    assert os.listdir(checkpoints(torch_home)) == [name]


def test_download_to_a_chosen_folder_and_name(tmp_path, file_server):
    folder, base = file_server
    name, state = served_checkpoint(folder, "model")
    got = hub.load_state_dict_from_url(f"{base}/{name}", model_dir=str(tmp_path / "mine"), file_name="w.pth",
                                       progress=False)
    assert os.listdir(tmp_path / "mine") == ["w.pth"]
    np.testing.assert_array_equal(got["weight"].numpy(), state["weight"].numpy())
    target = tmp_path / "direct.bin"
    hub.download_url_to_file(f"{base}/{name}", str(target), progress=False)
    assert target.read_bytes() == (folder / name).read_bytes()


def test_download_errors_fail_fast_and_say_where_to_put_the_file(torch_home, file_server, monkeypatch):
    _, base = file_server
    with pytest.raises(hub.DownloadError, match="missing-0123abcd.pth.*HTTP Error 404") as info:
        hub.load_state_dict_from_url(f"{base}/missing-0123abcd.pth", check_hash=True, progress=False)
    assert str(checkpoints(torch_home)) in str(info.value)
    # a port nobody listens on: refused at once
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        closed_port = s.getsockname()[1]
    with pytest.raises(hub.DownloadError, match="Connection refused|refused"):
        hub.load_state_dict_from_url(f"http://127.0.0.1:{closed_port}/x-12345678.pth", progress=False)
    # a server that accepts and then says nothing: the timeout ends the wait
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(1)
    monkeypatch.setattr(hub, "DOWNLOAD_TIMEOUT", 0.5)
    start = time.perf_counter()
    try:
        with pytest.raises(hub.DownloadError, match="timed out"):
            hub.load_state_dict_from_url(f"http://127.0.0.1:{silent.getsockname()[1]}/y-12345678.pth",
                                         progress=False)
    finally:
        silent.close()
    assert time.perf_counter() - start < 5
    assert os.listdir(checkpoints(torch_home)) == []
