"""The chapter twins differ only where the library is named, so `diff` shows a learner the swap.

Each minitorch_lite file is turned back into its PyTorch twin by renaming the library and nothing
else (the rules below); the result must equal the reference file line for line. The rules only
rename: `import minitorch_lite as mt` <-> `import torch`, `mt.` <-> `torch.`, `mt.vision.` <->
`torchvision.`, minitorch_lite's packages <-> torch's (`utils.data`, `nn`), `minitorch_lite.vision`
<-> `reference._torchvision` (the real torchvision, imported beside torch's CPU build),
`minitorch_lite._shims.safetensors_torch` <-> `safetensors.torch`, and the twin packages
`minitorch_lite.course.` <-> `reference.`.
"""
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
