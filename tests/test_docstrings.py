"""Every docstring example in the package runs and prints what it says (the examples are the
first thing a learner copies)."""
import doctest
import importlib
import pkgutil

import pytest

import minitorch_lite

MODULES = sorted(info.name for info in pkgutil.walk_packages(minitorch_lite.__path__, "minitorch_lite."))


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE,
                             report=True, verbose=False)
    assert result.failed == 0, f"{result.failed} of {result.attempted} examples in {name} failed (see output)"


def test_the_package_has_examples_to_check():
    finder = doctest.DocTestFinder()
    examples = sum(len(test.examples) for name in MODULES
                   for test in finder.find(importlib.import_module(name)))
    assert examples > 300  # 380 when this test was written
