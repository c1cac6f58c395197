"""The course's tasks (chapters 00-05 of "Learn PyTorch for Deep Learning") in real PyTorch.

    >>> from reference import ch01_workflow
    >>> record = ch01_workflow.train_model_0(epochs=10)
    >>> record["initial_weights"]                                  # doctest: +SKIP
    array([0.3367], dtype=float32)

Each chapter module here has a twin in `minitorch_lite/course/` with the same function names and
signatures, written the same way on minitorch_lite. A task returns a plain *results record*: a dict
of numbers, strings, lists and NumPy arrays (never tensors), so a test can run a task in both
frameworks and compare the two records key by key (`minitorch_lite.course.compare_records`).

This package uses torch and torchvision (the real ones: the specification the minitorch_lite side
is checked against), plus NumPy, Pillow, scikit-learn and matplotlib. torchvision's compiled
extension does not load beside torch's CPU build, so it is imported through `reference._torchvision`
(everything it writes in Python works; images are decoded with Pillow instead of
`torchvision.io.read_image`). torchmetrics and mlxtend are not installed here, so the confusion
matrix of chapter 03 is counted in plain torch.
"""
