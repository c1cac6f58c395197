"""Build (and optionally execute) the tutorial notebooks from their cells in tutorials/notebooks/.

    python tutorials/build_notebooks.py                 # write the .ipynb files, no outputs
    python tutorials/build_notebooks.py --execute       # ... and run them at full size, saving outputs
    MINITORCH_TUTORIAL_QUICK=1 python tutorials/build_notebooks.py --execute --only 03

The notebooks are generated so that they stay reviewable (the modules in notebooks/, one per
notebook, are the source; diffs of them read like code) and regenerable. Each one teaches a chapter of "Learn PyTorch for Deep Learning"
on minitorch_lite, shows in a few places that PyTorch gives the same numbers, and ends with a
"how it works inside" section that prints the engine's own source with `inspect.getsource`, so it
never goes stale.

Environment switches read by the notebooks:
  MINITORCH_TUTORIAL_QUICK=1   fewer epochs and small data (a slice of Fashion-MNIST, a small
                               food stand-in): the tests use it
  MINITORCH_DATA=<dir>         where data and saved models go (default ~/.cache/minitorch_lite)
"""
import argparse
import os
import sys
import time
from pathlib import Path

import nbformat
from nbformat.v4 import new_notebook

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))  # the `notebooks` package next to this file
from notebooks import (nb00_pytorch_fundamentals, nb01_workflow, nb02_classification,  # noqa: E402
                       nb03_computer_vision, nb04_custom_datasets, nb05_going_modular)

NOTEBOOKS = {
    "00": ("00_pytorch_fundamentals.ipynb", nb00_pytorch_fundamentals.CELLS),
    "01": ("01_workflow.ipynb", nb01_workflow.CELLS),
    "02": ("02_classification.ipynb", nb02_classification.CELLS),
    "03": ("03_computer_vision.ipynb", nb03_computer_vision.CELLS),
    "04": ("04_custom_datasets.ipynb", nb04_custom_datasets.CELLS),
    "05": ("05_going_modular.ipynb", nb05_going_modular.CELLS),
}


def build(cells):
    notebook = new_notebook(cells=cells)
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                       "language": "python"}
    notebook.metadata["language_info"] = {"name": "python"}
    return notebook


def execute(notebook, timeout=3600):
    """Run every cell in tutorials/ (cells tagged raises-exception may fail, as in the course)."""
    from nbclient import NotebookClient
    NotebookClient(notebook, timeout=timeout, kernel_name="python3",
                   resources={"metadata": {"path": str(HERE)}}).execute()
    return notebook


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--execute", action="store_true", help="run them and keep the outputs")
    parser.add_argument("--only", nargs="*", choices=sorted(NOTEBOOKS), help="e.g. --only 00 03")
    args = parser.parse_args(argv)
    for key in args.only or sorted(NOTEBOOKS):
        filename, cells = NOTEBOOKS[key]
        notebook = build(cells)
        if args.execute:
            start = time.perf_counter()
            execute(notebook)
            print(f"{filename}: executed in {time.perf_counter() - start:.0f} s "
                  f"(quick mode: {os.environ.get('MINITORCH_TUTORIAL_QUICK') == '1'})")
        nbformat.write(notebook, HERE / filename)


if __name__ == "__main__":
    main()
