"""Chapter 03, computer vision: Fashion-MNIST with three models, on minitorch_lite.

    >>> from minitorch_lite.course.ch03_computer_vision import train_model
    >>> record = train_model("v2", root="data", n_train=512, n_test=256, epochs=1)  # doctest: +SKIP
    >>> record["model_name"], record["eval.model_acc"]                               # doctest: +SKIP
    ('FashionMNISTModelV2', ...)

The course: 28x28 grey garment images in 10 classes, batches of 32, SGD at lr 0.1 for 3 epochs,
three models, and then predictions, a confusion matrix and a saved model.

  FashionMNISTModelV0   Flatten -> Linear(784, 10) -> Linear(10, 10)
  FashionMNISTModelV1   Flatten -> Linear(784, 10) -> ReLU -> Linear(10, 10) -> ReLU
  FashionMNISTModelV2   TinyVGG: two blocks of (Conv 3x3, ReLU, Conv 3x3, ReLU, MaxPool 2),
                        then Flatten -> Linear(10*7*7, 10)

The same code as `reference/ch03_computer_vision.py` (real PyTorch) with `torch` spelled `mt`, and
with the library pieces the course takes from torchvision and torchmetrics:
`vision.datasets.FashionMNIST` reads torchvision's on-disk layout under `root`,
`vision.transforms.ToTensor` turns its PIL images into float tensors, `metrics.ConfusionMatrix`
counts the predictions.

The real Fashion-MNIST must be downloaded and this project works offline: when its files are not
under `root`, `ensure_fashion_mnist` writes the synthetic STAND-IN (`vision.standin`: drawn
garments, NOT the real data set) in the same layout, and every record says which one was used.

Run it: `python -m minitorch_lite.course.ch03_computer_vision [--root data] [--n-train N]
[--epochs E]`.
"""
import argparse
import os
import random
from pathlib import Path
from timeit import default_timer as timer

from matplotlib.figure import Figure  # figures without pyplot: no window, no global state
import numpy as np
import minitorch_lite as mt
from minitorch_lite import nn
from minitorch_lite.utils.data import DataLoader, Subset

from minitorch_lite.vision.standin import is_standin, write_fashion_mnist_standin
from minitorch_lite.vision import datasets, transforms

BATCH_SIZE = 32


# ---- data: mt.vision.datasets.FashionMNIST ----

def ensure_fashion_mnist(root):
    """Make sure Fashion-MNIST's files are under root; write the synthetic stand-in if they are not.

    Returns True when the files under root are the stand-in (its STANDIN.txt note is there).
    """
    try:
        datasets.FashionMNIST(root=root, train=False, download=False)  # never the network in tests
    except RuntimeError:  # "Dataset not found"
        print(f"Fashion-MNIST not found under {root}: writing the offline synthetic STAND-IN "
              "(drawn garments, NOT the real data set)")
        write_fashion_mnist_standin(root)
    return is_standin(root)


def load_data(root="data", n_train=None, n_test=None):
    """(train_data, test_data, class_names, standin): the first n_train / n_test images if given."""
    standin = ensure_fashion_mnist(root)
    train_data = datasets.FashionMNIST(root=root, train=True, download=True,
                                       transform=transforms.ToTensor(), target_transform=None)
    test_data = datasets.FashionMNIST(root=root, train=False, download=True,
                                      transform=transforms.ToTensor())
    class_names = train_data.classes
    if n_train is not None:
        train_data = Subset(train_data, range(n_train))
    if n_test is not None:
        test_data = Subset(test_data, range(n_test))
    return train_data, test_data, class_names, standin


def targets_of(dataset):
    """The int64 labels of a dataset or of a Subset of one."""
    if isinstance(dataset, Subset):
        return dataset.dataset.targets[list(dataset.indices)]
    return dataset.targets


def make_dataloaders(train_data, test_data, batch_size=BATCH_SIZE):
    """Shuffled training batches (the order comes from the default generator), test in order."""
    train_dataloader = DataLoader(train_data, batch_size=batch_size, shuffle=True)
    test_dataloader = DataLoader(test_data, batch_size=batch_size, shuffle=False)
    return train_dataloader, test_dataloader


# ---- models ----

class FashionMNISTModelV0(nn.Module):
    """A linear baseline: flatten the image, two linear layers."""

    def __init__(self, input_shape: int, hidden_units: int, output_shape: int):
        super().__init__()
        self.layer_stack = nn.Sequential(
            nn.Flatten(),
            nn.Linear(in_features=input_shape, out_features=hidden_units),
            nn.Linear(in_features=hidden_units, out_features=output_shape),
        )

    def forward(self, x: mt.Tensor):
        return self.layer_stack(x)


class FashionMNISTModelV1(nn.Module):
    """The baseline with ReLUs (the course also puts one after the output layer)."""

    def __init__(self, input_shape: int, hidden_units: int, output_shape: int):
        super().__init__()
        self.layer_stack = nn.Sequential(
            nn.Flatten(),
            nn.Linear(in_features=input_shape, out_features=hidden_units),
            nn.ReLU(),
            nn.Linear(in_features=hidden_units, out_features=output_shape),
            nn.ReLU(),
        )

    def forward(self, x: mt.Tensor):
        return self.layer_stack(x)


class FashionMNISTModelV2(nn.Module):
    """TinyVGG (from the CNN Explainer website): two conv blocks, then a linear classifier."""

    def __init__(self, input_shape: int, hidden_units: int, output_shape: int):
        super().__init__()
        self.block_1 = nn.Sequential(
            nn.Conv2d(in_channels=input_shape, out_channels=hidden_units, kernel_size=3, stride=1,
                      padding=1),
            nn.ReLU(),
            nn.Conv2d(in_channels=hidden_units, out_channels=hidden_units, kernel_size=3, stride=1,
                      padding=1),
            nn.ReLU(),
            nn.MaxPool2d(kernel_size=2, stride=2),
        )
        self.block_2 = nn.Sequential(
            nn.Conv2d(hidden_units, hidden_units, 3, padding=1),
            nn.ReLU(),
            nn.Conv2d(hidden_units, hidden_units, 3, padding=1),
            nn.ReLU(),
            nn.MaxPool2d(2),
        )
        self.classifier = nn.Sequential(
            nn.Flatten(),
            nn.Linear(in_features=hidden_units * 7 * 7, out_features=output_shape),
        )

    def forward(self, x: mt.Tensor):
        x = self.block_1(x)
        x = self.block_2(x)
        x = self.classifier(x)
        return x


MODELS = {"v0": (FashionMNISTModelV0, 784), "v1": (FashionMNISTModelV1, 784),
          "v2": (FashionMNISTModelV2, 1)}


def make_model(name, seed=42, num_classes=10):
    """A seeded model by its short name: "v0", "v1" or "v2" (hidden_units=10, as the course)."""
    model_class, input_shape = MODELS[name]
    mt.manual_seed(seed)
    return model_class(input_shape=input_shape, hidden_units=10, output_shape=num_classes)


# ---- training and evaluation (the course's functions) ----

def accuracy_fn(y_true, y_pred):
    correct = mt.eq(y_true, y_pred).sum().item()
    return (correct / len(y_pred)) * 100


def print_train_time(start: float, end: float, device=None):
    total_time = end - start
    print(f"Train time on {device}: {total_time:.3f} seconds")
    return total_time


def train_step(model, data_loader, loss_fn, optimizer, accuracy_fn, device="cpu",
               batch_losses=None, verbose=True):
    """One epoch of training; returns the mean loss and accuracy over the batches.

    `batch_losses`, if a list, receives every batch's loss (for comparing frameworks step by step).
    """
    train_loss, train_acc = 0, 0
    model.to(device)
    for batch, (X, y) in enumerate(data_loader):
        X, y = X.to(device), y.to(device)
        y_pred = model(X)
        loss = loss_fn(y_pred, y)
        train_loss += loss
        train_acc += accuracy_fn(y_true=y, y_pred=y_pred.argmax(dim=1))
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        if batch_losses is not None:
            batch_losses.append(loss.item())
    train_loss /= len(data_loader)
    train_acc /= len(data_loader)
    if verbose:
        print(f"Train loss: {train_loss:.5f} | Train accuracy: {train_acc:.2f}%")
    return {"loss": train_loss.item(), "acc": train_acc}


def test_step(data_loader, model, loss_fn, accuracy_fn, device="cpu", verbose=True):
    """One pass over the test batches in inference mode; returns the mean loss and accuracy."""
    test_loss, test_acc = 0, 0
    model.to(device)
    model.eval()
    with mt.inference_mode():
        for X, y in data_loader:
            X, y = X.to(device), y.to(device)
            test_pred = model(X)
            test_loss += loss_fn(test_pred, y)
            test_acc += accuracy_fn(y_true=y, y_pred=test_pred.argmax(dim=1))
        test_loss /= len(data_loader)
        test_acc /= len(data_loader)
    if verbose:
        print(f"Test loss: {test_loss:.5f} | Test accuracy: {test_acc:.2f}%\n")
    return {"loss": test_loss.item(), "acc": test_acc}


def eval_model(model, data_loader, loss_fn, accuracy_fn, device="cpu"):
    """The model's name, mean loss and accuracy over data_loader."""
    loss, acc = 0, 0
    model.eval()
    with mt.inference_mode():
        for X, y in data_loader:
            X, y = X.to(device), y.to(device)
            y_pred = model(X)
            loss += loss_fn(y_pred, y)
            acc += accuracy_fn(y_true=y, y_pred=y_pred.argmax(dim=1))
        loss /= len(data_loader)
        acc /= len(data_loader)
    return {"model_name": model.__class__.__name__, "model_loss": loss.item(), "model_acc": acc}


def predict_labels(model, data_loader, device="cpu"):
    """Every prediction over data_loader, in order, as one int64 tensor (on the CPU)."""
    y_preds = []
    model.eval()
    with mt.inference_mode():
        for X, _ in data_loader:
            y_logit = model(X.to(device))
            y_preds.append(mt.softmax(y_logit, dim=1).argmax(dim=1).cpu())
    return mt.cat(y_preds)


def confusion_matrix(preds, target, num_classes):
    """Counts of (true class, predicted class) pairs: rows are targets, columns predictions."""
    counts = mt.bincount(target * num_classes + preds, minlength=num_classes * num_classes)
    return counts.reshape(num_classes, num_classes)


def make_predictions(model, data, device="cpu"):
    """Class probabilities for a list of single images, one at a time (the course's helper)."""
    pred_probs = []
    model.eval()
    with mt.inference_mode():
        for sample in data:
            sample = mt.unsqueeze(sample, dim=0).to(device)
            pred_logit = model(sample)
            pred_prob = mt.softmax(pred_logit.squeeze(), dim=0)
            pred_probs.append(pred_prob.cpu())
    return mt.stack(pred_probs)


def random_test_samples(test_data, k=9, seed=42):
    """k (image, label) pairs picked as `random.sample(list(test_data), k)` after random.seed(seed).

    random.sample draws positions from the population's length only, so sampling range(len)
    picks the same items without turning the whole data set into a list first.
    """
    random.seed(seed)
    picked = random.sample(range(len(test_data)), k=k)
    samples, labels = zip(*(test_data[i] for i in picked))
    return list(samples), list(labels)


def _value(tensor):
    return tensor.detach().cpu().numpy().copy()


def train_model(name, root="data", n_train=None, n_test=None, epochs=3, lr=0.1,
                batch_size=BATCH_SIZE, seed=42, device="cpu", save_path=None, verbose=False):
    """Train model `name` ("v0", "v1", "v2") the course's way and return its results record.

    Record: which data (stand-in or real, sizes), the initial and final parameters, every batch's
    training loss, each epoch's train/test loss and accuracy, eval_model's results, the test
    predictions, the confusion matrix, the predicted probabilities of 9 random test images, and
    the training time in seconds (`train_time_s`, the only entry that is not deterministic).
    With `save_path`, the state dict is saved there, loaded into a fresh model and evaluated again
    (`reloaded.*` entries), as the course does with its CNN.
    """
    train_data, test_data, class_names, standin = load_data(root, n_train, n_test)
    train_dataloader, test_dataloader = make_dataloaders(train_data, test_data, batch_size)
    model = make_model(name, seed=seed, num_classes=len(class_names)).to(device)
    record = {"model_name": model.__class__.__name__, "standin": standin,
              "n_train": len(train_data), "n_test": len(test_data)}
    record.update({f"initial.{k}": _value(v) for k, v in model.state_dict().items()})
    loss_fn = nn.CrossEntropyLoss()
    optimizer = mt.optim.SGD(params=model.parameters(), lr=lr)
    mt.manual_seed(seed)
    batch_losses, history = [], {"train_loss": [], "train_acc": [], "test_loss": [], "test_acc": []}
    train_time_start = timer()
    for epoch in range(epochs):
        if verbose:
            print(f"Epoch: {epoch}\n---------")
        model.train()
        train = train_step(model, train_dataloader, loss_fn, optimizer, accuracy_fn, device,
                           batch_losses=batch_losses, verbose=verbose)
        test = test_step(test_dataloader, model, loss_fn, accuracy_fn, device, verbose=verbose)
        for split, result in (("train", train), ("test", test)):
            history[f"{split}_loss"].append(result["loss"])
            history[f"{split}_acc"].append(result["acc"])
    record["train_time_s"] = timer() - train_time_start
    record["batch_losses"] = batch_losses
    record.update(history)
    record.update({f"final.{k}": _value(v) for k, v in model.state_dict().items()})
    evaluation = eval_model(model, test_dataloader, loss_fn, accuracy_fn, device)
    record.update({f"eval.{k}": v for k, v in evaluation.items()})
    y_pred = predict_labels(model, test_dataloader, device)
    record["test_predictions"] = _value(y_pred)
    record["confusion_matrix"] = _value(confusion_matrix(y_pred, targets_of(test_data),
                                                         len(class_names)))
    samples, labels = random_test_samples(test_data)
    record["sample_labels"] = labels
    record["sample_pred_probs"] = _value(make_predictions(model, samples, device))
    if save_path is not None:
        record.update(save_and_reload(model, name, save_path, test_dataloader, evaluation, device))
    return record


def save_and_reload(model, name, path, data_loader, evaluation, device="cpu"):
    """Save the state dict, load it into a fresh model, evaluate it: the same results?"""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    mt.save(obj=model.state_dict(), f=path)
    loaded_model = make_model(name, num_classes=len(datasets.FashionMNIST.classes))
    load_message = loaded_model.load_state_dict(mt.load(f=path))
    loaded_model.to(device)
    reloaded = eval_model(loaded_model, data_loader, nn.CrossEntropyLoss(), accuracy_fn, device)
    same = mt.isclose(mt.tensor(evaluation["model_loss"]),
                         mt.tensor(reloaded["model_loss"]), atol=1e-08, rtol=0.0001)
    return {"reloaded.load_message": str(load_message),
            "reloaded.model_loss": reloaded["model_loss"],
            "reloaded.model_acc": reloaded["model_acc"], "reloaded.isclose": bool(same)}


def layer_demos(seed=42):
    """The course's tour of Conv2d and MaxPool2d on random images: shapes and values."""
    mt.manual_seed(seed)
    images = mt.randn(size=(32, 3, 64, 64))
    test_image = images[0]
    mt.manual_seed(seed)
    conv_layer = nn.Conv2d(in_channels=3, out_channels=10, kernel_size=3, stride=1, padding=0)
    conv_output = conv_layer(test_image)  # unbatched (C, H, W) input
    mt.manual_seed(seed)
    conv_layer_2 = nn.Conv2d(in_channels=3, out_channels=10, kernel_size=(5, 5), stride=2, padding=0)
    conv_output_2 = conv_layer_2(test_image.unsqueeze(dim=0))
    max_pool_layer = nn.MaxPool2d(kernel_size=2)
    pooled = max_pool_layer(conv_output.unsqueeze(dim=0))
    mt.manual_seed(seed)
    random_tensor = mt.randn(size=(1, 1, 2, 2))
    flatten = nn.Flatten()
    return {
        "images.shape": str(images.shape), "test_image.shape": str(test_image.shape),
        "conv.repr": repr(conv_layer), "conv_2.repr": repr(conv_layer_2),
        "conv.output.shape": str(conv_output.shape), "conv.output": _value(conv_output),
        "conv_2.weight.shape": str(conv_layer_2.weight.shape),
        "conv_2.bias.shape": str(conv_layer_2.bias.shape),
        "conv_2.output.shape": str(conv_output_2.shape), "conv_2.output": _value(conv_output_2),
        "max_pool.repr": repr(max_pool_layer), "max_pool.output.shape": str(pooled.shape),
        "max_pool.output": _value(pooled), "flatten.repr": repr(flatten),
        "random_tensor": _value(random_tensor),
        "max_pool_random": _value(max_pool_layer(random_tensor)),
        "flatten.shape": str(flatten(images[:1]).shape),
    }


def model_summaries(seed=42):
    """Reprs and parameter counts of the three models, and V2's shapes through a dummy image."""
    record = {}
    for name in MODELS:
        model = make_model(name, seed=seed)
        record[f"{name}.repr"] = repr(model)
        record[f"{name}.parameters"] = sum(p.numel() for p in model.parameters())
    model_2 = make_model("v2", seed=seed)
    mt.manual_seed(seed)
    dummy = mt.randn(size=(1, 28, 28))
    record["v2.dummy_output"] = _value(model_2(dummy.unsqueeze(dim=0)))
    record["v2.block_1.shape"] = str(model_2.block_1(dummy.unsqueeze(0)).shape)
    return record


# ---- plots ----

def plot_samples(dataset, class_names, rows=4, cols=4, seed=42):
    """A grid of random training images with their class names."""
    mt.manual_seed(seed)
    figure = Figure(figsize=(9, 9))
    for i in range(1, rows * cols + 1):
        random_idx = mt.randint(0, len(dataset), size=[1]).item()
        img, label = dataset[random_idx]
        axes = figure.add_subplot(rows, cols, i)
        axes.imshow(img.squeeze(), cmap="gray")
        axes.set_title(class_names[label])
        axes.axis(False)
    return figure


def plot_predictions_grid(samples, labels, pred_classes, class_names, nrows=3, ncols=3):
    """Each sample with 'Pred | Truth' in green when right and red when wrong."""
    figure = Figure(figsize=(9, 9))
    for i, sample in enumerate(samples):
        axes = figure.add_subplot(nrows, ncols, i + 1)
        axes.imshow(sample.squeeze(), cmap="gray")
        pred_label, truth_label = class_names[pred_classes[i]], class_names[labels[i]]
        axes.set_title(f"Pred: {pred_label} | Truth: {truth_label}", fontsize=10,
                       c="g" if pred_label == truth_label else "r")
        axes.axis(False)
    return figure


def plot_confusion_matrix(confmat, class_names):
    """The matrix as a heat map with the counts written in, like mlxtend's plot_confusion_matrix."""
    confmat = np.asarray(confmat)
    figure = Figure(figsize=(10, 7))
    axes = figure.subplots()
    axes.imshow(confmat, cmap="Blues")
    threshold = confmat.max() / 2
    for (row, col), count in np.ndenumerate(confmat):
        axes.text(col, row, str(count), ha="center", va="center",
                  color="white" if count > threshold else "black")
    axes.set_xticks(range(len(class_names)), class_names, rotation=45, ha="right")
    axes.set_yticks(range(len(class_names)), class_names)
    axes.set_xlabel("predicted label")
    axes.set_ylabel("true label")
    figure.tight_layout()
    return figure


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", default="data")
    parser.add_argument("--n-train", type=int, default=None)
    parser.add_argument("--n-test", type=int, default=None)
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--output-dir", default=".")
    args = parser.parse_args(argv)
    print(f"{mt.__name__} {mt.__version__}, {mt.get_num_threads()} threads, {os.cpu_count()} CPUs")
    for name in MODELS:
        record = train_model(name, args.root, args.n_train, args.n_test, args.epochs, verbose=True)
        data_note = "synthetic STAND-IN data" if record["standin"] else "real Fashion-MNIST"
        print(f"{record['model_name']} on {data_note} ({record['n_train']}/{record['n_test']}): "
              f"test loss {record['eval.model_loss']:.5f}, test accuracy "
              f"{record['eval.model_acc']:.2f}%, trained in {record['train_time_s']:.1f} s\n")
    class_names = datasets.FashionMNIST.classes
    plot_confusion_matrix(record["confusion_matrix"], class_names).savefig(
        Path(args.output_dir) / "03_confusion_matrix.png")


if __name__ == "__main__":
    main()
