"""The cells of tutorials/02_classification.ipynb (written into it by ../build_notebooks.py)."""
from ._cells import SETUP, code, md  # noqa: F401

CELLS = [
    md("""
# 02 · Neural network classification, on minitorch_lite

Chapter 02 of *Learn PyTorch for Deep Learning*: binary classification of two rings of points,
then multi-class classification of four clusters. Linear layers alone can only draw straight
boundaries; one `ReLU` between them is what lets a network bend its boundary around a circle.
At the end: why `BCEWithLogitsLoss` is the loss to use, rather than a sigmoid followed by
`BCELoss`."""),
    code(SETUP + '''
EPOCHS = 100 if QUICK else 1000
import torch
torch.set_num_threads(1)  # tiny tensors: one thread is fastest (for the PyTorch comparisons)
from sklearn.datasets import make_blobs, make_circles
from sklearn.model_selection import train_test_split
from minitorch_lite.course.ch02_classification import (plot_data, plot_decision_boundary,
                                                       plot_train_test_boundaries)'''),
    md("## 1. Data: two rings\n1000 points from scikit-learn; `train_test_split` works on "
       "minitorch_lite tensors as it does on PyTorch's."),
    code('''n_samples = 1000
X, y = make_circles(n_samples, noise=0.03, random_state=42)
X = mt.from_numpy(X).type(mt.float)
y = mt.from_numpy(y).type(mt.float)
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.2, random_state=42)
print(X[:5], y[:5], X_train.shape, X_test.shape, sep="\\n")
plot_data(X, y, "make_circles: two classes")'''),
    md("## 2. A model with two linear layers"),
    code('''class CircleModelV0(nn.Module):
    def __init__(self):
        super().__init__()
        self.layer_1 = nn.Linear(in_features=2, out_features=5)
        self.layer_2 = nn.Linear(in_features=5, out_features=1)

    def forward(self, x):
        return self.layer_2(self.layer_1(x))


mt.manual_seed(42)
model_0 = CircleModelV0()
model_0'''),
    md("Raw outputs are **logits**; `sigmoid` turns them into probabilities, `round` into labels:"),
    code('''with mt.inference_mode():
    y_logits = model_0(X_test)[:5]
y_pred_probs = mt.sigmoid(y_logits)
y_preds = mt.round(y_pred_probs)
y_logits, y_pred_probs, y_preds.squeeze(), y_test[:5]'''),
    md("## 3. Train it"),
    code('''def accuracy_fn(y_true, y_pred):
    correct = mt.eq(y_true, y_pred).sum().item()
    return (correct / len(y_pred)) * 100


def train_binary(model, epochs, log_every):
    loss_fn = nn.BCEWithLogitsLoss()
    optimizer = mt.optim.SGD(params=model.parameters(), lr=0.1)
    mt.manual_seed(42)
    for epoch in range(epochs):
        model.train()
        y_logits = model(X_train).squeeze()
        y_pred = mt.round(mt.sigmoid(y_logits))
        loss = loss_fn(y_logits, y_train)
        acc = accuracy_fn(y_true=y_train, y_pred=y_pred)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        model.eval()
        with mt.inference_mode():
            test_logits = model(X_test).squeeze()
            test_pred = mt.round(mt.sigmoid(test_logits))
            test_loss = loss_fn(test_logits, y_test)
            test_acc = accuracy_fn(y_true=y_test, y_pred=test_pred)
        if epoch % log_every == 0:
            print(f"Epoch: {epoch} | Loss: {loss:.5f}, Accuracy: {acc:.2f}% | "
                  f"Test loss: {test_loss:.5f}, Test acc: {test_acc:.2f}%")


train_binary(model_0, epochs=100, log_every=10)'''),
    md("About 50%: a coin toss. The decision boundary shows why: it is a straight line."),
    code("plot_train_test_boundaries(model_0, (X_train, y_train, X_test, y_test), title=\"CircleModelV0\")"),
    md("## 4. More layers, more epochs: still a line\nStacking linear layers gives another linear "
       "function, however many there are."),
    code('''class CircleModelV1(nn.Module):
    def __init__(self):
        super().__init__()
        self.layer_1 = nn.Linear(in_features=2, out_features=10)
        self.layer_2 = nn.Linear(in_features=10, out_features=10)
        self.layer_3 = nn.Linear(in_features=10, out_features=1)

    def forward(self, x):
        return self.layer_3(self.layer_2(self.layer_1(x)))


mt.manual_seed(42)
model_1 = CircleModelV1()
train_binary(model_1, epochs=EPOCHS, log_every=EPOCHS // 10)
plot_train_test_boundaries(model_1, (X_train, y_train, X_test, y_test), title="CircleModelV1")'''),
    md("Can this stack learn anything at all? On a straight line (L1 loss), yes:"),
    code('''X_regression = mt.arange(0, 1, 0.01).unsqueeze(dim=1)
y_regression = 0.7 * X_regression + 0.3
train_split = int(0.8 * len(X_regression))
X_train_regression, y_train_regression = X_regression[:train_split], y_regression[:train_split]
X_test_regression, y_test_regression = X_regression[train_split:], y_regression[train_split:]

mt.manual_seed(42)
model_2 = nn.Sequential(nn.Linear(1, 10), nn.Linear(10, 10), nn.Linear(10, 1))
loss_fn = nn.L1Loss()
optimizer = mt.optim.SGD(model_2.parameters(), lr=0.1)
for epoch in range(EPOCHS):
    loss = loss_fn(model_2(X_train_regression), y_train_regression)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    if epoch % (EPOCHS // 10) == 0:
        with mt.inference_mode():
            test_loss = loss_fn(model_2(X_test_regression), y_test_regression)
        print(f"Epoch: {epoch} | Train loss: {loss:.5f}, Test loss: {test_loss:.5f}")
from minitorch_lite.course.ch01_workflow import plot_predictions
with mt.inference_mode():
    y_preds = model_2(X_test_regression)
plot_predictions(X_train_regression, y_train_regression, X_test_regression, y_test_regression, y_preds)'''),
    md("## 5. The missing piece: non-linearity\nReLU, `max(0, x)`, between the layers:"),
    code('''A = mt.arange(-10, 10, 1, dtype=mt.float32)
relu_by_hand = mt.maximum(mt.tensor(0), A)
sigmoid_by_hand = 1 / (1 + mt.exp(-A))
print(relu_by_hand, mt.relu(A), sep="\\n")
print((sigmoid_by_hand - mt.sigmoid(A)).abs().max())'''),
    md("The model with ReLUs between its layers. Like every course model it is written once, in the "
       "chapter's module (`minitorch_lite/course/ch02_classification.py`, and its PyTorch twin in "
       "`reference/`); here it is, straight from there:"),
    code('''import inspect
from minitorch_lite.course.ch02_classification import CircleModelV2

print(inspect.getsource(CircleModelV2))
mt.manual_seed(42)
model_3 = CircleModelV2()
train_binary(model_3, epochs=EPOCHS, log_every=EPOCHS // 10)'''),
    code("plot_train_test_boundaries(model_3, (X_train, y_train, X_test, y_test), title=\"CircleModelV2 (ReLU)\")"),
    md("## 6. Multi-class: four blobs\nFour clusters, labels 0-3 (int64). `CrossEntropyLoss` takes "
       "the logits and the class indices; `softmax` then `argmax` gives the predicted class."),
    code('''NUM_CLASSES, NUM_FEATURES, RANDOM_SEED = 4, 2, 42
X_blob, y_blob = make_blobs(n_samples=1000, n_features=NUM_FEATURES, centers=NUM_CLASSES,
                            cluster_std=1.5, random_state=RANDOM_SEED)
X_blob = mt.from_numpy(X_blob).type(mt.float)
y_blob = mt.from_numpy(y_blob).type(mt.LongTensor)
X_blob_train, X_blob_test, y_blob_train, y_blob_test = train_test_split(
    X_blob, y_blob, test_size=0.2, random_state=RANDOM_SEED)
plot_data(X_blob, y_blob, "make_blobs: four classes")'''),
    code('''class BlobModel(nn.Module):
    def __init__(self, input_features, output_features, hidden_units=8):
        super().__init__()
        self.linear_layer_stack = nn.Sequential(
            nn.Linear(in_features=input_features, out_features=hidden_units),
            nn.Linear(in_features=hidden_units, out_features=hidden_units),
            nn.Linear(in_features=hidden_units, out_features=output_features),
        )

    def forward(self, x):
        return self.linear_layer_stack(x)


mt.manual_seed(42)
model_4 = BlobModel(input_features=NUM_FEATURES, output_features=NUM_CLASSES, hidden_units=8)
loss_fn = nn.CrossEntropyLoss()
optimizer = mt.optim.SGD(model_4.parameters(), lr=0.1)
mt.manual_seed(42)
for epoch in range(100):
    model_4.train()
    y_logits = model_4(X_blob_train)
    y_pred = mt.softmax(y_logits, dim=1).argmax(dim=1)
    loss = loss_fn(y_logits, y_blob_train)
    acc = accuracy_fn(y_true=y_blob_train, y_pred=y_pred)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    model_4.eval()
    with mt.inference_mode():
        test_logits = model_4(X_blob_test)
        test_pred = mt.softmax(test_logits, dim=1).argmax(dim=1)
        test_loss = loss_fn(test_logits, y_blob_test)
        test_acc = accuracy_fn(y_true=y_blob_test, y_pred=test_pred)
    if epoch % 10 == 0:
        print(f"Epoch: {epoch} | Loss: {loss:.5f}, Acc: {acc:.2f}% | "
              f"Test Loss: {test_loss:.5f}, Test Acc: {test_acc:.2f}%")'''),
    code('''from minitorch_lite.metrics import Accuracy  # torchmetrics.Accuracy's twin

torchmetrics_accuracy = Accuracy(task="multiclass", num_classes=NUM_CLASSES)
print("accuracy:", torchmetrics_accuracy(test_pred, y_blob_test))
plot_train_test_boundaries(model_4, (X_blob_train, y_blob_train, X_blob_test, y_blob_test),
                           title="BlobModel")'''),
    md("## PyTorch gives the same numbers\nThe chapter's models trained by "
       "`reference/ch02_classification.py` (PyTorch) and its minitorch_lite twin: every epoch's "
       "losses and accuracies, the final weights and the decision boundary on a 101x101 grid."),
    code('''from minitorch_lite.course import ch02_classification as mt_ch02, compare_records
from reference import ch02_classification as torch_ch02

for task, epochs in (("train_circle_model_v2", EPOCHS), ("train_blob_model", 100)):
    torch_record = getattr(torch_ch02, task)(epochs=epochs)
    mt_record = getattr(mt_ch02, task)(epochs=epochs)
    differences = compare_records(torch_record, mt_record)
    losses = max(differences["train_loss"], differences["test_loss"])
    weights = max(v for k, v in differences.items() if k.startswith("final."))
    same_grid = (torch_record["decision_boundary"] == mt_record["decision_boundary"]).mean()
    print(f"{task}: losses differ by at most {losses:.1e}, final weights by {weights:.1e}, "
          f"decision boundary grid identical on {same_grid:.2%} of points, "
          f"final test accuracy {torch_record['test_acc'][-1]:.2f}% vs {mt_record['test_acc'][-1]:.2f}%")'''),
    md(r"""
## How it works inside: why `BCEWithLogitsLoss` is stable

Binary cross entropy on a probability $p = \sigma(x)$ is $-[y \log p + (1-y)\log(1-p)]$. Computed
in that order, a confident logit breaks it: in float32, $\sigma(20) = 1$ exactly, so
$\log(1 - p) = \log 0 = -\infty$, and a very negative logit gives $\log 0$ on the other side.
Working on the logit directly avoids ever forming $1 - \sigma(x)$:

$$\log \sigma(x) = \min(x, 0) - \log(1 + e^{-|x|}), \qquad \ell(x, y) = (1 - y)\,x - \log \sigma(x).$$

Both terms stay finite for any $x$: $e^{-|x|} \le 1$, so nothing overflows, and `log1p` keeps the
precision when $e^{-|x|}$ is tiny. The gradient is simply $\sigma(x) - y$."""),
    code('''logits = mt.tensor([-100.0, -20.0, 0.0, 20.0, 100.0])
targets = mt.tensor([1.0, 1.0, 1.0, 0.0, 0.0])   # each one confidently wrong, except the middle
probs = mt.sigmoid(logits)
naive = -(targets * mt.log(probs) + (1 - targets) * mt.log(1 - probs))
stable = nn.BCEWithLogitsLoss(reduction="none")(logits, targets)
print("sigmoid:", probs)
print("naive:  ", naive)
print("stable: ", stable)
print("PyTorch:", torch.nn.BCEWithLogitsLoss(reduction="none")(
    torch.tensor([-100.0, -20.0, 0.0, 20.0, 100.0]), torch.tensor([1.0, 1.0, 1.0, 0.0, 0.0])))'''),
    md("The engine's forward and backward for it:"),
    code('''import inspect
from minitorch_lite.ops import loss as loss_ops
print(inspect.getsource(loss_ops._log_sigmoid))
print(inspect.getsource(loss_ops.BinaryCrossEntropyWithLogits))'''),
]
