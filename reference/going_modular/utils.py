"""Contains utility functions for saving and loading a model's state_dict.

    >>> from reference.going_modular import utils
    >>> utils.save_model(model, target_dir="models",
    ...                  model_name="05_going_modular_tinyvgg_model.pth")  # doctest: +SKIP
    [INFO] Saving model to: models/05_going_modular_tinyvgg_model.pth

A name ending in `.pth` or `.pt` is written with the framework's own save; one ending in
`.safetensors` is written in the safetensors format, which both frameworks read (a model trained
on one loads in the other).
"""
from pathlib import Path

import torch
from safetensors.torch import load_file, save_file

MODEL_SUFFIXES = (".pth", ".pt", ".safetensors")


def save_model(model: torch.nn.Module, target_dir: str, model_name: str) -> Path:
    """Saves model.state_dict() to target_dir/model_name and returns that path."""
    if not model_name.endswith(MODEL_SUFFIXES):
        raise ValueError(f"model_name should end with '.pt', '.pth' or '.safetensors', not "
                         f"{model_name!r}")
    target_dir_path = Path(target_dir)
    target_dir_path.mkdir(parents=True, exist_ok=True)
    model_save_path = target_dir_path / model_name
    print(f"[INFO] Saving model to: {model_save_path}")
    if model_save_path.suffix == ".safetensors":
        save_file(model.state_dict(), model_save_path)
    else:
        torch.save(obj=model.state_dict(), f=model_save_path)
    return model_save_path


def load_state_dict_file(model_path: str) -> dict:
    """The state_dict in model_path (.pth/.pt or .safetensors), on the CPU."""
    model_path = Path(model_path)
    if not model_path.is_file():
        raise FileNotFoundError(f"no model file at {str(model_path)!r} (train one with "
                                "`python -m reference.going_modular.train`)")
    if model_path.suffix == ".safetensors":
        return load_file(model_path)
    return torch.load(f=model_path, map_location="cpu")
