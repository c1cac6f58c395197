"""torch.utils.tensorboard on minitorch_lite: SummaryWriter writes real TensorBoard event files.

    >>> import minitorch_lite as mt
    >>> from minitorch_lite.utils.tensorboard import SummaryWriter
    >>> writer = SummaryWriter(log_dir="runs/demo")                               # doctest: +SKIP
    >>> writer.add_scalars("Loss", {"train": 0.5, "test": 0.6}, global_step=0)     # doctest: +SKIP
    >>> writer.close()                                                             # doctest: +SKIP
    $ tensorboard --logdir runs

The records are written by the `tensorboard` package's own EventFileWriter, as protocol buffers
from its own summary definitions (events.out.tfevents.<time>.<host>.<pid>.<n> files), so
TensorBoard, and tensorboard's EventAccumulator, read them like torch's:

  writer.py    SummaryWriter (add_scalar, add_scalars, add_histogram, add_histogram_raw, add_image,
               add_images, add_text, add_hparams, add_graph, flush, close), FileWriter
  summary.py   the Summary protos for each kind of value (torch's summary.py, on NumPy)
  _graph.py    add_graph's GraphDef: the ops of one forward pass, grouped by module

Needs the `tensorboard` package (pip install "minitorch_lite[tensorboard]"); without it this import
raises an ImportError that says so.
"""
try:
    import tensorboard  # noqa: F401
except ImportError as err:
    raise ImportError(
        "minitorch_lite.utils.tensorboard (torch.utils.tensorboard in drop-in mode) writes its event "
        "files with the tensorboard package, which is not installed: pip install "
        "\"minitorch_lite[tensorboard]\" (or pip install tensorboard)", name=err.name) from err

from .writer import FileWriter, SummaryWriter  # noqa: E402

__all__ = ["FileWriter", "SummaryWriter"]
