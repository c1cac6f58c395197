"""metrics: accuracy, precision, recall, F1 and confusion matrix checked against scikit-learn's
definitions (and against torchmetrics itself where it is installed), functional and stateful."""
import numpy as np
import pytest
import sklearn.metrics as skm

import minitorch_lite as mt
from minitorch_lite import metrics

AVERAGES = ["micro", "macro", "weighted", "none"]
SKLEARN = {"precision": skm.precision_score, "recall": skm.recall_score, "f1_score": skm.f1_score}


def multiclass_data(seed, n=200, num_classes=5, missing=()):
    """Logits, their argmax labels and targets; classes in `missing` never occur as target or guess."""
    rng = np.random.default_rng(seed)
    logits = rng.standard_normal((n, num_classes)).astype(np.float32)
    target = rng.integers(0, num_classes, n)
    for c in missing:
        logits[:, c] = -100.0
        target[target == c] = (c + 1) % num_classes
    target[: n // 2] = logits[: n // 2].argmax(1)  # better than chance, so every score is non-trivial
    return logits, logits.argmax(1), target


def sklearn_score(name, labels, target, average, num_classes):
    """torchmetrics' averages in sklearn's terms: macro over the classes that occur, 0 for 0/0."""
    if name == "accuracy":
        if average == "micro":
            return skm.accuracy_score(target, labels)
        name = "recall"  # per-class accuracy is per-class recall
    if average == "none":
        return SKLEARN[name](target, labels, labels=list(range(num_classes)), average=None,
                             zero_division=0)
    return SKLEARN[name](target, labels, average=average, zero_division=0)


def as_mt(array, device):
    return mt.from_numpy(np.asarray(array)).to(device)


@pytest.mark.parametrize("name", ["accuracy", "precision", "recall", "f1_score"])
@pytest.mark.parametrize("average", AVERAGES)
@pytest.mark.parametrize("missing", [(), (2,)], ids=["all classes", "class 2 absent"])
def test_multiclass_against_sklearn(name, average, missing, device):
    logits, labels, target = multiclass_data(0, missing=missing)
    expected = sklearn_score(name, labels, target, average, 5)
    fn = getattr(metrics, name)
    for preds in (logits, labels):  # scores (argmax taken) or labels
        got = fn(as_mt(preds, device), as_mt(target, device), task="multiclass", num_classes=5,
                 average=average)
        assert got.dtype == mt.float32 and got.device.type == device
        assert got.shape == ((5,) if average == "none" else ())
        np.testing.assert_allclose(got.cpu().numpy(), expected, rtol=1e-6)


@pytest.mark.parametrize("name", ["accuracy", "precision", "recall", "f1_score"])
def test_binary_against_sklearn(name, device):
    rng = np.random.default_rng(1)
    target = rng.integers(0, 2, 100)
    probs = np.clip(target * 0.3 + rng.uniform(0, 0.7, 100), 0, 1).astype(np.float32)
    logits = np.log(probs / (1 - probs + 1e-7) + 1e-7).astype(np.float32) * 3  # outside [0, 1]
    labels = (probs > 0.5).astype(np.int64)
    sk = {"accuracy": skm.accuracy_score, **SKLEARN}[name]
    kwargs = {} if name == "accuracy" else {"zero_division": 0}
    fn = getattr(metrics, name)
    for preds, expected_labels in [(probs, labels), (labels, labels), (logits, (logits > 0).astype(int))]:
        got = fn(as_mt(preds, device), as_mt(target, device), task="binary")
        np.testing.assert_allclose(got.cpu().numpy(), sk(target, expected_labels, **kwargs), rtol=1e-6)
    # threshold: a prediction is positive when strictly above it (torchmetrics)
    edge = metrics.accuracy(mt.tensor([0.5, 0.7, 0.2]), mt.tensor([0, 1, 0]), task="binary")
    assert edge.item() == 1.0
    assert metrics.accuracy(mt.tensor([0.5]), mt.tensor([1]), task="binary", threshold=0.4).item() == 1.0


@pytest.mark.parametrize("normalize", [None, "true", "pred", "all"])
def test_confusion_matrix_against_sklearn(normalize, device):
    logits, labels, target = multiclass_data(2, missing=(3,))
    got = metrics.confusion_matrix(as_mt(logits, device), as_mt(target, device), task="multiclass",
                                   num_classes=5, normalize=normalize)
    with np.errstate(invalid="ignore", divide="ignore"):  # sklearn warns on empty rows, we give 0
        expected = np.nan_to_num(skm.confusion_matrix(target, labels, labels=range(5), normalize=normalize))
    assert got.dtype == (mt.int64 if normalize is None else mt.float32)
    np.testing.assert_allclose(got.cpu().numpy(), expected, rtol=1e-6)
    binary = metrics.confusion_matrix(mt.tensor([0.9, 0.2, 0.6, 0.1]), mt.tensor([1, 1, 0, 0]), task="binary")
    assert binary.tolist() == skm.confusion_matrix([1, 1, 0, 0], [1, 0, 1, 0]).tolist()


def test_metric_objects_accumulate_over_batches(device):
    logits, labels, target = multiclass_data(3)
    acc = metrics.Accuracy(task="multiclass", num_classes=5).to(device)
    macro = metrics.F1Score(task="multiclass", num_classes=5, average="macro")
    cm = metrics.ConfusionMatrix(num_classes=5, task="multiclass")
    assert acc.to(device) is acc and repr(acc) == "MulticlassAccuracy()"
    assert repr(cm) == "MulticlassConfusionMatrix()"
    for start in range(0, 200, 64):
        batch = slice(start, start + 64)
        got = acc(as_mt(logits[batch], device), as_mt(target[batch], device))  # this batch's score
        assert got.item() == pytest.approx(skm.accuracy_score(target[batch], labels[batch]), rel=1e-6)
        macro.update(as_mt(logits[batch], device), as_mt(target[batch], device))
        cm.update(preds=as_mt(labels[batch], device), target=as_mt(target[batch], device))
    assert acc.compute().item() == pytest.approx(skm.accuracy_score(target, labels), rel=1e-6)
    assert macro.compute().item() == pytest.approx(skm.f1_score(target, labels, average="macro"), rel=1e-6)
    np.testing.assert_array_equal(cm.compute().cpu().numpy(), skm.confusion_matrix(target, labels))
    acc.reset()
    assert acc.compute().item() == 0.0
    acc.update(as_mt(labels[:10], device), as_mt(target[:10], device))
    assert acc.compute().item() == pytest.approx(skm.accuracy_score(target[:10], labels[:10]))


def test_errors():
    with pytest.raises(ValueError, match="num_classes"):
        metrics.Accuracy(task="multiclass")
    with pytest.raises(ValueError, match="Invalid Classification"):
        metrics.accuracy(mt.tensor([1]), mt.tensor([1]), task="multi")
    with pytest.raises(ValueError, match="average"):
        metrics.precision(mt.tensor([1]), mt.tensor([1]), task="multiclass", num_classes=2, average="mean")
    with pytest.raises(ValueError, match=r"`target` outside \[0, 3\)"):
        metrics.accuracy(mt.tensor([0, 1]), mt.tensor([0, 3]), task="multiclass", num_classes=3)
    with pytest.raises(ValueError, match="shape"):
        metrics.accuracy(mt.tensor([0, 1, 1]), mt.tensor([0, 1]), task="multiclass", num_classes=3)
    with pytest.raises(ValueError, match="int or long"):
        metrics.accuracy(mt.tensor([0, 1]), mt.tensor([0.0, 1.0]), task="binary")
    with pytest.raises(ValueError, match="normalize"):
        metrics.ConfusionMatrix(task="binary", normalize="rows")


@pytest.mark.filterwarnings("ignore:.*NaN values found")  # torchmetrics warns when it zeroes 0/0
def test_same_numbers_as_torchmetrics():
    torchmetrics = pytest.importorskip("torchmetrics")
    import torch
    logits, labels, target = multiclass_data(4, missing=(1,))
    for name in ["accuracy", "precision", "recall", "f1_score"]:
        for average in AVERAGES:
            expected = getattr(torchmetrics.functional, name)(
                torch.from_numpy(logits), torch.from_numpy(target), task="multiclass", num_classes=5,
                average=average)
            got = getattr(metrics, name)(mt.from_numpy(logits), mt.from_numpy(target),
                                         task="multiclass", num_classes=5, average=average)
            np.testing.assert_allclose(got.numpy(), expected.numpy(), rtol=1e-6)
    probs = 1 / (1 + np.exp(-logits[:, 0]))
    binary_target = (target % 2).astype(np.int64)
    for name in ["accuracy", "precision", "recall", "f1_score"]:
        expected = getattr(torchmetrics.functional, name)(
            torch.from_numpy(probs), torch.from_numpy(binary_target), task="binary")
        got = getattr(metrics, name)(mt.from_numpy(probs), mt.from_numpy(binary_target), task="binary")
        np.testing.assert_allclose(got.numpy(), expected.numpy(), rtol=1e-6)
    expected = torchmetrics.ConfusionMatrix(task="multiclass", num_classes=5, normalize="true")(
        torch.from_numpy(logits), torch.from_numpy(target))
    got = metrics.ConfusionMatrix(task="multiclass", num_classes=5, normalize="true")(
        mt.from_numpy(logits), mt.from_numpy(target))
    np.testing.assert_allclose(got.numpy(), expected.numpy(), rtol=1e-6)
