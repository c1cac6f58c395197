"""Stand-ins for the third-party packages PyTorch course code imports next to torch, built on
minitorch_lite. Only `minitorch_lite.as_torch` puts them under those names (the real packages
import the real torch, so they cannot serve minitorch_lite). torch.utils.tensorboard is
minitorch_lite.utils.tensorboard (real event files, through the tensorboard package).

  torchmetrics.py  torchmetrics.Accuracy, ConfusionMatrix, ... from minitorch_lite.metrics
  torchinfo.py     torchinfo.summary: the layer table, measured with forward hooks
  safetensors_torch.py  safetensors.torch (save_file, load_file, save, load) for minitorch_lite tensors
"""
