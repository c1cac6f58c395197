"""torch.utils.tensorboard's SummaryWriter, honestly reduced: it writes plain-text logs, not
TensorBoard event files, so `tensorboard --logdir runs` shows nothing.

    >>> from minitorch_lite._shims.tensorboard import SummaryWriter
    >>> writer = SummaryWriter(log_dir="runs/demo")                        # doctest: +SKIP
    >>> writer.add_scalars("Loss", {"train": 0.5, "test": 0.6}, global_step=0)  # doctest: +SKIP
    >>> writer.close()                                                      # doctest: +SKIP

What lands in `log_dir`:
  scalars.jsonl   one JSON object per value: {"tag", "value", "step", "wall_time"}
                  (add_scalars writes "<main_tag>/<name>" tags, one line each)
  text.jsonl      add_text entries
  graph.txt       add_graph: the model's repr (no traced graph)
Read them back with `read_scalars(log_dir)` or any JSON-lines reader (pandas.read_json(lines=True)).
"""
import json
import os
import socket
import time
from datetime import datetime

__all__ = ["SummaryWriter", "read_scalars"]


class SummaryWriter:
    """Log scalars and text to plain files in `log_dir` (default runs/<date>_<host><comment>)."""

    def __init__(self, log_dir=None, comment="", purge_step=None, max_queue=10, flush_secs=120,
                 filename_suffix=""):
        if log_dir is None:
            stamp = datetime.now().strftime("%b%d_%H-%M-%S")
            log_dir = os.path.join("runs", f"{stamp}_{socket.gethostname()}{comment}")
        self.log_dir = str(log_dir)
        os.makedirs(self.log_dir, exist_ok=True)
        self._files = {}

    def get_logdir(self):
        return self.log_dir

    def _write(self, name, entry):
        if name not in self._files:
            self._files[name] = open(os.path.join(self.log_dir, name), "a", encoding="utf-8")
        self._files[name].write(json.dumps(entry) + "\n")

    def add_scalar(self, tag, scalar_value, global_step=None, walltime=None, new_style=False,
                   double_precision=False):
        self._write("scalars.jsonl", {"tag": tag, "value": float(scalar_value),
                                      "step": global_step, "wall_time": walltime or time.time()})

    def add_scalars(self, main_tag, tag_scalar_dict, global_step=None, walltime=None):
        for name, value in tag_scalar_dict.items():
            self.add_scalar(f"{main_tag}/{name}", value, global_step, walltime)

    def add_text(self, tag, text_string, global_step=None, walltime=None):
        self._write("text.jsonl", {"tag": tag, "text": text_string, "step": global_step,
                                   "wall_time": walltime or time.time()})

    def add_graph(self, model, input_to_model=None, verbose=False, use_strict_trace=True):
        """Records the model's repr: there is no tracer to record the graph itself."""
        with open(os.path.join(self.log_dir, "graph.txt"), "w", encoding="utf-8") as file:
            file.write(repr(model) + "\n")

    def flush(self):
        for file in self._files.values():
            file.flush()

    def close(self):
        for file in self._files.values():
            file.close()
        self._files = {}

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def read_scalars(log_dir):
    """Every scalar written to log_dir, as a list of dicts, in the order written."""
    path = os.path.join(log_dir, "scalars.jsonl")
    with open(path, encoding="utf-8") as file:
        return [json.loads(line) for line in file]
