"""Drop-in mode: run code written for PyTorch, unchanged, on minitorch_lite.

    $ python -m minitorch_lite.as_torch train.py --epochs 3      # a script, with its arguments
    $ python -m minitorch_lite.as_torch -m package.module args   # a module, like `python -m`

    >>> from minitorch_lite import as_torch
    >>> as_torch.install()    # in a notebook: first, before anything imports torch # doctest: +SKIP
    >>> import torch                                                                # doctest: +SKIP
    >>> torch.tensor([1.0, 2.0]) * 2                                                # doctest: +SKIP
    tensor([2., 4.])

`install()` puts module objects into `sys.modules` under the names PyTorch code imports, so that
`import torch`, `from torch import nn` or `from torchvision import datasets` find minitorch_lite:

  torch                   a module with minitorch_lite's top level (tensor, nn, optim, save, ...)
  torch.nn, .optim, .autograd, .random, .cuda, .backends, .hub, .utils.data
                          minitorch_lite's own packages, every submodule included
                          (torch.nn.functional, torch.optim.lr_scheduler, torch.utils.data.dataset)
  torch.utils.tensorboard minitorch_lite.utils.tensorboard: SummaryWriter writing TensorBoard
                          event files (needs the tensorboard package; without it, importing
                          it raises an ImportError that names the extra to install)
  torchvision             minitorch_lite.vision (datasets, transforms, models, ops, io, utils)
  torchmetrics            _shims/torchmetrics.py (minitorch_lite.metrics under its names)
  torchinfo               _shims/torchinfo.py (summary, measured with forward hooks)
  safetensors.torch       _shims/safetensors_torch.py (save_file, load_file, save, load)

Versions say what they are: `torch.__version__` is "2.13.0+minitorch_lite.<version>" (the torch
API level minitorch_lite follows, which also passes the course's `minor >= 12` checks) and
`torchvision.__version__` is "0.28.0+minitorch_lite.<version>".

Nothing inside minitorch_lite is changed: `torch` is a separate module object whose attributes are
minitorch_lite's. What minitorch_lite lacks stays missing: `import torch.distributed` raises
ModuleNotFoundError and `torch.compile` AttributeError, rather than failing later in silence.
`install()` refuses to run once the real torch is imported in the same process (the two would mix).
"""
import importlib
import pkgutil
import runpy
import sys
import types
from pathlib import Path

import minitorch_lite as mt

from ._shims import safetensors_torch, torchinfo, torchmetrics

TORCH_API_VERSION = "2.13.0"
TORCHVISION_API_VERSION = "0.28.0"

# torch.<name> -> minitorch_lite.<name>: packages aliased with all their submodules
_TORCH_PACKAGES = ["nn", "optim", "autograd", "random", "cuda", "backends", "hub", "utils.data"]

__all__ = ["install", "is_installed", "main"]


def _facade(name, source, doc, **extra):
    """A new module called `name` holding `source`'s public attributes plus `extra`; names added
    to `source` later are still found (module-level __getattr__)."""
    module = types.ModuleType(name, doc)
    module.__dict__.update({key: value for key, value in vars(source).items()
                            if not key.startswith("__")})
    module.__dict__.update(extra)
    module.__getattr__ = lambda attribute: getattr(source, attribute)
    return module


def _alias_package(package, alias):
    """Register `package` and every submodule of it as `alias` and `alias.<submodule>`."""
    sys.modules[alias] = package
    for info in pkgutil.walk_packages(getattr(package, "__path__", []), package.__name__ + "."):
        submodule = importlib.import_module(info.name)
        sys.modules[alias + info.name[len(package.__name__):]] = submodule


class _Unavailable(types.ModuleType):
    """Stands for a module whose import failed: any attribute raises that ImportError, so
    `from torch.utils.tensorboard import SummaryWriter` says what to install."""

    def __init__(self, name, error):
        super().__init__(name, str(error))
        self._error = error

    def __getattr__(self, attribute):
        if attribute.startswith("__"):
            raise AttributeError(attribute)
        raise ImportError(str(self._error), name=self.__name__)


def _tensorboard():
    try:
        return importlib.import_module("minitorch_lite.utils.tensorboard")
    except ImportError as error:  # the tensorboard package is missing: fail when it is used
        return _Unavailable("torch.utils.tensorboard", error)


def is_installed():
    """True when `import torch` gives minitorch_lite in this process."""
    torch = sys.modules.get("torch")
    return torch is not None and getattr(torch, "__minitorch_lite__", False)


def install():
    """Make `import torch`, `torchvision`, `torchmetrics`, `torchinfo` give minitorch_lite.

    Idempotent. Raises RuntimeError if the real torch is already imported in this process.
    """
    if is_installed():
        return sys.modules["torch"]
    if "torch" in sys.modules:
        raise RuntimeError("the real torch is already imported in this process: call "
                           "minitorch_lite.as_torch.install() before anything imports torch "
                           "(in a notebook, restart the kernel and run it first)")
    version = f"{TORCH_API_VERSION}+minitorch_lite.{mt.__version__}"
    tensorboard = _tensorboard()
    utils = _facade("torch.utils", mt.utils, "torch.utils on minitorch_lite",
                    tensorboard=tensorboard)
    torch = _facade("torch", mt, mt.__doc__, __version__=version, __minitorch_lite__=True,
                    utils=utils)
    sys.modules["torch"] = torch
    sys.modules["torch.utils"] = utils
    for name in _TORCH_PACKAGES:
        _alias_package(importlib.import_module(f"minitorch_lite.{name}"), f"torch.{name}")
    if isinstance(tensorboard, _Unavailable):
        sys.modules["torch.utils.tensorboard"] = tensorboard
    else:
        _alias_package(tensorboard, "torch.utils.tensorboard")

    vision = importlib.import_module("minitorch_lite.vision")
    torchvision = _facade("torchvision", vision, vision.__doc__, models=vision.models,
                          __version__=f"{TORCHVISION_API_VERSION}+minitorch_lite.{mt.__version__}")
    sys.modules["torchvision"] = torchvision
    for name in ("datasets", "transforms", "models", "ops", "io", "utils"):
        _alias_package(importlib.import_module(f"minitorch_lite.vision.{name}"),
                       f"torchvision.{name}")
    sys.modules["torchmetrics"] = torchmetrics
    sys.modules["torchmetrics.functional"] = torchmetrics
    sys.modules["torchinfo"] = torchinfo
    # the real safetensors.torch imports the real torch; the rest of safetensors needs no torch
    sys.modules["safetensors.torch"] = safetensors_torch
    try:
        import safetensors
        safetensors.torch = safetensors_torch     # `import safetensors.torch` binds the attribute
    except ImportError:
        pass
    return torch


def main(argv=None):
    """`python -m minitorch_lite.as_torch script.py [args]` or `... -m module [args]`."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] in ("-h", "--help") or (argv[0] == "-m" and len(argv) < 2):
        print("usage: python -m minitorch_lite.as_torch script.py [args...]\n"
              "       python -m minitorch_lite.as_torch -m module [args...]\n"
              "Runs PyTorch code with `import torch` (and torchvision, torchmetrics, torchinfo)\n"
              "served by minitorch_lite.")
        return 0 if argv and argv[0] in ("-h", "--help") else 2
    install()
    if argv[0] == "-m":
        sys.argv = argv[1:]
        runpy.run_module(argv[1], run_name="__main__", alter_sys=True)
    else:
        sys.argv = argv
        sys.path[0] = str(Path(argv[0]).resolve().parent)  # as `python script.py` does
        runpy.run_path(argv[0], run_name="__main__")
    return 0


if __name__ == "__main__":
    sys.exit(main())
