"""The chapter twins differ only where the library is named, so `diff` shows a learner the swap.

Each course chapter is written twice: `reference/` on real PyTorch (+ torchvision), and
`minitorch_lite/course/` on minitorch_lite. Two checks:

- every reference module has its twin, and with module docstrings dropped and the library's names
  mapped to one spelling, the two are identical line for line (chapters 00-03 word their module
  docstrings for their framework);
- chapter 04's module and the going_modular scripts are stricter: renaming the library in the
  minitorch_lite file, and nothing else, gives the reference file byte for byte (the rules below:
  `import minitorch_lite as mt` <-> `import torch`, `mt.` <-> `torch.`, `mt.vision.` <->
  `torchvision.`, minitorch_lite's packages <-> torch's (`utils.data`, `nn`),
  `minitorch_lite.vision` <-> `reference._torchvision` (the real torchvision, imported beside
  torch's CPU build), `minitorch_lite._shims.safetensors_torch` <-> `safetensors.torch`, and the
  twin packages `minitorch_lite.course.` <-> `reference.`).
"""
import ast
import difflib
import re
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]

# minitorch_lite -> torch, applied in this order
RULES = [
    (r"from minitorch_lite\.vision import ", "from reference._torchvision import "),
    (r"\bminitorch_lite\._shims\.safetensors_torch\b", "safetensors.torch"),
    (r"\bminitorch_lite\.course\.", "reference."),
    (r"from minitorch_lite\.utils\.data import ", "from torch.utils.data import "),
    (r"from minitorch_lite import nn\b", "from torch import nn"),
    (r"(?m)^(\s*(?:>>> )?)import minitorch_lite as mt$", r"\1import torch"),
    (r"(?<![\w.])mt\.vision\.", "torchvision."),
    (r"(?<![\w.])mt\.", "torch."),
]

GOING_MODULAR = ["__init__", "data_setup", "engine", "model_builder", "utils", "train", "predict",
                 "get_data"]
TWINS = ([("minitorch_lite/course/ch04_custom_datasets.py", "reference/ch04_custom_datasets.py")]
         + [(f"minitorch_lite/course/going_modular/{name}.py", f"reference/going_modular/{name}.py")
            for name in GOING_MODULAR])


def as_torch_twin(text):
    for pattern, replacement in RULES:
        text = re.sub(pattern, replacement, text)
    return text


@pytest.mark.parametrize("ours, theirs", TWINS, ids=[t[1] for t in TWINS])
def test_twin_differs_only_in_the_library_names(ours, theirs):
    ours_text, theirs_text = (REPO / ours).read_text(), (REPO / theirs).read_text()
    renamed = as_torch_twin(ours_text)
    if renamed != theirs_text:
        diff = "".join(difflib.unified_diff(theirs_text.splitlines(True), renamed.splitlines(True),
                                            theirs, f"{ours} (library renamed)"))
        pytest.fail(f"the twins differ beyond the library names:\n{diff}")
    assert ours_text != theirs_text      # and they do name different libraries


def test_the_rules_only_rename():
    assert as_torch_twin("import minitorch_lite as mt\nx = mt.vision.io.read_image(p)\n") == \
        "import torch\nx = torchvision.io.read_image(p)\n"
    assert as_torch_twin("format(mt.float32)  # smt.x stays\n") == "format(torch.float32)  # smt.x stays\n"


# ---- every twin pair, module docstrings aside -----------------------------------------------------------

ROOT = REPO
REFERENCE = ROOT / "reference"
COURSE = ROOT / "minitorch_lite" / "course"
NOT_TWINS = {"__init__.py", "_torchvision.py"}  # package glue, and how the reference imports torchvision


def without_module_docstring(source):
    tree = ast.parse(source)
    if ast.get_docstring(tree, clean=False) is None:
        return source
    return "\n".join(source.split("\n")[tree.body[0].end_lineno:])


def twin_pairs():
    strict = {theirs for _, theirs in TWINS}  # checked byte for byte above
    pairs = []
    for ref in sorted(REFERENCE.rglob("*.py")):
        if ref.name in NOT_TWINS or "__pycache__" in ref.parts or str(ref.relative_to(ROOT)) in strict:
            continue
        pairs.append(pytest.param(ref, COURSE / ref.relative_to(REFERENCE), id=ref.name))
    return pairs


@pytest.mark.parametrize("reference,course", twin_pairs())
def test_twins_differ_only_where_the_library_is_named(reference, course):
    assert course.is_file(), f"{reference.relative_to(ROOT)} has no twin at {course.relative_to(ROOT)}"
    renamed = as_torch_twin(without_module_docstring(course.read_text())).splitlines()
    theirs = without_module_docstring(reference.read_text()).splitlines()
    diff = list(difflib.unified_diff(theirs, renamed, str(reference.relative_to(ROOT)),
                                     f"{course.relative_to(ROOT)} (library renamed)", lineterm="", n=1))
    assert not diff, "the twins differ beyond the library's name:\n" + "\n".join(diff[:80])


def test_every_course_chapter_has_a_reference_twin():
    for course in sorted(COURSE.rglob("*.py")):
        if course.name in NOT_TWINS or "__pycache__" in course.parts or course.name == "compare.py":
            continue
        assert (REFERENCE / course.relative_to(COURSE)).is_file(), f"{course} has no reference twin"
