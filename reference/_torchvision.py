"""Import the real torchvision beside torch's CPU build, where its compiled ops are missing.

    >>> from reference._torchvision import torchvision
    >>> torchvision.transforms.CenterCrop(224)
    CenterCrop(size=(224, 224))

torchvision's wheels are built against a CUDA torch. Beside the CPU build of torch its C extension
does not load, and `import torchvision` fails in `torchvision/_meta_registrations.py` with
`RuntimeError: operator torchvision::nms does not exist`: that module registers "fake" (shape-only)
kernels for the compiled operators (nms, roi_align, ...) with `torch.library.register_fake`, and
torch refuses a fake kernel for an operator nobody defined.

So the import runs with `register_fake` wrapped: a registration whose operator does not exist is
skipped (the decorator hands the function back unchanged); every other registration goes through.
The wrapper is removed again right after the import. Everything torchvision writes in Python then
works (models and their weight enums, transforms, datasets); what needs the C extension does not
(`torchvision.io.read_image` / `decode_*`, detection ops). So `io` below is torchvision.io with
`read_image` done by Pillow (same modes, uint8 [C, H, W]); its other names are torchvision's.

Every module of `reference/` that the course writes with torchvision imports it from here.
"""
import functools
import types

import numpy as np
import torch
import torch.library
from PIL import Image

_real_register_fake = torch.library.register_fake


def _missing_operator(error):
    return isinstance(error, RuntimeError) and "does not exist" in str(error)


@functools.wraps(_real_register_fake)
def _register_fake_if_defined(op, *args, **kwargs):
    """`register_fake`, except that a registration for an undefined operator is skipped."""
    try:
        register = _real_register_fake(op, *args, **kwargs)
    except RuntimeError as error:       # used as a plain call with the function given
        if _missing_operator(error):
            return args[0] if args and callable(args[0]) else None
        raise
    if not callable(register):
        return register

    def decorator(fn):
        try:
            return register(fn)
        except RuntimeError as error:
            if _missing_operator(error):
                return fn
            raise
    return decorator


def _import_torchvision():
    torch.library.register_fake = _register_fake_if_defined
    try:
        import torchvision
        import torchvision.datasets  # noqa: F401  (the submodules the course uses, loaded while wrapped)
        import torchvision.models  # noqa: F401
        import torchvision.transforms  # noqa: F401
        import torchvision.transforms.functional  # noqa: F401
        import torchvision.transforms.v2  # noqa: F401
    finally:
        torch.library.register_fake = _real_register_fake
    return torchvision


torchvision = _import_torchvision()
transforms = torchvision.transforms
datasets = torchvision.datasets
models = torchvision.models

_PILLOW_MODE = {"GRAY": "L", "GRAY_ALPHA": "LA", "RGB": "RGB", "RGB_ALPHA": "RGBA"}


def read_image(path, mode=torchvision.io.ImageReadMode.UNCHANGED):
    """torchvision.io.read_image decoded by Pillow: a uint8 tensor [C, H, W].

    UNCHANGED keeps grey (1), grey+alpha (2), RGB (3) or RGBA (4) channels (palette images become
    RGB, or RGBA when they have a transparent colour); the other modes convert to theirs.
    """
    mode = torchvision.io.ImageReadMode(mode) if not isinstance(mode, str) else \
        torchvision.io.ImageReadMode[mode.upper()]
    with Image.open(path) as img:
        target = _PILLOW_MODE.get(mode.name)
        if target is None:
            target = {"P": "RGBA" if "transparency" in img.info else "RGB", "PA": "RGBA",
                      "1": "L", "CMYK": "RGB", "YCbCr": "RGB"}.get(img.mode, img.mode)
        elif target == "L" and img.format == "JPEG":
            img.draft("L", img.size)  # libjpeg decodes luminance directly, as torchvision's does
        array = np.asarray(img.convert(target) if img.mode != target else img)
    if array.ndim == 2:
        array = array[:, :, None]
    return torch.from_numpy(np.array(array.transpose(2, 0, 1), order="C"))


io = types.ModuleType("reference._torchvision.io", "torchvision.io with Pillow's read_image")
io.read_image = read_image
io.__getattr__ = lambda name: getattr(torchvision.io, name)

__all__ = ["torchvision", "transforms", "datasets", "models", "io", "read_image"]
