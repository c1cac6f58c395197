"""torch.hub's checkpoint cache: where pretrained weights live, and how they get there.

    >>> import minitorch_lite as mt
    >>> mt.hub.get_dir()                                 # doctest: +SKIP
    '/home/me/.cache/torch/hub'
    >>> url = "https://download.pytorch.org/models/efficientnet_b0_rwightman-7f5810bc.pth"
    >>> state_dict = mt.hub.load_state_dict_from_url(url, check_hash=True)   # doctest: +SKIP

The same folder torch uses, so weights torchvision downloaded once serve minitorch_lite too:

    $TORCH_HOME/hub/checkpoints/<the file name in the url>
    TORCH_HOME defaults to $XDG_CACHE_HOME/torch, XDG_CACHE_HOME to ~/.cache

`load_state_dict_from_url` reads the cached file through minitorch_lite's safe .pth reader
(`minitorch_lite.load`, or `legacy_pth` for pre-1.6 files): nothing in the file can run code.
When the file is missing it is downloaded as torch.hub does: a progress bar (tqdm when installed),
the SHA-256 checked against the hex prefix in the file name (`name-<sha256 prefix>.pth`) when
`check_hash=True`, and written to a temporary `.partial` file that is moved into place only when
complete, so a broken download never leaves a file in the cache. Without network the download
fails after `DOWNLOAD_TIMEOUT` seconds at most, with an error that names the file and the folder
to copy it into.

Only torch.hub's checkpoint functions are here: `torch.hub.load` / `list` / `help` (code from
GitHub repositories) are not, and the old zip-wrapped checkpoints torch.hub unpacks are not read.
"""
import hashlib
import os
import re
import shutil
import socket
import sys
import uuid
from urllib.error import HTTPError, URLError
from urllib.parse import urlparse
from urllib.request import Request, urlopen

from . import legacy_pth
from .serialization import load

__all__ = ["get_dir", "set_dir", "download_url_to_file", "load_state_dict_from_url", "DownloadError"]

ENV_TORCH_HOME = "TORCH_HOME"
ENV_XDG_CACHE_HOME = "XDG_CACHE_HOME"
DEFAULT_CACHE_DIR = "~/.cache"
HASH_REGEX = re.compile(r"-([a-f0-9]*)\.")  # name-<sha256 prefix>.ext, as torch.hub
READ_DATA_CHUNK = 128 * 1024
DOWNLOAD_TIMEOUT = 15  # seconds to wait for a connection or for data, before giving up

_hub_dir = None


class DownloadError(URLError):
    """A checkpoint could not be downloaded (no network, server error); says where to put it by hand."""

    def __str__(self):
        return str(self.reason)


def _get_torch_home():
    return os.path.expanduser(os.getenv(
        ENV_TORCH_HOME, os.path.join(os.getenv(ENV_XDG_CACHE_HOME, DEFAULT_CACHE_DIR), "torch")))


def get_dir():
    """The hub folder: set_dir's, else $TORCH_HOME/hub (TORCH_HOME defaults to ~/.cache/torch)."""
    if _hub_dir is not None:
        return _hub_dir
    return os.path.join(_get_torch_home(), "hub")


def set_dir(d):
    """Use folder `d` as the hub folder from now on (checkpoints go to d/checkpoints)."""
    global _hub_dir
    _hub_dir = os.path.expanduser(d)


def _progress_bar(total, enabled):
    try:
        from tqdm import tqdm
    except ImportError:  # tqdm is optional: no bar then
        enabled = False
        tqdm = None
    if not enabled:
        return _NoBar()
    return tqdm(total=total, disable=False, unit="B", unit_scale=True, unit_divisor=1024)


class _NoBar:
    def update(self, n):
        pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


def download_url_to_file(url, dst, hash_prefix=None, progress=True):
    """Download `url` to the path `dst` (atomically); check the SHA-256 starts with `hash_prefix`."""
    dst = os.path.expanduser(dst)
    partial = f"{dst}.{uuid.uuid4().hex}.partial"  # beside dst, so the final move is a rename
    request = Request(url, headers={"User-Agent": "torch.hub"})
    try:
        with open(partial, "w+b") as f:
            with urlopen(request, timeout=DOWNLOAD_TIMEOUT) as response:
                length = response.info().get_all("Content-Length")
                size = int(length[0]) if length else None
                sha256 = hashlib.sha256() if hash_prefix is not None else None
                with _progress_bar(size, progress) as bar:
                    while True:
                        buffer = response.read(READ_DATA_CHUNK)
                        if not buffer:
                            break
                        f.write(buffer)
                        if sha256 is not None:
                            sha256.update(buffer)
                        bar.update(len(buffer))
        if sha256 is not None:
            digest = sha256.hexdigest()
            if digest[:len(hash_prefix)] != hash_prefix:
                raise RuntimeError(f'invalid hash value (expected "{hash_prefix}", got "{digest}")')
        shutil.move(partial, dst)
    finally:
        if os.path.exists(partial):
            os.remove(partial)


def load_state_dict_from_url(url, model_dir=None, map_location=None, progress=True, check_hash=False,
                             file_name=None, weights_only=False):
    """The checkpoint at `url`, read from `model_dir` (default <hub dir>/checkpoints), downloaded
    there first if missing. `weights_only` is accepted for torch's signature: minitorch_lite's
    reader never runs code from the file, whatever it is set to."""
    if model_dir is None:
        model_dir = os.path.join(get_dir(), "checkpoints")
    os.makedirs(model_dir, exist_ok=True)
    filename = file_name if file_name is not None else os.path.basename(urlparse(url).path)
    cached_file = os.path.join(model_dir, filename)
    if not os.path.exists(cached_file):
        sys.stdout.write(f'Downloading: "{url}" to {cached_file}\n')
        hash_prefix = None
        if check_hash:
            match = HASH_REGEX.search(filename)
            hash_prefix = match.group(1) if match else None
        try:
            download_url_to_file(url, cached_file, hash_prefix, progress=progress)
        except (URLError, socket.timeout, ConnectionError) as err:
            reason = err if isinstance(err, HTTPError) else getattr(err, "reason", err)
            raise DownloadError(
                f"could not download {url} ({reason}). To use it offline, put the file '{filename}' "
                f"into the folder {model_dir} (torch's hub cache: a file torchvision downloaded on "
                "another machine, from its ~/.cache/torch/hub/checkpoints, is the same file), or set "
                "TORCH_HOME to the folder above hub/checkpoints/ that has it.") from err
    if legacy_pth.is_legacy(cached_file):
        return legacy_pth.load(cached_file, map_location=map_location)
    return load(cached_file, map_location=map_location)
