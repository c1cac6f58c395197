"""The tutorial notebooks run, and the committed ones are what tutorials/build_notebooks.py builds.

Each notebook is built from the script and executed in a fresh kernel in quick mode
(MINITORCH_TUTORIAL_QUICK=1: fewer epochs, a slice of Fashion-MNIST written to a temporary
directory), so a change in the library that breaks a tutorial breaks a test. Only the cells tagged
`raises-exception` (the course's cells that are meant to fail) may end in an error, and they must.
"""
import importlib.util
from pathlib import Path

import nbformat
import pytest

TUTORIALS = Path(__file__).resolve().parents[1] / "tutorials"


def _builder():
    spec = importlib.util.spec_from_file_location("build_notebooks",
                                                  TUTORIALS / "build_notebooks.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


BUILDER = _builder()


@pytest.mark.parametrize("key", sorted(BUILDER.NOTEBOOKS))
def test_committed_notebook_matches_the_build_script(key):
    filename, cells = BUILDER.NOTEBOOKS[key]
    committed = nbformat.read(TUTORIALS / filename, as_version=4)
    assert [cell.source for cell in committed.cells] == [cell.source for cell in cells], (
        f"{filename} is out of date: run python tutorials/build_notebooks.py --execute --only {key}")
    code_cells = [cell for cell in committed.cells if cell.cell_type == "code"]
    assert all(cell.get("outputs") for cell in code_cells[:1]), f"{filename} was saved unexecuted"
    _assert_errors_only_where_expected(committed)


def _assert_errors_only_where_expected(notebook):
    for cell in notebook.cells:
        if cell.cell_type != "code":
            continue
        errors = [o for o in cell.get("outputs", []) if o.output_type == "error"]
        if "raises-exception" in cell.metadata.get("tags", []):
            assert errors, f"this cell should raise:\n{cell.source}"
        else:
            assert not errors, f"{errors[0].ename}: {errors[0].evalue}\nin:\n{cell.source}"


@pytest.mark.parametrize("key", sorted(BUILDER.NOTEBOOKS))
def test_notebook_runs_in_quick_mode(key, tmp_path, monkeypatch):
    monkeypatch.setenv("MINITORCH_TUTORIAL_QUICK", "1")
    monkeypatch.setenv("MINITORCH_DATA", str(tmp_path))
    _, cells = BUILDER.NOTEBOOKS[key]
    notebook = BUILDER.execute(BUILDER.build(cells), timeout=300)
    _assert_errors_only_where_expected(notebook)
