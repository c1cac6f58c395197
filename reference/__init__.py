"""The course's tasks (chapters 00-03 of "Learn PyTorch for Deep Learning") in real PyTorch.

    >>> from reference import ch01_workflow
    >>> record = ch01_workflow.train_model_0(epochs=10)
    >>> record["initial_weights"]                                  # doctest: +SKIP
    array([0.3367], dtype=float32)

Each chapter module here has a twin in `minitorch_lite/course/` with the same function names and
signatures, written the same way on minitorch_lite. A task returns a plain *results record*: a dict
of numbers, strings, lists and NumPy arrays (never tensors), so a test can run a task in both
frameworks and compare the two records key by key (`minitorch_lite.course.compare_records`).

This package uses only torch, NumPy, scikit-learn and matplotlib: it is the specification the
minitorch_lite side is checked against. torchvision, torchmetrics and mlxtend are not installed
here, so the few pieces of them the course uses (reading Fashion-MNIST's IDX files, ToTensor, a
confusion matrix) are written out in plain torch/NumPy in `ch03_computer_vision`.
"""
