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
(`torchvision.io.read_image` / `decode_*`, detection ops): decode images with Pillow instead.

Every module of `reference/` that the course writes with torchvision imports it from here.
"""
import functools

import torch
import torch.library

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

__all__ = ["torchvision", "transforms", "datasets", "models"]
