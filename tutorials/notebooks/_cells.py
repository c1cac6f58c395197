"""What every notebook module uses: the setup cell, and `md` / `code` to write cells."""
from nbformat.v4 import new_code_cell, new_markdown_cell

SETUP = '''\
%matplotlib inline
import os
import sys
from pathlib import Path

REPO = Path.cwd().resolve().parent  # the notebooks live in tutorials/
sys.path.insert(0, str(REPO))       # `minitorch_lite` and `reference` (its PyTorch twin) importable
QUICK = os.environ.get("MINITORCH_TUTORIAL_QUICK") == "1"  # a short run (the tests use it)
WORK = Path(os.environ.get("MINITORCH_DATA", Path.home() / ".cache" / "minitorch_lite"))

import numpy as np
import minitorch_lite as mt
from minitorch_lite import nn
print(f"minitorch_lite {mt.__version__}, quick mode: {QUICK}")'''


def md(text):
    return new_markdown_cell(text.strip("\n"))


def code(text, raises=False):
    """A code cell; `raises=True` marks one that is meant to fail (nbclient keeps going)."""
    cell = new_code_cell(text.strip("\n"))
    if raises:
        cell.metadata["tags"] = ["raises-exception"]
    return cell
