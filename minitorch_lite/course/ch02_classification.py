"""Chapter 02, neural network classification: circles and blobs, on minitorch_lite.

    >>> from minitorch_lite.course.ch02_classification import train_circle_model_v2
    >>> record = train_circle_model_v2(epochs=1000)
    >>> record["test_acc"][-1]
    86.5

The data come from scikit-learn: `make_circles` (two rings, binary labels) and `make_blobs` (four
clusters, four classes), split 80/20 with `train_test_split` directly on tensors, as the course
does. The models, all trained with SGD at lr 0.1:

  CircleModelV0    Linear(2,5) -> Linear(5,1)                  BCEWithLogits, 100 epochs: a line, ~50%
  CircleModelV1    Linear(2,10) -> Linear(10,10) -> Linear(10,1)   1000 epochs: still a line
  line model       the same stack on a straight line (L1 loss): the model *can* learn, linearly
  CircleModelV2    V1 with ReLU between the layers             1000 epochs: it finds the circle
  BlobModel        Linear(2,8) -> Linear(8,8) -> Linear(8,4)   CrossEntropy, 100 epochs

The same code as `reference/ch02_classification.py` (real PyTorch) with `torch` spelled `mt`;
scikit-learn's `train_test_split` indexes minitorch_lite tensors with NumPy index arrays, as it
does torch's. The tests run both and compare every epoch's losses and accuracies, the final
weights and the decision boundary: they agree to float32 rounding.

Run it: `python -m minitorch_lite.course.ch02_classification` (prints the course's log lines and
writes the decision-boundary plots).
"""
from pathlib import Path

from matplotlib import colormaps
from matplotlib.figure import Figure  # figures without pyplot: no window, no global state
import numpy as np
import minitorch_lite as mt
from sklearn.datasets import make_blobs, make_circles
from sklearn.model_selection import train_test_split
from minitorch_lite import nn

RANDOM_SEED = 42
NUM_CLASSES = 4
NUM_FEATURES = 2


# ---- data ----

def make_circle_data(n_samples=1000, noise=0.03, random_state=RANDOM_SEED):
    """Two noisy concentric rings; float32 features and float32 0/1 labels, split 80/20."""
    X, y = make_circles(n_samples, noise=noise, random_state=random_state)
    X = mt.from_numpy(X).type(mt.float)
    y = mt.from_numpy(y).type(mt.float)
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.2,
                                                        random_state=random_state)
    return X_train, y_train, X_test, y_test


def make_blob_data(n_samples=1000, random_state=RANDOM_SEED):
    """Four Gaussian clusters in 2-D; float32 features and int64 class labels, split 80/20."""
    X_blob, y_blob = make_blobs(n_samples=n_samples, n_features=NUM_FEATURES, centers=NUM_CLASSES,
                                cluster_std=1.5, random_state=random_state)
    X_blob = mt.from_numpy(X_blob).type(mt.float)
    y_blob = mt.from_numpy(y_blob).type(mt.LongTensor)
    X_train, X_test, y_train, y_test = train_test_split(X_blob, y_blob, test_size=0.2,
                                                        random_state=random_state)
    return X_train, y_train, X_test, y_test


def make_line_data(weight=0.7, bias=0.3, start=0, end=1, step=0.01):
    """The straight line of chapter 01, 100 points this time, split 80/20 in order."""
    X_regression = mt.arange(start, end, step).unsqueeze(dim=1)
    y_regression = weight * X_regression + bias
    train_split = int(0.8 * len(X_regression))
    return (X_regression[:train_split], y_regression[:train_split],
            X_regression[train_split:], y_regression[train_split:])


# ---- models ----

class CircleModelV0(nn.Module):
    """Two linear layers: whatever the weights, the boundary it can draw is a straight line."""

    def __init__(self):
        super().__init__()
        self.layer_1 = nn.Linear(in_features=2, out_features=5)
        self.layer_2 = nn.Linear(in_features=5, out_features=1)

    def forward(self, x):
        return self.layer_2(self.layer_1(x))


def circle_model_v0_sequential():
    """CircleModelV0 written as nn.Sequential (state dict keys '0.weight', ..., '1.bias')."""
    return nn.Sequential(nn.Linear(in_features=2, out_features=5),
                         nn.Linear(in_features=5, out_features=1))


class CircleModelV1(nn.Module):
    """Wider and deeper, but still linear layers only: still a straight boundary."""

    def __init__(self):
        super().__init__()
        self.layer_1 = nn.Linear(in_features=2, out_features=10)
        self.layer_2 = nn.Linear(in_features=10, out_features=10)
        self.layer_3 = nn.Linear(in_features=10, out_features=1)

    def forward(self, x):
        return self.layer_3(self.layer_2(self.layer_1(x)))


def line_model():
    """CircleModelV1's stack for one input feature: the course's check that it can learn at all."""
    return nn.Sequential(nn.Linear(in_features=1, out_features=10),
                         nn.Linear(in_features=10, out_features=10),
                         nn.Linear(in_features=10, out_features=1))


class CircleModelV2(nn.Module):
    """CircleModelV1 with ReLU between the layers: the non-linearity lets it bend the boundary."""

    def __init__(self):
        super().__init__()
        self.layer_1 = nn.Linear(in_features=2, out_features=10)
        self.layer_2 = nn.Linear(in_features=10, out_features=10)
        self.layer_3 = nn.Linear(in_features=10, out_features=1)
        self.relu = nn.ReLU()

    def forward(self, x):
        return self.layer_3(self.relu(self.layer_2(self.relu(self.layer_1(x)))))


class BlobModel(nn.Module):
    """Three linear layers for multi-class classification (the course leaves the ReLUs out)."""

    def __init__(self, input_features, output_features, hidden_units=8):
        super().__init__()
        self.linear_layer_stack = nn.Sequential(
            nn.Linear(in_features=input_features, out_features=hidden_units),
            nn.Linear(in_features=hidden_units, out_features=hidden_units),
            nn.Linear(in_features=hidden_units, out_features=output_features),
        )

    def forward(self, x):
        return self.linear_layer_stack(x)


# ---- training ----

def accuracy_fn(y_true, y_pred):
    """Percentage of predictions equal to the labels."""
    correct = mt.eq(y_true, y_pred).sum().item()
    return (correct / len(y_pred)) * 100


def logits_to_labels(logits, task):
    """binary: sigmoid then round; multiclass: softmax over classes then argmax."""
    if task == "binary":
        return mt.round(mt.sigmoid(logits))
    return mt.softmax(logits, dim=1).argmax(dim=1)


def fit(model, data, task, epochs, lr=0.1, log_every=None, seed=RANDOM_SEED):
    """The course's training loop for `task` in "binary", "multiclass" or "regression".

    Loss: BCEWithLogitsLoss (binary, on the squeezed logits), CrossEntropyLoss (multiclass, int64
    labels), L1Loss (regression). Optimizer: SGD. Each epoch: one full-batch step, then a test
    pass in inference mode. Returns every epoch's losses (and accuracies, for classification).
    """
    X_train, y_train, X_test, y_test = data
    loss_fn = {"binary": nn.BCEWithLogitsLoss, "multiclass": nn.CrossEntropyLoss,
               "regression": nn.L1Loss}[task]()
    optimizer = mt.optim.SGD(params=model.parameters(), lr=lr)
    history = {"train_loss": [], "test_loss": []}
    if task != "regression":
        history.update(train_acc=[], test_acc=[])
    mt.manual_seed(seed)
    for epoch in range(epochs):
        model.train()
        y_logits = model(X_train)
        if task == "binary":
            y_logits = y_logits.squeeze()
        loss = loss_fn(y_logits, y_train)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()

        model.eval()
        with mt.inference_mode():
            test_logits = model(X_test)
            if task == "binary":
                test_logits = test_logits.squeeze()
            test_loss = loss_fn(test_logits, y_test)
        history["train_loss"].append(loss.item())
        history["test_loss"].append(test_loss.item())
        message = f"Epoch: {epoch} | Train loss: {loss:.5f}, Test loss: {test_loss:.5f}"
        if task != "regression":
            acc = accuracy_fn(y_true=y_train, y_pred=logits_to_labels(y_logits, task))
            test_acc = accuracy_fn(y_true=y_test, y_pred=logits_to_labels(test_logits, task))
            history["train_acc"].append(acc)
            history["test_acc"].append(test_acc)
            message = (f"Epoch: {epoch} | Loss: {loss:.5f}, Accuracy: {acc:.2f}% | "
                       f"Test loss: {test_loss:.5f}, Test acc: {test_acc:.2f}%")
        if log_every and epoch % log_every == 0:
            print(message)
    return history


def _value(tensor):
    return tensor.detach().cpu().numpy().copy()


def _state(model, prefix):
    return {f"{prefix}.{name}": _value(p) for name, p in model.state_dict().items()}


def _train_task(make_model, make_data, task, epochs, lr, seed, log_every):
    data = make_data()
    mt.manual_seed(seed)
    model = make_model()
    record = _state(model, "initial")
    record.update(fit(model, data, task, epochs, lr=lr, log_every=log_every, seed=seed))
    record.update(_state(model, "final"))
    model.eval()
    with mt.inference_mode():
        test_output = model(data[2])
    if task == "regression":
        record["test_predictions"] = _value(test_output)
    else:
        logits = test_output.squeeze() if task == "binary" else test_output
        record["test_labels"] = _value(logits_to_labels(logits, task))
        record["decision_boundary"] = decision_boundary_grid(model, data[0], data[1])[2]
    return model, record


def train_circle_model_v0(epochs=100, lr=0.1, seed=RANDOM_SEED, log_every=None):
    return _train_task(CircleModelV0, make_circle_data, "binary", epochs, lr, seed, log_every)[1]


def train_circle_model_v1(epochs=1000, lr=0.1, seed=RANDOM_SEED, log_every=None):
    return _train_task(CircleModelV1, make_circle_data, "binary", epochs, lr, seed, log_every)[1]


def train_line_model(epochs=1000, lr=0.1, seed=RANDOM_SEED, log_every=None):
    return _train_task(line_model, make_line_data, "regression", epochs, lr, seed, log_every)[1]


def train_circle_model_v2(epochs=1000, lr=0.1, seed=RANDOM_SEED, log_every=None):
    return _train_task(CircleModelV2, make_circle_data, "binary", epochs, lr, seed, log_every)[1]


def train_blob_model(epochs=100, lr=0.1, seed=RANDOM_SEED, log_every=None):
    return _train_task(lambda: BlobModel(NUM_FEATURES, NUM_CLASSES, hidden_units=8),
                       make_blob_data, "multiclass", epochs, lr, seed, log_every)[1]


def activations():
    """ReLU and sigmoid by hand against the built-ins, on arange(-10, 10)."""
    A = mt.arange(-10, 10, 1, dtype=mt.float32)
    relu_by_hand = mt.maximum(mt.tensor(0), A)
    sigmoid_by_hand = 1 / (1 + mt.exp(-A))
    return {
        "relu_by_hand": _value(relu_by_hand), "relu": _value(mt.relu(A)),
        "sigmoid_by_hand": _value(sigmoid_by_hand), "sigmoid": _value(mt.sigmoid(A)),
        "relu_by_hand.repr": repr(relu_by_hand),
    }


def untrained_predictions(seed=RANDOM_SEED):
    """From raw logits to probabilities to labels, with an untrained CircleModelV0."""
    X_train, y_train, X_test, y_test = make_circle_data()
    mt.manual_seed(seed)
    model_0 = circle_model_v0_sequential()
    model_0.eval()
    with mt.inference_mode():
        y_logits = model_0(X_test)[:5]
    y_pred_probs = mt.sigmoid(y_logits)
    y_preds = mt.round(y_pred_probs)
    with mt.inference_mode():
        y_pred_labels = mt.round(mt.sigmoid(model_0(X_test)[:5]))
    return {
        "X_train[:5]": _value(X_train[:5]), "y_train[:5]": _value(y_train[:5]),
        "X_test.shape": str(X_test.shape), "y_test.dtype": str(y_test.dtype),
        "model.repr": repr(model_0), "state_dict.repr": repr(model_0.state_dict()),
        "logits.repr": repr(y_logits), "probs.repr": repr(y_pred_probs),
        "eq.repr": repr(mt.eq(y_preds.squeeze(), y_pred_labels.squeeze())),
        "preds.squeeze.repr": repr(y_preds.squeeze()),
        "grad_logits.repr": repr(model_0(X_test)[:2]),
    }


# ---- decision boundaries (the course's helper_functions.plot_decision_boundary) ----

def decision_boundary_grid(model, X, y, steps=101):
    """Predict on a steps x steps grid covering X (plus 0.1): returns (xx, yy, labels on the grid)."""
    model.to("cpu")
    X, y = X.to("cpu"), y.to("cpu")
    x_min, x_max = X[:, 0].min() - 0.1, X[:, 0].max() + 0.1
    y_min, y_max = X[:, 1].min() - 0.1, X[:, 1].max() + 0.1
    xx, yy = np.meshgrid(np.linspace(x_min, x_max, steps), np.linspace(y_min, y_max, steps))
    X_to_pred_on = mt.from_numpy(np.column_stack((xx.ravel(), yy.ravel()))).float()
    model.eval()
    with mt.inference_mode():
        y_logits = model(X_to_pred_on)
    if len(mt.unique(y)) > 2:
        y_pred = mt.softmax(y_logits, dim=1).argmax(dim=1)  # multi-class
    else:
        y_pred = mt.round(mt.sigmoid(y_logits))  # binary
    return xx, yy, y_pred.reshape(xx.shape).detach().numpy()


def plot_decision_boundary(model, X, y, axes=None):
    """Shade the grid by the model's predicted class and scatter the points by their true class."""
    if axes is None:
        axes = Figure(figsize=(6, 6)).subplots()
    xx, yy, y_pred = decision_boundary_grid(model, X, y)
    axes.contourf(xx, yy, y_pred, cmap=colormaps["RdYlBu"], alpha=0.7)
    axes.scatter(X[:, 0], X[:, 1], c=y, s=40, cmap=colormaps["RdYlBu"])
    axes.set_xlim(xx.min(), xx.max())
    axes.set_ylim(yy.min(), yy.max())
    return axes.figure


def plot_train_test_boundaries(model, data, title=""):
    """The course's side-by-side figure: the boundary over the training and the test points."""
    X_train, y_train, X_test, y_test = data
    figure = Figure(figsize=(12, 6))
    left, right = figure.subplots(1, 2)
    plot_decision_boundary(model, X_train, y_train, axes=left)
    left.set_title(f"{title} Train".strip())
    plot_decision_boundary(model, X_test, y_test, axes=right)
    right.set_title(f"{title} Test".strip())
    return figure


def plot_data(X, y, title=""):
    """The raw data, coloured by label."""
    figure = Figure(figsize=(6, 6))
    axes = figure.subplots()
    axes.scatter(X[:, 0], X[:, 1], c=y, s=20, cmap=colormaps["RdYlBu"])
    axes.set_title(title)
    return figure


def main(output_dir="."):
    """The chapter end to end, printing the course's log lines; figures go to output_dir."""
    output_dir = Path(output_dir)
    tasks = [("circle_model_v0", CircleModelV0, make_circle_data, "binary", 100, 10),
             ("circle_model_v1", CircleModelV1, make_circle_data, "binary", 1000, 100),
             ("line_model", line_model, make_line_data, "regression", 1000, 100),
             ("circle_model_v2", CircleModelV2, make_circle_data, "binary", 1000, 100),
             ("blob_model", lambda: BlobModel(NUM_FEATURES, NUM_CLASSES), make_blob_data,
              "multiclass", 100, 10)]
    for name, make_model, make_data, task, epochs, log_every in tasks:
        print(f"---- {name}: {epochs} epochs ----")
        model, record = _train_task(make_model, make_data, task, epochs, 0.1, RANDOM_SEED, log_every)
        summary = f"{name}: final test loss {record['test_loss'][-1]:.5f}"
        if task != "regression":
            summary += f", test accuracy {record['test_acc'][-1]:.2f}%"
            plot_train_test_boundaries(model, make_data(), title=name).savefig(
                output_dir / f"02_decision_boundary_{name}.png")
        print(summary)
    

if __name__ == "__main__":
    main()
