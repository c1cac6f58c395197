"""Chapter 01, the PyTorch workflow: learn a straight line, on minitorch_lite.

    >>> from minitorch_lite.course.ch01_workflow import train_model_0
    >>> record = train_model_0(epochs=100)
    >>> record["initial_weights"], record["initial_bias"]
    (array([0.33669037], dtype=float32), array([0.1288094], dtype=float32))

The workflow: make data (y = 0.7 x + 0.3), split it 80/20, build a model, pick a loss (L1) and an
optimizer (SGD, lr 0.01), run the training loop, evaluate in inference mode, plot, save the
state dict and load it back. Two models: `LinearRegressionModel` (two hand-made nn.Parameters) and
`LinearRegressionModelV2` (one nn.Linear(1, 1)).

The same code as `reference/ch01_workflow.py` (real PyTorch) with `torch` spelled `mt`: the
seeded models start from the same numbers (minitorch_lite's generator is PyTorch's, bit for bit)
and the tests check every epoch's losses and the final parameters agree to float32 rounding.
`mt.save` writes PyTorch's own .pth format (torch.load reads these files), and `mt.load` reads
them without ever running code from the file (see minitorch_lite/serialization.py).

Run it: `python -m minitorch_lite.course.ch01_workflow` (prints the course's log lines, writes the
plots and the saved models under ./models).
"""
from pathlib import Path

from matplotlib.figure import Figure  # figures without pyplot: no window, no global state
import minitorch_lite as mt
from minitorch_lite import nn

WEIGHT, BIAS = 0.7, 0.3


def make_line_data(weight=WEIGHT, bias=BIAS, start=0, end=1, step=0.02, train_fraction=0.8):
    """X = arange(start, end, step) as a column, y = weight * X + bias; the first 80% train."""
    X = mt.arange(start, end, step).unsqueeze(dim=1)
    y = weight * X + bias
    train_split = int(train_fraction * len(X))
    return X[:train_split], y[:train_split], X[train_split:], y[train_split:]


class LinearRegressionModel(nn.Module):
    """y = weights * x + bias with both numbers as hand-made parameters, drawn from randn."""

    def __init__(self):
        super().__init__()
        self.weights = nn.Parameter(mt.randn(1, dtype=mt.float), requires_grad=True)
        self.bias = nn.Parameter(mt.randn(1, dtype=mt.float), requires_grad=True)

    def forward(self, x: mt.Tensor) -> mt.Tensor:
        return self.weights * x + self.bias


class LinearRegressionModelV2(nn.Module):
    """The same line with nn.Linear(1, 1) holding the weight and bias."""

    def __init__(self):
        super().__init__()
        self.linear_layer = nn.Linear(in_features=1, out_features=1)

    def forward(self, x: mt.Tensor) -> mt.Tensor:
        return self.linear_layer(x)


def _value(tensor):
    return tensor.detach().cpu().numpy().copy()


def fit(model, data, epochs, lr=0.01, log_every=None, seed=42):
    """The course's training loop (L1 loss, SGD) with an inference-mode test pass every epoch.

    Returns every epoch's train and test loss, and the epochs the course would print.
    """
    X_train, y_train, X_test, y_test = data
    loss_fn = nn.L1Loss()
    optimizer = mt.optim.SGD(params=model.parameters(), lr=lr)
    mt.manual_seed(seed)
    train_loss, test_loss = [], []
    for epoch in range(epochs):
        model.train()
        y_pred = model(X_train)
        loss = loss_fn(y_pred, y_train)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()

        model.eval()
        with mt.inference_mode():
            test_pred = model(X_test)
            test_loss_value = loss_fn(test_pred, y_test.type(mt.float))
        train_loss.append(loss.item())
        test_loss.append(test_loss_value.item())
        if log_every and epoch % log_every == 0:
            print(f"Epoch: {epoch} | MAE Train Loss: {loss} | MAE Test Loss: {test_loss_value} ")
    return {"train_loss": train_loss, "test_loss": test_loss}


def predict(model, X):
    model.eval()
    with mt.inference_mode():
        return model(X)


def _train_task(model_class, epochs, lr, seed, log_every):
    data = make_line_data()
    mt.manual_seed(seed)
    model = model_class()
    initial = {name: _value(p) for name, p in model.state_dict().items()}
    losses = fit(model, data, epochs, lr=lr, log_every=log_every, seed=seed)
    record = {f"initial_{name.replace('linear_layer.', '')}": value for name, value in initial.items()}
    record.update(losses)
    record.update({f"final_{name.replace('linear_layer.', '')}": _value(p)
                   for name, p in model.state_dict().items()})
    record["test_predictions"] = _value(predict(model, data[2]))
    return model, record


def train_model_0(epochs=100, lr=0.01, seed=42, log_every=None):
    """LinearRegressionModel, seeded, trained `epochs` epochs: the course's model_0 (100 epochs)."""
    return _train_task(LinearRegressionModel, epochs, lr, seed, log_every)[1]


def train_model_1(epochs=1000, lr=0.01, seed=42, log_every=None):
    """LinearRegressionModelV2 (nn.Linear), seeded: the course's model_1 (1000 epochs)."""
    return _train_task(LinearRegressionModelV2, epochs, lr, seed, log_every)[1]


def save_and_reload(model_class, path, epochs=100, lr=0.01, seed=42):
    """Train, save the state dict to `path` (a pathlib.Path), load it into a fresh model, and check
    the reloaded model predicts exactly what the trained one does."""
    model, _ = _train_task(model_class, epochs, lr, seed, log_every=None)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    mt.save(obj=model.state_dict(), f=path)
    loaded_model = model_class()
    load_message = loaded_model.load_state_dict(mt.load(f=path))
    X_test = make_line_data()[2]
    predictions, loaded_predictions = predict(model, X_test), predict(loaded_model, X_test)
    return {
        "load_message": str(load_message),
        "state_dict_keys": list(loaded_model.state_dict().keys()),
        "loaded_state_dict.repr": repr(loaded_model.state_dict()),
        "predictions": _value(predictions), "loaded_predictions": _value(loaded_predictions),
        "all_equal": bool((predictions == loaded_predictions).all()),
    }


def model_reprs(seed=42):
    """What printing the models shows: module reprs and state dicts right after a seeded init."""
    mt.manual_seed(seed)
    model_0 = LinearRegressionModel()
    mt.manual_seed(seed)
    model_1 = LinearRegressionModelV2()
    return {
        "model_0.repr": repr(model_0), "model_0.state_dict.repr": repr(model_0.state_dict()),
        "model_0.parameters.repr": repr(list(model_0.parameters())),
        "model_1.repr": repr(model_1), "model_1.state_dict.repr": repr(model_1.state_dict()),
        "model_1.device": str(next(model_1.parameters()).device),
        "untrained_predictions.repr": repr(predict(model_0, make_line_data()[2])),
    }


def plot_predictions(train_data, train_labels, test_data, test_labels, predictions=None):
    """The course's plot: training data in blue, test data in green, predictions in red."""
    figure = Figure(figsize=(10, 7))
    axes = figure.subplots()
    axes.scatter(train_data, train_labels, c="b", s=4, label="Training data")
    axes.scatter(test_data, test_labels, c="g", s=4, label="Testing data")
    if predictions is not None:
        axes.scatter(test_data, predictions, c="r", s=4, label="Predictions")
    axes.legend(prop={"size": 14})
    return figure


def plot_loss_curves(train_loss, test_loss, every=10):
    """Train and test loss against the epoch, sampled every `every` epochs as the course logs them."""
    epochs = list(range(0, len(train_loss), every))
    figure = Figure(figsize=(8, 5))
    axes = figure.subplots()
    axes.plot(epochs, [train_loss[e] for e in epochs], label="Train loss")
    axes.plot(epochs, [test_loss[e] for e in epochs], label="Test loss")
    axes.set_title("Training and test loss curves")
    axes.set_ylabel("Loss")
    axes.set_xlabel("Epochs")
    axes.legend()
    return figure


def main(output_dir="."):
    """The chapter end to end, printing the course's log lines; figures and models go to output_dir."""
    output_dir = Path(output_dir)
    data = make_line_data()
    record_0 = train_model_0(log_every=10)
    print(f"model_0 learned weights={record_0['final_weights']}, bias={record_0['final_bias']}"
          f" (true: {WEIGHT}, {BIAS})")
    plot_predictions(*data, predictions=record_0["test_predictions"]).savefig(
        output_dir / "01_predictions_model_0.png")
    plot_loss_curves(record_0["train_loss"], record_0["test_loss"]).savefig(
        output_dir / "01_loss_curves_model_0.png")
    record_1 = train_model_1(log_every=100)
    print(f"model_1 learned weight={record_1['final_weight']}, bias={record_1['final_bias']}")
    for model_class in (LinearRegressionModel, LinearRegressionModelV2):
        path = output_dir / "models" / f"01_pytorch_workflow_{model_class.__name__}.pth"
        reloaded = save_and_reload(model_class, path)
        print(f"saved and reloaded {path}: {reloaded['load_message']}, "
              f"same predictions: {reloaded['all_equal']}")


if __name__ == "__main__":
    main()
