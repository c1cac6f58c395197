"""Build (and optionally execute) the tutorial notebooks from the cells written below.

    python tutorials/build_notebooks.py                 # write the .ipynb files, no outputs
    python tutorials/build_notebooks.py --execute       # ... and run them at full size, saving outputs
    MINITORCH_TUTORIAL_QUICK=1 python tutorials/build_notebooks.py --execute --only 03

The notebooks are generated so that they stay reviewable (this file is the source; diffs of it
read like code) and regenerable. Each one teaches a chapter of "Learn PyTorch for Deep Learning"
on minitorch_lite, shows in a few places that PyTorch gives the same numbers, and ends with a
"how it works inside" section that prints the engine's own source with `inspect.getsource`, so it
never goes stale.

Environment switches read by the notebooks:
  MINITORCH_TUTORIAL_QUICK=1   fewer epochs and small data (a slice of Fashion-MNIST, a small
                               food stand-in): the tests use it
  MINITORCH_DATA=<dir>         where data and saved models go (default ~/.cache/minitorch_lite)
"""
import argparse
import os
import time
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

HERE = Path(__file__).resolve().parent

SETUP = '''\
%matplotlib inline
import os
import sys
from pathlib import Path

REPO = Path.cwd().resolve().parent  # the notebooks live in tutorials/
sys.path.insert(0, str(REPO))       # `minitorch_lite` and `reference` (its PyTorch twin) importable
QUICK = os.environ.get("MINITORCH_TUTORIAL_QUICK") == "1"  # a short run (the tests use it)
WORK = Path(os.environ.get("MINITORCH_DATA", Path.home() / ".cache" / "minitorch_lite"))

import numpy as np
import minitorch_lite as mt
from minitorch_lite import nn
print(f"minitorch_lite {mt.__version__}, quick mode: {QUICK}")'''


def md(text):
    return new_markdown_cell(text.strip("\n"))


def code(text, raises=False):
    """A code cell; `raises=True` marks one that is meant to fail (nbclient keeps going)."""
    cell = new_code_cell(text.strip("\n"))
    if raises:
        cell.metadata["tags"] = ["raises-exception"]
    return cell


# ---------------------------------------------------------------------------------------------
NOTEBOOK_00 = [
    md("""
# 00 · PyTorch fundamentals, on minitorch_lite

This follows chapter 00 of *Learn PyTorch for Deep Learning* with one change: where the course
writes `import torch`, we write `import minitorch_lite as mt`. Everything after that is the
course's code with `torch.` spelled `mt.`. A few cells import PyTorch beside it to show the numbers
are the same (the random generator too: `mt.manual_seed(42)` gives PyTorch's numbers, bit for bit).
The last section opens the engine: what a tensor is, and how autograd computes gradients."""),
    code(SETUP),
    md("## Creating tensors\nA scalar, a vector, a matrix and a tensor: `ndim` counts the square brackets."),
    code("scalar = mt.tensor(7)\nscalar, scalar.ndim, scalar.item()"),
    code("vector = mt.tensor([7, 7])\nvector, vector.ndim, vector.shape"),
    code("MATRIX = mt.tensor([[7, 8],\n                    [9, 10]])\nMATRIX, MATRIX.ndim, MATRIX[1], MATRIX.shape"),
    code("TENSOR = mt.tensor([[[1, 2, 3],\n                     [3, 6, 9],\n                     [2, 4, 5]]])\n"
         "TENSOR, TENSOR.ndim, TENSOR.shape"),
    md("### Random tensors, zeros and ones, ranges\nNeural networks start from random numbers and "
       "adjust them. `size=` or plain dimensions both work."),
    code("random_tensor = mt.rand(3, 4)\nrandom_tensor, random_tensor.dtype"),
    code("random_image_size_tensor = mt.rand(size=(224, 224, 3))  # height, width, colour channels\n"
         "random_image_size_tensor.shape, random_image_size_tensor.ndim"),
    code("zeros = mt.zeros(size=(3, 4))\nones = mt.ones(size=(3, 4))\nzeros, ones, ones.dtype"),
    code("zero_to_ten = mt.arange(start=0, end=10, step=1)\n"
         "zero_to_ten, mt.zeros_like(input=zero_to_ten), mt.arange(0, 1000, 77)"),
    md("## Datatypes\nFloats default to `float32`, Python ints to `int64`. Mixing dtypes promotes "
       "as PyTorch does."),
    code("float_32_tensor = mt.tensor([3.0, 6.0, 9.0], dtype=None, device=None, requires_grad=False)\n"
         "float_16_tensor = float_32_tensor.type(mt.float16)\n"
         "float_32_tensor.dtype, float_16_tensor, float_16_tensor * float_32_tensor"),
    code("int_8_tensor = mt.tensor([3, 6, 9], dtype=mt.int8)\n"
         "int_8_tensor, int_8_tensor * float_32_tensor, mt.tensor([1, 2]).dtype"),
    code("some_tensor = mt.rand(3, 4)\n"
         "print(some_tensor)\n"
         "print(f\"Shape of tensor: {some_tensor.shape}\")\n"
         "print(f\"Datatype of tensor: {some_tensor.dtype}\")\n"
         "print(f\"Device tensor is stored on: {some_tensor.device}\")"),
    md("## Manipulating tensors\nAddition, subtraction, element-wise multiplication, division and "
       "matrix multiplication."),
    code("tensor = mt.tensor([1, 2, 3])\n"
         "tensor + 10, tensor * 10, tensor - 10, mt.multiply(tensor, 10)"),
    code("value = 0\nfor i in range(len(tensor)):  # matrix multiplication by hand...\n"
         "    value += tensor[i] * tensor[i]\n"
         "value, tensor * tensor, mt.matmul(tensor, tensor), tensor @ tensor  # ...and built in"),
    md("### The rules of matrix multiplication\n1. The **inner dimensions** must match: "
       "`(3, 2) @ (3, 2)` fails, `(3, 2) @ (2, 3)` works.\n2. The result has the **outer "
       "dimensions**: `(3, 2) @ (2, 3)` gives `(3, 3)`.\n\nThis cell is meant to fail, with "
       "PyTorch's message:"),
    code("tensor_A = mt.tensor([[1, 2],\n                      [3, 4],\n                      [5, 6]], dtype=mt.float32)\n"
         "tensor_B = mt.tensor([[7, 10],\n                      [8, 11],\n                      [9, 12]], dtype=mt.float32)\n"
         "mt.matmul(tensor_A, tensor_B)", raises=True),
    code("print(f\"Original shapes: tensor_A = {tensor_A.shape}, tensor_B = {tensor_B.shape}\")\n"
         "print(f\"New shapes: tensor_A = {tensor_A.shape} (same), tensor_B.T = {tensor_B.T.shape}\")\n"
         "output = mt.matmul(tensor_A, tensor_B.T)\n"
         "print(output)\nprint(f\"Output shape: {output.shape}\")"),
    md("A linear layer is a matrix multiplication plus a bias: `y = x @ W.T + b`. Seeded, its "
       "weights are PyTorch's."),
    code("mt.manual_seed(42)\nlinear = nn.Linear(in_features=2, out_features=6)\n"
         "output = linear(tensor_A)\nprint(f\"Input shape: {tensor_A.shape}\\n\")\n"
         "print(f\"Output:\\n{output}\\n\\nOutput shape: {output.shape}\")"),
    md("## Aggregation: min, max, mean, sum, and where they are"),
    code("x = mt.arange(0, 100, 10)\n"
         "x.min(), x.max(), mt.mean(x.type(mt.float32)), x.sum(), x.argmax(), x.argmin()"),
    md("`mean` needs a floating-point tensor (this cell is meant to fail, like PyTorch's):"),
    code("x.mean()", raises=True),
    md("## Reshaping, viewing, stacking, squeezing, permuting\nA **view** shares memory with the "
       "original: changing one changes the other."),
    code("x = mt.arange(1., 8.)\nx_reshaped = x.reshape(1, 7)\nz = x.view(1, 7)\n"
         "z[:, 0] = 5\nz, x  # x changed too"),
    code("x_stacked = mt.stack([x, x, x, x], dim=0)\n"
         "x_squeezed = x_reshaped.squeeze()\nx_unsqueezed = x_squeezed.unsqueeze(dim=0)\n"
         "x_stacked, x_reshaped.shape, x_squeezed.shape, x_unsqueezed.shape"),
    code("x_original = mt.rand(size=(224, 224, 3))\nx_permuted = x_original.permute(2, 0, 1)  # HWC -> CHW\n"
         "x_original[0, 0, 0] = 728218  # permute is a view as well\n"
         "x_permuted.shape, x_permuted[0, 0, 0]"),
    md("## Indexing"),
    code("x = mt.arange(1, 10).reshape(1, 3, 3)\nx, x[0], x[0][0], x[0][0][0]"),
    code("x[:, 0], x[:, :, 1], x[:, 1, 1], x[0, 0, :], x[0][2][2], x[:, :, 2]"),
    md("## NumPy\n`from_numpy` keeps NumPy's dtype (float64) and shares its memory; `.numpy()` "
       "shares the tensor's."),
    code("array = np.arange(1.0, 8.0)\ntensor = mt.from_numpy(array)\n"
         "array += 1  # in place: the tensor sees it\narray, tensor"),
    code("tensor = mt.ones(7)\nnumpy_tensor = tensor.numpy()\ntensor, numpy_tensor, numpy_tensor.dtype"),
    md("## Reproducibility\nRandom tensors differ, unless the seed is set again before each draw."),
    code("random_tensor_A = mt.rand(3, 4)\nrandom_tensor_B = mt.rand(3, 4)\n"
         "print(random_tensor_A == random_tensor_B)\n\n"
         "RANDOM_SEED = 42\nmt.manual_seed(seed=RANDOM_SEED)\nrandom_tensor_C = mt.rand(3, 4)\n"
         "mt.random.manual_seed(seed=RANDOM_SEED)\nrandom_tensor_D = mt.rand(3, 4)\n"
         "random_tensor_C == random_tensor_D"),
    md("## Devices\nThe course's device-agnostic idiom. minitorch_lite's GPU backend is CuPy; on a "
       "machine without one, everything stays on the CPU. (On a GPU, `.numpy()` of a CUDA tensor "
       "raises PyTorch's TypeError: copy it back with `.cpu()` first.)"),
    code("device = \"cuda\" if mt.cuda.is_available() else \"cpu\"\n"
         "tensor_on_device = mt.tensor([1, 2, 3]).to(device)\n"
         "device, mt.cuda.device_count(), mt.backends.mps.is_available(), tensor_on_device, "
         "tensor_on_device.cpu().numpy()"),
    md("## PyTorch gives the same numbers\nThe same seed, the same draws; the same layer, the "
       "same weights:"),
    code("import torch\n\ntorch.manual_seed(42)\nmt.manual_seed(42)\n"
         "print(torch.rand(3, 4))\nprint(mt.rand(3, 4))\n"
         "torch.manual_seed(42)\nmt.manual_seed(42)\n"
         "np.array_equal(torch.nn.Linear(2, 6).weight.detach().numpy(), "
         "nn.Linear(2, 6).weight.detach().numpy())"),
    md("`reference/ch00_fundamentals.py` runs this whole tour in PyTorch and "
       "`minitorch_lite/course/ch00_fundamentals.py` on minitorch_lite. Each returns a record: "
       "values, dtypes, shapes, reprs and error messages. Key by key:"),
    code("from minitorch_lite.course import ch00_fundamentals as mt_tour, compare_records\n"
         "from reference import ch00_fundamentals as torch_tour\n\n"
         "differences = compare_records(torch_tour.tensor_tour(), mt_tour.tensor_tour())\n"
         "print(f\"{len(differences)} entries compared\")\n"
         "print(\"entries not bit-identical:\", {k: v for k, v in differences.items() if v})"),
    md("The one difference is a matrix product summed in another order: one unit in the last "
       "place of a float32."),
    md("""
## How it works inside: a tensor and autograd

### A tensor is a NumPy array with a little metadata
`Tensor` keeps the numbers in `_data` (a NumPy array on the CPU, a CuPy array on a GPU) and knows
its device, whether it needs a gradient, the node that made it (`grad_fn`) and, for a view, its
base. Views are NumPy views: no copy."""),
    code("t = mt.tensor([[1.0, 2.0], [3.0, 4.0]])\nv = t.view(4)\n"
         "print(mt.Tensor.__slots__)\n"
         "print(type(t._data), t._data.dtype, t._data.strides)\n"
         "print(\"the view shares memory:\", np.shares_memory(v._data, t._data), v._base is t)"),
    md("""
### Every operation is a `Function`: a forward and a backward
`forward` computes on raw arrays; `backward` receives the gradient of the output and returns one
gradient per input. For `x * y`: d/dx = grad · y and d/dy = grad · x, each summed back to its
input's shape when broadcasting stretched it (`sum_to`). Here is multiplication, as it is in the
engine:"""),
    code("import inspect\nfrom minitorch_lite.ops.arithmetic import Mul\nfrom minitorch_lite.autograd.function import sum_to\n"
         "print(inspect.getsource(Mul))\nprint(inspect.getsource(sum_to))"),
    md("`Function.apply` runs `forward` and, when a gradient is needed, records the call as a "
       "node of the graph: the node is the output's `grad_fn`, and its `parents` are the nodes "
       "(or leaf tensors) of the inputs."),
    code("from minitorch_lite.autograd.function import Function\nprint(inspect.getsource(Function.apply))"),
    md("### A graph, and its backward pass\ny = x·x + 2x at x = 3: dy/dx = 2x + 2 = 8."),
    code("x = mt.tensor(3.0, requires_grad=True)\ny = x * x + 2 * x\n"
         "print(y)\nprint(y.grad_fn, \"<-\", y.grad_fn.next_functions)\n"
         "y.backward()\nx.grad"),
    md("`backward()` walks the graph from the output: it counts how many times each node is "
       "used, then visits the nodes in an order where a node runs only once all of its consumers "
       "have handed it their gradient, calls each node's `backward`, sums the gradients arriving "
       "at the same node, and finally adds them into the leaves' `.grad`:"),
    code("from minitorch_lite.autograd import engine\nprint(inspect.getsource(engine.run_backward))"),
    md("The same derivative from PyTorch:"),
    code("x_torch = torch.tensor(3.0, requires_grad=True)\ny_torch = x_torch * x_torch + 2 * x_torch\n"
         "y_torch.backward()\nx_torch.grad"),
]

# ---------------------------------------------------------------------------------------------
NOTEBOOK_01 = [
    md("""
# 01 · The PyTorch workflow, on minitorch_lite

Chapter 01 of *Learn PyTorch for Deep Learning*: make data, build a model, train it, evaluate it,
save it and load it back, with `import minitorch_lite as mt` in place of `import torch`. The data
is a straight line, `y = 0.7 x + 0.3`; the models must find 0.7 and 0.3 from the points alone.
At the end: what `loss.backward()` computes for this model, by hand."""),
    code(SETUP + '''
EPOCHS_MODEL_0 = 20 if QUICK else 100
EPOCHS_MODEL_1 = 100 if QUICK else 1000
from minitorch_lite.course.ch01_workflow import plot_loss_curves, plot_predictions'''),
    md("## 1. Data: a straight line, split 80/20"),
    code("weight = 0.7\nbias = 0.3\nstart, end, step = 0, 1, 0.02\n"
         "X = mt.arange(start, end, step).unsqueeze(dim=1)\ny = weight * X + bias\n"
         "X[:10], y[:10]"),
    code("train_split = int(0.8 * len(X))\n"
         "X_train, y_train = X[:train_split], y[:train_split]\n"
         "X_test, y_test = X[train_split:], y[train_split:]\n"
         "len(X_train), len(y_train), len(X_test), len(y_test)"),
    md("`plot_predictions` (in `minitorch_lite/course/ch01_workflow.py`) draws the training data "
       "in blue, the test data in green and predictions in red. Matplotlib takes tensors directly."),
    code("plot_predictions(X_train, y_train, X_test, y_test)"),
    md("## 2. A model: two parameters, drawn at random\n`nn.Parameter` registers a tensor with "
       "the module; `forward` says what the model computes."),
    code('''class LinearRegressionModel(nn.Module):
    def __init__(self):
        super().__init__()
        self.weights = nn.Parameter(mt.randn(1, dtype=mt.float), requires_grad=True)
        self.bias = nn.Parameter(mt.randn(1, dtype=mt.float), requires_grad=True)

    def forward(self, x: mt.Tensor) -> mt.Tensor:
        return self.weights * x + self.bias


mt.manual_seed(42)
model_0 = LinearRegressionModel()
list(model_0.parameters()), model_0.state_dict()'''),
    md("The same seed gives PyTorch's starting values, `0.3367` and `0.1288`:"),
    code("import torch\n\ntorch.set_num_threads(1)  # tiny tensors: one thread is fastest\n"
         "torch.manual_seed(42)\ntorch.randn(1), torch.randn(1)"),
    md("Before training, predictions (in inference mode: no graph is recorded) are far off:"),
    code("with mt.inference_mode():\n    y_preds = model_0(X_test)\n"
         "plot_predictions(X_train, y_train, X_test, y_test, predictions=y_preds)"),
    md("## 3. Train: a loss, an optimizer, a loop\nL1 loss (mean absolute error) and stochastic "
       "gradient descent with learning rate 0.01."),
    code('''loss_fn = nn.L1Loss()
optimizer = mt.optim.SGD(params=model_0.parameters(), lr=0.01)

mt.manual_seed(42)
epoch_count, train_loss_values, test_loss_values = [], [], []
for epoch in range(EPOCHS_MODEL_0):
    model_0.train()
    y_pred = model_0(X_train)            # 1. forward pass
    loss = loss_fn(y_pred, y_train)      # 2. loss
    optimizer.zero_grad()                # 3. zero the gradients
    loss.backward()                      # 4. backpropagation
    optimizer.step()                     # 5. gradient descent

    model_0.eval()
    with mt.inference_mode():
        test_pred = model_0(X_test)
        test_loss = loss_fn(test_pred, y_test.type(mt.float))
    train_loss_values.append(loss.item())
    test_loss_values.append(test_loss.item())
    if epoch % 10 == 0:
        print(f"Epoch: {epoch} | MAE Train Loss: {loss} | MAE Test Loss: {test_loss} ")'''),
    code("plot_loss_curves(train_loss_values, test_loss_values)"),
    code("print(f\"The model learned: {model_0.state_dict()}\")\n"
         "print(f\"The true values are: weights: {weight}, bias: {bias}\")"),
    md("## 4. Predict"),
    code("model_0.eval()\nwith mt.inference_mode():\n    y_preds = model_0(X_test)\n"
         "plot_predictions(X_train, y_train, X_test, y_test, predictions=y_preds)"),
    md("## 5. Save and load\n`mt.save` writes the state dict in PyTorch's own `.pth` format, so "
       "`torch.load(path, weights_only=True)` reads it too; `mt.load` reads it back and never runs "
       "code from a file."),
    code('''MODEL_PATH = WORK / "models"
MODEL_PATH.mkdir(parents=True, exist_ok=True)
MODEL_SAVE_PATH = MODEL_PATH / "01_pytorch_workflow_model_0.pth"
mt.save(obj=model_0.state_dict(), f=MODEL_SAVE_PATH)

loaded_model_0 = LinearRegressionModel()
print(loaded_model_0.load_state_dict(mt.load(f=MODEL_SAVE_PATH)))
loaded_model_0.eval()
with mt.inference_mode():
    loaded_model_preds = loaded_model_0(X_test)
y_preds == loaded_model_preds'''),
    md("## 6. All together, with `nn.Linear`\n`nn.Linear(1, 1)` holds the weight and the bias "
       "itself. 1000 epochs this time."),
    code('''class LinearRegressionModelV2(nn.Module):
    def __init__(self):
        super().__init__()
        self.linear_layer = nn.Linear(in_features=1, out_features=1)

    def forward(self, x: mt.Tensor) -> mt.Tensor:
        return self.linear_layer(x)


mt.manual_seed(42)
model_1 = LinearRegressionModelV2()
loss_fn = nn.L1Loss()
optimizer = mt.optim.SGD(params=model_1.parameters(), lr=0.01)
mt.manual_seed(42)
for epoch in range(EPOCHS_MODEL_1):
    model_1.train()
    loss = loss_fn(model_1(X_train), y_train)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    model_1.eval()
    with mt.inference_mode():
        test_loss = loss_fn(model_1(X_test), y_test)
    if epoch % 100 == 0:
        print(f"Epoch: {epoch} | Train loss: {loss} | Test loss: {test_loss}")
print(model_1, model_1.state_dict(), sep="\\n")'''),
    md("## PyTorch gives the same numbers, epoch by epoch\n`reference/ch01_workflow.py` trains the "
       "same models in PyTorch. Every epoch's train and test loss, and the final parameters:"),
    code('''from minitorch_lite.course import ch01_workflow as mt_ch01, compare_records
from reference import ch01_workflow as torch_ch01

for task, epochs in (("train_model_0", EPOCHS_MODEL_0), ("train_model_1", EPOCHS_MODEL_1)):
    differences = compare_records(getattr(torch_ch01, task)(epochs=epochs),
                                  getattr(mt_ch01, task)(epochs=epochs))
    print(f"{task} ({epochs} epochs): largest difference {max(differences.values()):.1e}")
    print("   ", {key: f"{value:.1e}" for key, value in differences.items()})'''),
    md("Differences of a few 1e-8 are float32 rounding: the L1 mean sums the same numbers in "
       "another order."),
    md(r"""
## How it works inside: what `backward` computes for this model

The model predicts $\hat y_i = w x_i + b$ and the loss is $L = \frac{1}{n}\sum_i |\hat y_i - y_i|$.
The derivative of $|r|$ is $\mathrm{sign}(r)$, so by the chain rule

$$\frac{\partial L}{\partial w} = \frac{1}{n}\sum_i \mathrm{sign}(\hat y_i - y_i)\,x_i, \qquad
\frac{\partial L}{\partial b} = \frac{1}{n}\sum_i \mathrm{sign}(\hat y_i - y_i).$$

`loss.backward()` gets there one node at a time: `MeanBackward0` hands $1/n$ to every element,
`AbsBackward0` multiplies by the sign, `SubBackward0` passes it on, `AddBackward0` sends it to $b$
(summed over the broadcast rows) and `MulBackward0` multiplies by $x$ before sending it to $w$.
Then SGD moves each parameter against its gradient: $w \leftarrow w - 0.01\,\partial L/\partial w$."""),
    code('''mt.manual_seed(42)
model = LinearRegressionModel()
loss = nn.L1Loss()(model(X_train), y_train)
loss.backward()

w, b = model.weights.item(), model.bias.item()
x, target = X_train.numpy().ravel(), y_train.numpy().ravel()
sign = np.sign(w * x + b - target)
print("by hand:  dL/dw =", np.mean(sign * x), " dL/db =", np.mean(sign))
print("autograd: dL/dw =", model.weights.grad.item(), " dL/db =", model.bias.grad.item())

node = loss.grad_fn  # the graph, from the loss back to the parameters
while node is not None:
    inputs = [n for n, _ in node.next_functions]
    print(f"{node.name():<14} <- {[n.name() if n is not None else None for n in inputs]}")
    node = next((n for n in inputs if n is not None and n.name() != "AccumulateGrad"), None)'''),
    code('''optimizer = mt.optim.SGD(model.parameters(), lr=0.01)
optimizer.step()
print("after one SGD step:", model.weights.item(), "=", w, "- 0.01 *", np.mean(sign * x))
import inspect
from minitorch_lite.optim import sgd
print(inspect.getsource(sgd.SGD.step))'''),
]

# ---------------------------------------------------------------------------------------------
NOTEBOOK_02 = [
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

# ---------------------------------------------------------------------------------------------
NOTEBOOK_03 = [
    md("""
# 03 · Computer vision, on minitorch_lite

Chapter 03 of *Learn PyTorch for Deep Learning*: classify 28x28 grey images of garments into 10
classes with three models (a linear baseline, the same with ReLUs, and TinyVGG, a small
convolutional network), trained with SGD for 3 epochs in batches of 32.

**About the data.** The course downloads Fashion-MNIST. This project works offline, so when the
real files are not on disk, minitorch_lite writes a **synthetic stand-in**: drawn garments in the
same format (60,000 + 10,000 images, 28x28, the same 10 class names), *not* the real photos. The
cells below say which one they use. To use the real data, put its four files in
`<data>/FashionMNIST/raw/` (`train-images-idx3-ubyte`, ... , plain or `.gz`).

At the end: a convolution is an *im2col* rearrangement followed by one matrix multiplication."""),
    code(SETUP + '''
from timeit import default_timer as timer

import torch
from minitorch_lite.utils.data import DataLoader, Subset
from minitorch_lite.vision import datasets, transforms
from minitorch_lite.vision.standin import is_standin
from minitorch_lite.course.ch03_computer_vision import (
    accuracy_fn, eval_model, make_predictions, plot_confusion_matrix, plot_predictions_grid,
    plot_samples, random_test_samples, test_step, train_step)

EPOCHS = 1 if QUICK else 3
N_TRAIN, N_TEST = (2000, 500) if QUICK else (None, None)  # None: all 60,000 / 10,000
DATA = WORK / ("data-quick" if QUICK else "data")  # a quick run writes only a small stand-in
torch.set_num_threads(mt.get_num_threads())  # both frameworks on the same cores'''),
    md("## 1. Data"),
    code('''try:
    datasets.FashionMNIST(root=DATA, train=False, download=True)
except RuntimeError:  # no files, and download=True never touches the network
    datasets.FashionMNIST.make_standin(DATA, **({"n_train": N_TRAIN, "n_test": N_TEST} if QUICK else {}))
STANDIN = is_standin(DATA)
print("Using the synthetic STAND-IN (not the real Fashion-MNIST)" if STANDIN
      else "Using the real Fashion-MNIST")

train_data = datasets.FashionMNIST(root=DATA, train=True, download=True,
                                   transform=transforms.ToTensor(), target_transform=None)
test_data = datasets.FashionMNIST(root=DATA, train=False, download=True,
                                  transform=transforms.ToTensor())
class_names = train_data.classes
image, label = train_data[0]
print(train_data)
print(f"Image shape: {image.shape} -> [color_channels, height, width], label: {class_names[label]}")
len(train_data.data), len(train_data.targets), len(test_data.data), class_names'''),
    code("plot_samples(train_data, class_names)"),
    md("Batches of 32, shuffled for training:"),
    code('''if QUICK:
    train_data, test_data = Subset(train_data, range(N_TRAIN)), Subset(test_data, range(N_TEST))
BATCH_SIZE = 32
train_dataloader = DataLoader(train_data, batch_size=BATCH_SIZE, shuffle=True)
test_dataloader = DataLoader(test_data, batch_size=BATCH_SIZE, shuffle=False)
train_features_batch, train_labels_batch = next(iter(train_dataloader))
print(f"{len(train_dataloader)} training batches, {len(test_dataloader)} test batches of {BATCH_SIZE}")
train_features_batch.shape, train_labels_batch.shape'''),
    md("## 2. Model 0: a linear baseline\n`Flatten` turns each 1x28x28 image into 784 numbers."),
    code('''class FashionMNISTModelV0(nn.Module):
    def __init__(self, input_shape: int, hidden_units: int, output_shape: int):
        super().__init__()
        self.layer_stack = nn.Sequential(
            nn.Flatten(),
            nn.Linear(in_features=input_shape, out_features=hidden_units),
            nn.Linear(in_features=hidden_units, out_features=output_shape),
        )

    def forward(self, x):
        return self.layer_stack(x)


mt.manual_seed(42)
model_0 = FashionMNISTModelV0(input_shape=784, hidden_units=10, output_shape=len(class_names))
model_0'''),
    md("The training and testing steps are the course's functions (from "
       "`minitorch_lite/course/ch03_computer_vision.py`):"),
    code("import inspect\nprint(inspect.getsource(train_step))\nprint(inspect.getsource(test_step))"),
    code('''batch_losses = {}  # every batch's training loss, per model: to look at later


def train_and_time(model, name, lr=0.1):
    loss_fn = nn.CrossEntropyLoss()
    optimizer = mt.optim.SGD(params=model.parameters(), lr=lr)
    mt.manual_seed(42)
    batch_losses[name] = []
    start = timer()
    for epoch in range(EPOCHS):
        print(f"Epoch: {epoch}\\n---------")
        train_step(model, train_dataloader, loss_fn, optimizer, accuracy_fn,
                   batch_losses=batch_losses[name])
        test_step(test_dataloader, model, loss_fn, accuracy_fn)
    seconds = timer() - start
    print(f"{name}: train time on cpu: {seconds:.1f} seconds")
    return eval_model(model, test_dataloader, loss_fn, accuracy_fn) | {"train_time_s": seconds}


results = {"model_0": train_and_time(model_0, "model_0")}
results["model_0"]'''),
    md("## 3. Model 1: with non-linearity"),
    code('''class FashionMNISTModelV1(nn.Module):
    def __init__(self, input_shape: int, hidden_units: int, output_shape: int):
        super().__init__()
        self.layer_stack = nn.Sequential(
            nn.Flatten(),
            nn.Linear(in_features=input_shape, out_features=hidden_units),
            nn.ReLU(),
            nn.Linear(in_features=hidden_units, out_features=output_shape),
            nn.ReLU(),
        )

    def forward(self, x):
        return self.layer_stack(x)


mt.manual_seed(42)
model_1 = FashionMNISTModelV1(input_shape=784, hidden_units=10, output_shape=len(class_names))
results["model_1"] = train_and_time(model_1, "model_1")
results["model_1"]'''),
    md("## 4. Model 2: a convolutional network (TinyVGG)\nTwo blocks of convolution, ReLU, "
       "convolution, ReLU and max-pooling, then a linear classifier. A 3x3 convolution slides a "
       "small filter over the image; `padding=1` keeps 28x28; each `MaxPool2d(2)` halves it."),
    code('''class FashionMNISTModelV2(nn.Module):
    def __init__(self, input_shape: int, hidden_units: int, output_shape: int):
        super().__init__()
        self.block_1 = nn.Sequential(
            nn.Conv2d(in_channels=input_shape, out_channels=hidden_units, kernel_size=3, stride=1, padding=1),
            nn.ReLU(),
            nn.Conv2d(in_channels=hidden_units, out_channels=hidden_units, kernel_size=3, stride=1, padding=1),
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

    def forward(self, x):
        return self.classifier(self.block_2(self.block_1(x)))


mt.manual_seed(42)
model_2 = FashionMNISTModelV2(input_shape=1, hidden_units=10, output_shape=len(class_names))
print(model_2)
from minitorch_lite._shims.torchinfo import summary  # what `torchinfo.summary` gives in drop-in mode
summary(model_2, input_size=[1, 1, 28, 28], verbose=0)'''),
    code('''results["model_2"] = train_and_time(model_2, "model_2")
results["model_2"]'''),
    md("""### When a network dies

On the stand-in, the course's learning rate of 0.1 is too large for TinyVGG: after a good first
epoch, one batch's loss can spike, and the huge step it takes pushes every ReLU into its flat
part. Then nothing flows back, the weights stop changing, the logits are the same for every
image, and the loss sits at ln 10 = 2.30 with 10% accuracy: the network has *died*. (If
`model_2` above trained well, this run did not hit it: the cells below still show how to look.)
Two checks tell: the per-batch loss curve (a spike, then a flat line at 2.30), and the share of
ReLU outputs that are exactly zero (near 100% in a dead network)."""),
    code('''import matplotlib.pyplot as plt


def zero_relu_outputs(model, X):
    """Share of each ReLU layer's outputs that are exactly 0 on the batch X (forward hooks)."""
    shares = []
    hooks = [module.register_forward_hook(
                 lambda module, args, output: shares.append((output == 0).float().mean().item()))
             for module in model.modules() if isinstance(module, nn.ReLU)]
    with mt.inference_mode():
        model(X)
    for hook in hooks:
        hook.remove()
    return shares


print("ReLU outputs that are 0, per layer:",
      ", ".join(f"{share:.0%}" for share in zero_relu_outputs(model_2, train_features_batch)))
plt.figure(figsize=(9, 3.5))
plt.plot(batch_losses["model_2"], linewidth=0.5)
plt.axhline(np.log(10), color="grey", linestyle="--", label="ln 10: guessing")
plt.xlabel("batch")
plt.yscale("log")  # a spike of hundreds next to losses of 0.3
plt.ylabel("training loss (log scale)")
plt.title("model_2, SGD lr 0.1")
plt.legend();'''),
    md("The cure is a smaller step. The same seeded TinyVGG with lr 0.05 (this model is the one "
       "the rest of the notebook uses):"),
    code('''mt.manual_seed(42)
model_2 = FashionMNISTModelV2(input_shape=1, hidden_units=10, output_shape=len(class_names))
results["model_2 (lr 0.05)"] = train_and_time(model_2, "model_2 (lr 0.05)", lr=0.05)
print("ReLU outputs that are 0, per layer:",
      ", ".join(f"{share:.0%}" for share in zero_relu_outputs(model_2, train_features_batch)))
results["model_2 (lr 0.05)"]'''),
    md("## 5. Compare the models"),
    code('''print(f"{'model':<20}{'run':<20}{'test loss':>10}{'accuracy':>10}{'train time':>12}")
for run, result in results.items():
    print(f"{result['model_name']:<20}{run:<20}{result['model_loss']:>10.4f}"
          f"{result['model_acc']:>9.2f}%{result['train_time_s']:>11.1f}s")'''),
    md("## 6. Predictions on random test images"),
    code('''test_samples, test_labels = random_test_samples(test_data, k=9, seed=42)
pred_probs = make_predictions(model=model_2, data=test_samples)
pred_classes = pred_probs.argmax(dim=1)
print(pred_probs[:2])
plot_predictions_grid(test_samples, test_labels, pred_classes, class_names)'''),
    md("## 7. Confusion matrix\nWhich classes get mistaken for which (`minitorch_lite.metrics."
       "ConfusionMatrix`, torchmetrics' twin):"),
    code('''from minitorch_lite.metrics import ConfusionMatrix

y_preds = []
model_2.eval()
with mt.inference_mode():
    for X, y in test_dataloader:
        y_preds.append(mt.softmax(model_2(X), dim=1).argmax(dim=1))
y_pred_tensor = mt.cat(y_preds)
targets = mt.cat([y for _, y in test_dataloader])
confmat = ConfusionMatrix(num_classes=len(class_names), task="multiclass")
confmat_tensor = confmat(preds=y_pred_tensor, target=targets)
plot_confusion_matrix(confmat_tensor.numpy(), class_names)'''),
    md("## 8. Save and load the best model"),
    code('''MODEL_SAVE_PATH = WORK / "models" / "03_pytorch_computer_vision_model_2.pth"
MODEL_SAVE_PATH.parent.mkdir(parents=True, exist_ok=True)
mt.save(obj=model_2.state_dict(), f=MODEL_SAVE_PATH)
loaded_model_2 = FashionMNISTModelV2(input_shape=1, hidden_units=10, output_shape=len(class_names))
print(loaded_model_2.load_state_dict(mt.load(f=MODEL_SAVE_PATH)))
loaded_model_2_results = eval_model(loaded_model_2, test_dataloader, nn.CrossEntropyLoss(), accuracy_fn)
mt.isclose(mt.tensor(results["model_2 (lr 0.05)"]["model_loss"]), mt.tensor(loaded_model_2_results["model_loss"]),
           atol=1e-08, rtol=0.0001)'''),
    md("## PyTorch gives the same numbers\n`reference/ch03_computer_vision.py` trains the same "
       "three seeded models in PyTorch on the same files. The two linear models stay together for "
       "all 5,625 steps and make the same test predictions (V1's ReLUs let float32 rounding grow "
       "to 2e-4 in the last epoch's losses; in float64 it stays at 1e-15). TinyVGG starts equal "
       "too, but SGD on it amplifies rounding differences (in the order the convolution sums are added up) by a few percent "
       "per step, so after a hundred or so batches the two runs are two trajectories of the same "
       "training: their end results agree closely, not to the last digit. (In float64 the same "
       "steps agree to 1e-10 or better: `tests/test_course_ch03.py`.)\n\nThat is also why "
       "TinyVGG is compared at lr 0.05: at lr 0.1, whether it dies hinges on such rounding. On "
       "the stand-in, minitorch_lite's run dies, and so does PyTorch's on one thread, while "
       "PyTorch's on two threads (which sums in another order) trains to 96%.\n\nBoth sides load "
       "the images the torchvision way (a PIL image per sample, then ToTensor), so the train "
       "times compare whole training loops, data pipeline included, on the same cores."),
    code('''from minitorch_lite.course import ch03_computer_vision as mt_ch03
from reference import ch03_computer_vision as torch_ch03

rows = []
for name, lr in (("v0", 0.1), ("v1", 0.1), ("v2", 0.05)):
    records = {framework: module.train_model(name, root=DATA, n_train=N_TRAIN, n_test=N_TEST,
                                             epochs=EPOCHS, lr=lr)
               for framework, module in (("PyTorch", torch_ch03), ("minitorch_lite", mt_ch03))}
    first = np.abs(np.subtract(records["PyTorch"]["batch_losses"][:100],
                               records["minitorch_lite"]["batch_losses"][:100])).max()
    same = (records["PyTorch"]["test_predictions"] == records["minitorch_lite"]["test_predictions"]).mean()
    for framework, record in records.items():
        rows.append((record["model_name"], framework, record["eval.model_loss"],
                     record["eval.model_acc"], record["train_time_s"]))
    print(f"{records['PyTorch']['model_name']}: first 100 batch losses differ by at most "
          f"{first:.1e}; the two agree on {same:.2%} of the test predictions")
print(f"\\n{'model':<22}{'framework':<16}{'test loss':>10}{'accuracy':>10}{'train time':>12}")
for model_name, framework, loss, acc, seconds in rows:
    print(f"{model_name:<22}{framework:<16}{loss:>10.4f}{acc:>9.2f}%{seconds:>11.1f}s")'''),
    md(r"""
## How it works inside: convolution = im2col + one matrix multiplication

A convolution computes, for every output pixel, a dot product between the filter and the patch of
the input under it:

$$\text{out}[o, h, w] = b_o + \sum_{c, i, j} W[o, c, i, j]\; x[c, h + i, w + j].$$

Looping over pixels in Python would be hopelessly slow. Instead, **im2col** copies every patch
into a column of a matrix (C·kH·kW rows, one column per output pixel); then the whole
convolution is one matrix product, `W.reshape(O, -1) @ cols`, which BLAS does fast. NumPy can
even build the patches without copying, as a *strided view* of the input (the "stride trick")."""),
    code('''from numpy.lib.stride_tricks import sliding_window_view

image = train_features_batch[:1]                     # [1, 1, 28, 28]
conv = nn.Conv2d(in_channels=1, out_channels=10, kernel_size=3, padding=1)
x = np.pad(image.numpy(), ((0, 0), (0, 0), (1, 1), (1, 1)))   # padding=1
patches = sliding_window_view(x, (3, 3), axis=(2, 3))        # [1, 1, 28, 28, 3, 3], no copy
cols = patches.transpose(0, 1, 4, 5, 2, 3).reshape(1 * 9, 28 * 28)   # (C*kH*kW, Ho*Wo)
weights = conv.weight.detach().numpy().reshape(10, -1)              # (O, C*kH*kW)
by_matmul = (weights @ cols + conv.bias.detach().numpy()[:, None]).reshape(1, 10, 28, 28)
print("im2col matrix:", cols.shape, " weights:", weights.shape, " output:", by_matmul.shape)
print("largest difference from nn.Conv2d:", np.abs(by_matmul - conv(image).detach().numpy()).max())
with torch.no_grad():
    torch_out = torch.nn.functional.conv2d(torch.from_numpy(image.numpy()),
                                           torch.from_numpy(conv.weight.detach().numpy()),
                                           torch.from_numpy(conv.bias.detach().numpy()), padding=1)
print("largest difference from PyTorch's conv2d:", np.abs(by_matmul - torch_out.numpy()).max())'''),
    md("minitorch_lite's own kernels do the same for a whole batch at once; here they are (the "
       "backward pass uses `col2im`, which adds the column gradients back onto the image):"),
    code('''from minitorch_lite.backend import im2col
print(inspect.getsource(im2col.windows))
print(inspect.getsource(im2col.im2col))
print(inspect.getsource(im2col.col2im))'''),
]

# ---------------------------------------------------------------------------------------------
NOTEBOOK_04 = [
    md("""
# 04 · Custom datasets, on minitorch_lite

Chapter 04 of *Learn PyTorch for Deep Learning*: your own images in folders. Pizza, steak and
sushi photos, loaded with `ImageFolder` and with a `Dataset` written by hand, turned into batches
by a `DataLoader`, augmented with `TrivialAugmentWide`, and classified by TinyVGG, first without
and then with augmentation. At the end, a prediction on a photo of our own.

**About the data.** The course downloads `pizza_steak_sushi.zip` (about 10% of Food-101's
pizza, steak and sushi photos). This project works offline, so when the folder is not on disk,
minitorch_lite writes a **synthetic stand-in**: drawn food in the same layout
(`pizza_steak_sushi/{train,test}/{pizza,steak,sushi}/*.jpg`), the same split sizes (225 training
and 75 test images) and varied sizes (384-512 px), *not* the real photos. The download code is
here too (`download_data`), for a machine that is online.

The code is chapter 04's, in `minitorch_lite/course/ch04_custom_datasets.py`; its PyTorch twin,
`reference/ch04_custom_datasets.py`, differs only where the library is named. At the end: how a
`DataLoader` turns a dataset into batches, and how `TrivialAugmentWide` draws the same
augmentations as torchvision's."""),
    code(SETUP + '''
import warnings
from tqdm import TqdmWarning
warnings.filterwarnings("ignore", category=TqdmWarning)  # no ipywidgets here: tqdm prints text bars
%config InlineBackend.figure_formats = ["jpeg"]  # photos: JPEG keeps the notebook small
import torch
from minitorch_lite.course.ch04_custom_datasets import (
    ImageFolderCustom, compare_results, custom_image_errors, display_random_images, ensure_custom_image,
    ensure_data, find_classes, load_custom_image, load_image_folders, make_dataloaders, make_model,
    make_transforms, plot_image_and_array, plot_loss_curves, plot_transformed_images, pred_and_plot_image,
    random_image, train_model, walk_through_dir)

EPOCHS = 2 if QUICK else 5
PER_CLASS = (8, 4) if QUICK else None             # quick: 8 training and 4 test images per class
SIZES = (96, 128) if QUICK else (384, 512)
DATA = WORK / ("data-quick" if QUICK else "data")
torch.set_num_threads(mt.get_num_threads())  # both frameworks on the same cores'''),
    md("## 1. Get the data\nThe folder is written (or found); `walk_through_dir` counts what is in it."),
    code('''image_path, STANDIN = ensure_data(DATA, per_class=PER_CLASS, size_range=SIZES)
print("Using the synthetic STAND-IN (drawn food, not the real photos)" if STANDIN
      else "Using the real pizza_steak_sushi photos")
walk_through_dir(image_path)
train_dir, test_dir = image_path / "train", image_path / "test"'''),
    md("A random image, and what it is to the computer: an array of height x width x 3 colour values."),
    code('''random_image_path, image_class, img = random_image(image_path, seed=42)
print(np.asarray(img)[:2, :2])
plot_image_and_array(img, image_class)'''),
    md("## 2. Transforms\nEvery image becomes a 64x64 float tensor; `RandomHorizontalFlip` mirrors "
       "half of them at random."),
    code('''transforms = make_transforms()
data_transform = transforms["data"]
print(data_transform)
image_path_list = sorted(image_path.glob("*/*/*.jpg"))
plot_transformed_images(image_path_list, transform=data_transform, n=3, seed=42)'''),
    md("## 3. Datasets\n### With `ImageFolder`\nOne sub-folder per class: the folder names become "
       "the classes, in sorted order."),
    code('''train_data, test_data = load_image_folders(train_dir, test_dir, data_transform, transforms["test"])
print(train_data)
class_names = train_data.classes
img, label = train_data[0]
print(class_names, train_data.class_to_idx, len(train_data), len(test_data))
print(f"Image shape: {img.shape}, dtype: {img.dtype}, label: {label} ({class_names[label]})")'''),
    md("### Written by hand: `ImageFolderCustom`\nA `Dataset` needs `__len__` and `__getitem__`; "
       "`find_classes` reads the class names from the folder names:"),
    code('''import inspect
print(inspect.getsource(find_classes))
print(inspect.getsource(ImageFolderCustom))'''),
    code('''train_data_custom = ImageFolderCustom(targ_dir=train_dir, transform=data_transform)
test_data_custom = ImageFolderCustom(targ_dir=test_dir, transform=transforms["test"])
print(len(train_data_custom), len(test_data_custom), train_data_custom.classes)
print(train_data_custom.classes == train_data.classes,
      train_data_custom.class_to_idx == train_data.class_to_idx)'''),
    md("A folder without class folders is an error, with the course's message (this cell is meant to fail):"),
    code('''empty = WORK / "empty_folder"
empty.mkdir(parents=True, exist_ok=True)
find_classes(empty)''', raises=True),
    code("display_random_images(train_data_custom, n=5, classes=class_names, seed=42)"),
    md("## 4. DataLoaders\nBatches of 32; `num_workers` workers (the course uses every CPU)."),
    code('''import os
NUM_WORKERS = os.cpu_count()
train_dataloader, test_dataloader = make_dataloaders(train_data, test_data, batch_size=32,
                                                     num_workers=NUM_WORKERS)
img_batch, label_batch = next(iter(train_dataloader))
print(f"{len(train_dataloader)} training batches; image batch {img_batch.shape}, labels {label_batch.shape}")'''),
    md("## 5. Data augmentation\n`TrivialAugmentWide` applies one random operation (shear, rotate, "
       "colour, posterize, ...) at a random strength to each image, each time it is read: the "
       "model rarely sees the same picture twice."),
    code('''plot_transformed_images(image_path_list, transform=transforms["trivial"], n=3, seed=42)'''),
    md("## 6. TinyVGG without augmentation (model_0)\nTwo blocks of convolution, ReLU, convolution, "
       "ReLU and max-pooling, then a linear layer; defined once, in "
       "`going_modular/model_builder.py` (chapter 04 uses `padding=1`)."),
    code('''from minitorch_lite._shims.torchinfo import summary  # what `torchinfo.summary` gives in drop-in mode
model_0 = make_model(seed=42)
print(model_0)
summary(model_0, input_size=[1, 3, 64, 64], verbose=0)'''),
    code('''record_0, model_0 = train_model("model_0", image_path, epochs=EPOCHS, num_workers=NUM_WORKERS,
                                progress=False)
keys = ["train_loss", "train_acc", "test_loss", "test_acc"]
model_0_results = {k: record_0[k] for k in keys}
plot_loss_curves(model_0_results)'''),
    md("## 7. TinyVGG with TrivialAugmentWide (model_1)"),
    code('''record_1, model_1 = train_model("model_1", image_path, epochs=EPOCHS, num_workers=NUM_WORKERS,
                                progress=False)
model_1_results = {k: record_1[k] for k in keys}
plot_loss_curves(model_1_results)'''),
    md("## 8. Compare the two"),
    code('''model_0_df, model_1_df, figure = compare_results(model_0_results, model_1_results)
print(model_0_df, model_1_df, sep="\\n\\n")
figure'''),
    md("Five epochs on 225 images are not enough for TinyVGG: on the stand-in both models stay "
       "near chance (33%), as the course's do on the real photos. The stand-in is learnable, "
       "though: trained for 20 epochs, model_0 reaches 70-80% on the test images (PyTorch: 79%; "
       "see `minitorch_lite/vision/food_standin.py`)."),
    code('''LONG_EPOCHS = 3 if QUICK else 20
record_long, _ = train_model("model_0", image_path, epochs=LONG_EPOCHS, num_workers=NUM_WORKERS,
                             progress=False)
plot_loss_curves({k: record_long[k] for k in keys})'''),
    md("## PyTorch gives the same numbers\n`reference/ch04_custom_datasets.py` trains the same "
       "seeded model_1 in PyTorch + torchvision on the same files, with the same augmentations "
       "(TrivialAugmentWide draws from the same random numbers, even in the DataLoader's "
       "workers). The losses agree to float32 rounding. Over many steps Adam amplifies rounding "
       "a little (a weight whose gradient is about zero steps by up to the learning rate, in a "
       "direction rounding picks); in float64 the two agree to 1e-15."),
    code('''from reference import ch04_custom_datasets as torch_ch04
torch_record, _ = torch_ch04.train_model("model_1", image_path, epochs=EPOCHS, num_workers=NUM_WORKERS,
                                         progress=False)
print(f"{'epoch':<7}{'train loss (mt)':>17}{'(torch)':>12}{'test loss (mt)':>17}{'(torch)':>12}")
for epoch in range(EPOCHS):
    print(f"{epoch + 1:<7}{record_1['train_loss'][epoch]:>17.6f}{torch_record['train_loss'][epoch]:>12.6f}"
          f"{record_1['test_loss'][epoch]:>17.6f}{torch_record['test_loss'][epoch]:>12.6f}")
print("same test predictions:", bool((record_1["test_predictions"] == torch_record["test_predictions"]).all()))'''),
    md("## 9. A photo of our own\nThe course predicts on a photo of a pizza (`04-pizza-dad.jpeg`); "
       "offline, a drawn stand-in takes its place. `read_image` gives uint8 values in [0, 255] "
       "with the channels first."),
    code('''custom_image_path = ensure_custom_image(DATA, size=(600, 800) if QUICK else (3024, 4032))
custom_image_uint8, custom_image = load_custom_image(custom_image_path)
print(f"uint8: {custom_image_uint8.shape} {custom_image_uint8.dtype}; float: {custom_image.dtype}, "
      f"range [{custom_image.min():.2f}, {custom_image.max():.2f}]")'''),
    md("The model needs float32, 64x64, and a batch dimension. The course makes each mistake on "
       "purpose, to see the errors (these cells are meant to fail, with PyTorch's messages):"),
    code("model_1(custom_image_uint8)", raises=True),
    code('''from minitorch_lite.vision import transforms as T
custom_image_transformed = T.Resize((64, 64))(custom_image)
model_1(custom_image_transformed)  # [3, 64, 64]: no batch dimension''', raises=True),
    code('''print(custom_image_errors(model_1, custom_image_path))
figure, prediction = pred_and_plot_image(model_1, custom_image_path, class_names, T.Resize((64, 64)))
print(prediction["probs"])
figure'''),
    md("""
## How it works inside: from a Dataset to batches

A `DataLoader` is three small pieces in a row:

1. a **sampler** yields indices: `SequentialSampler` 0, 1, 2, ...; `RandomSampler` (`shuffle=True`)
   a random permutation, drawn from the generator, new every epoch;
2. a **batch sampler** groups them into lists of `batch_size`;
3. the samples of a list are read (`dataset[i]` for each index) and `collate_fn` stacks them:
   `default_collate` turns a list of `(image [3, 64, 64], label)` pairs into
   `(images [B, 3, 64, 64], labels [B])`.

Done by hand with the same seed, the pieces give exactly the loader's first batch:"""),
    code('''from minitorch_lite.utils.data import BatchSampler, DataLoader, RandomSampler, default_collate

simple_data, _ = load_image_folders(train_dir, test_dir, transforms["simple"], transforms["test"])
mt.manual_seed(0)
loader_batch = next(iter(DataLoader(simple_data, batch_size=4, shuffle=True)))

mt.manual_seed(0)
mt.random.default_generator.random_()  # creating an iterator draws a "base seed" first (for workers)
indices = next(iter(BatchSampler(RandomSampler(simple_data), batch_size=4, drop_last=False)))
samples = [simple_data[i] for i in indices]
images, labels = default_collate(samples)
print("indices:", indices, "-> labels", labels.tolist())
print("images:", images.shape, " the same batch as the DataLoader's:",
      bool((images == loader_batch[0]).all()) and labels.tolist() == loader_batch[1].tolist())'''),
    md("The loader's own code: each `__next__` asks the batch sampler for indices and fetches them."),
    code('''from minitorch_lite.utils.data import dataloader
print(inspect.getsource(dataloader._DataLoaderIter.__next__))
print(inspect.getsource(dataloader._DataLoaderIter._fetch_map))'''),
    md("""
With `num_workers > 0`, PyTorch reads batch k in worker process k % num_workers, and each worker
seeds its own generator from the loader's base seed. minitorch_lite reads every batch in the
main process, but with the random state that worker would have, so random transforms in the
dataset draw what they draw in PyTorch's workers:"""),
    code('''print(inspect.getsource(dataloader._EmulatedWorkers.run))'''),
    md("""
## How it works inside: TrivialAugmentWide's random draws

For each image, `TrivialAugmentWide` makes three draws from the generator, as torchvision does:

1. the operation: `randint(0, 14)`, an index into its list of 14 operations (the order matters);
2. the strength: `randint(0, 31)`, one of 31 magnitude bins (not drawn for the operations without
   one: Identity, AutoContrast, Equalize);
3. for signed operations (shear, translate, rotate, colour), the sign: `randint(0, 2)`.

minitorch_lite's generator gives PyTorch's random numbers bit for bit, so the same seed picks the
same operation and strength, and the operation is the same Pillow call. Drawn by hand:"""),
    code('''from minitorch_lite.vision.transforms import TrivialAugmentWide
from reference._torchvision import transforms as torchvision_transforms

augment = TrivialAugmentWide(num_magnitude_bins=31)
space = augment._augmentation_space(31)
mt.manual_seed(7)
for _ in range(5):
    op_name = list(space)[int(mt.randint(0, len(space), (1,)))]
    magnitudes, signed = space[op_name]
    magnitude = float(magnitudes[int(mt.randint(0, len(magnitudes), (1,)))]) if magnitudes is not None else 0.0
    if signed and int(mt.randint(0, 2, (1,))):
        magnitude = -magnitude
    print(f"{op_name:<13} magnitude {magnitude:8.3f}")'''),
    md("The same five images through both libraries' transform, seeded alike: the same pixels."),
    code('''import matplotlib.pyplot as plt
from PIL import Image

with Image.open(image_path_list[0]) as original:
    original = original.resize((128, 128))
torch_augment = torchvision_transforms.TrivialAugmentWide(num_magnitude_bins=31)
mt.manual_seed(7)
torch.manual_seed(7)
ours = [augment(original) for _ in range(5)]
theirs = [torch_augment(original) for _ in range(5)]
print("identical to torchvision:", all(np.array_equal(np.asarray(a), np.asarray(b)) for a, b in zip(ours, theirs)))
fig, axes = plt.subplots(1, 6, figsize=(15, 3))
for ax, image, title in zip(axes, [original] + ours, ["original"] + [f"draw {i + 1}" for i in range(5)]):
    ax.imshow(image)
    ax.set_title(title)
    ax.axis("off")'''),
    code('''print(inspect.getsource(TrivialAugmentWide.__call__))'''),
]

# ---------------------------------------------------------------------------------------------
NOTEBOOK_05 = [
    md("""
# 05 · Going modular, on minitorch_lite

Chapter 05 of *Learn PyTorch for Deep Learning* turns chapter 04's notebook into Python scripts
that train and predict from the command line:

    going_modular/
      get_data.py       download the images (or, offline, write the stand-in)
      data_setup.py     create_dataloaders: two ImageFolders and their DataLoaders
      engine.py         train_step, test_step, train (a tqdm bar over the epochs)
      model_builder.py  TinyVGG
      utils.py          save_model
      train.py          python -m ...going_modular.train --epochs 5 --lr 0.001 ...
      predict.py        python -m ...going_modular.predict --image photo.jpg --model model.pth

minitorch_lite ships the package twice: `minitorch_lite.course.going_modular` (on minitorch_lite)
and `reference.going_modular` (on PyTorch + torchvision). This walk-through runs both on the same
data (the offline **synthetic stand-in** when the real photos are not on disk), compares what
they learn, and shows that each loads the other's saved model."""),
    code(SETUP + '''
import warnings
from tqdm import TqdmWarning
warnings.filterwarnings("ignore", category=TqdmWarning)  # no ipywidgets here: tqdm prints text bars
import json
import subprocess

from minitorch_lite.course.ch04_custom_datasets import ensure_custom_image, ensure_data, plot_loss_curves

EPOCHS = 2 if QUICK else 5
DATA = WORK / ("data-quick" if QUICK else "data")
image_path, STANDIN = ensure_data(DATA, per_class=(8, 4) if QUICK else None,
                                  size_range=(96, 128) if QUICK else (384, 512))
custom_image_path = ensure_custom_image(DATA, size=(600, 800) if QUICK else (3024, 4032))
print("data:", image_path, "(synthetic STAND-IN, not the real photos)" if STANDIN else "")
MODELS = WORK / "models"


def run(module, *args):
    """python -m module args..., from the repository; its output, and the end of the tqdm bar."""
    result = subprocess.run([sys.executable, "-m", module, *map(str, args)], cwd=REPO,
                            capture_output=True, text=True)
    print(result.stdout, end="")
    bar = [line for line in result.stderr.replace("\\r", "\\n").splitlines() if "it]" in line]
    if bar:
        print(bar[-1])
    if result.returncode:
        print(result.stderr)
    return result'''),
    md("## The scripts\nThe model and the training loop are chapter 04's code, moved into files:"),
    code('''import inspect
from minitorch_lite.course.going_modular import engine, model_builder
print(inspect.getsource(model_builder.TinyVGG))'''),
    code("print(inspect.getsource(engine.train))"),
    md("## Train from the command line, in both frameworks\nThe same arguments: the training and "
       "test folders, epochs, batch size, hidden units, learning rate, device, seed and where to "
       "save the model (`.safetensors` here, so the other framework can read it)."),
    code('''histories = {}
for name, module in (("minitorch_lite", "minitorch_lite.course.going_modular.train"),
                     ("PyTorch", "reference.going_modular.train")):
    print(f"--- {name}")
    history = MODELS / f"05_{name}_history.json"
    run(module, "--train-dir", image_path / "train", "--test-dir", image_path / "test",
        "--epochs", EPOCHS, "--batch-size", 32, "--hidden-units", 10, "--lr", 0.001,
        "--device", "cpu", "--seed", 42, "--num-workers", 2,
        "--model-path", MODELS / f"05_{name}_tinyvgg.safetensors", "--history", history)
    histories[name] = json.loads(history.read_text())'''),
    code('''print(f"{'epoch':<7}{'train loss (mt)':>17}{'(torch)':>12}{'test acc (mt)':>16}{'(torch)':>10}")
for epoch in range(EPOCHS):
    print(f"{epoch + 1:<7}{histories['minitorch_lite']['train_loss'][epoch]:>17.6f}"
          f"{histories['PyTorch']['train_loss'][epoch]:>12.6f}"
          f"{histories['minitorch_lite']['test_acc'][epoch]:>16.4f}{histories['PyTorch']['test_acc'][epoch]:>10.4f}")
plot_loss_curves({k: v for k, v in histories["minitorch_lite"].items() if k != "class_names"})'''),
    md("The first epochs agree to float32 rounding; later ones drift apart in the last digits. "
       "Adam divides each gradient by its running size, so a weight whose gradient is about zero "
       "takes a step of up to the learning rate in a direction that rounding picks, and later "
       "steps build on it. In float64 the two frameworks agree to 1e-15 over the same five epochs "
       "(`tests/test_course_ch04.py`): the same computation, rounded differently."),
    md("## Predict, and load each other's models\n`predict.py` reads the number of hidden units "
       "from the saved weights. Each framework's model, read by each framework:"),
    code('''for model_name in ("minitorch_lite", "PyTorch"):
    for name, module in (("minitorch_lite", "minitorch_lite.course.going_modular.predict"),
                         ("PyTorch", "reference.going_modular.predict")):
        print(f"{model_name}'s model read by {name}: ", end="")
        run(module, "--image", custom_image_path, "--model", MODELS / f"05_{model_name}_tinyvgg.safetensors")'''),
    md("The photo with minitorch_lite's prediction:"),
    code('''from minitorch_lite.course.going_modular import predict
from minitorch_lite.vision import io
import matplotlib.pyplot as plt

label, probs = predict.predict_on_image(custom_image_path, MODELS / "05_minitorch_lite_tinyvgg.safetensors")
plt.imshow(io.read_image(str(custom_image_path)).permute(1, 2, 0))
plt.title(f"Pred: {label} | Prob: {max(probs):.3f}")
plt.axis(False);'''),
    md("A file that is not a TinyVGG, or a folder that is not there, gets a plain error message:"),
    code('''run("minitorch_lite.course.going_modular.predict", "--image", custom_image_path, "--model", MODELS / "none.pth")
run("minitorch_lite.course.going_modular.train", "--train-dir", "no/such/folder", "--epochs", 1);'''),
    md("""
## How it works inside: the two packages differ only in the library

Each file of `minitorch_lite/course/going_modular/` is its twin in `reference/going_modular/` with
the library renamed: `import torch` becomes `import minitorch_lite as mt`, `torch.` becomes
`mt.`, torchvision's modules become `minitorch_lite.vision`'s. `diff` shows exactly that
(`tests/test_twins.py` checks it for every file):"""),
    code('''import difflib
for name in ("engine.py", "predict.py"):
    ours = (REPO / "minitorch_lite/course/going_modular" / name).read_text().splitlines()
    theirs = (REPO / "reference/going_modular" / name).read_text().splitlines()
    print("".join(line + "\\n" for line in difflib.unified_diff(theirs, ours, f"reference/{name}",
                                                                  f"minitorch_lite/course/{name}", n=0, lineterm="")))'''),
    md("""
The course's own scripts (with `import torch` and sibling imports such as `import data_setup`)
also run unchanged: `python -m minitorch_lite.as_torch going_modular/train.py` serves `torch` and
`torchvision` from minitorch_lite (`tests/test_as_torch_ch04_05.py` runs them both ways and compares
what they print)."""),
]

NOTEBOOKS = {
    "00": ("00_pytorch_fundamentals.ipynb", NOTEBOOK_00),
    "01": ("01_workflow.ipynb", NOTEBOOK_01),
    "02": ("02_classification.ipynb", NOTEBOOK_02),
    "03": ("03_computer_vision.ipynb", NOTEBOOK_03),
    "04": ("04_custom_datasets.ipynb", NOTEBOOK_04),
    "05": ("05_going_modular.ipynb", NOTEBOOK_05),
}


def build(cells):
    notebook = new_notebook(cells=cells)
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                       "language": "python"}
    notebook.metadata["language_info"] = {"name": "python"}
    return notebook


def execute(notebook, timeout=3600):
    """Run every cell in tutorials/ (cells tagged raises-exception may fail, as in the course)."""
    from nbclient import NotebookClient
    NotebookClient(notebook, timeout=timeout, kernel_name="python3",
                   resources={"metadata": {"path": str(HERE)}}).execute()
    return notebook


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--execute", action="store_true", help="run them and keep the outputs")
    parser.add_argument("--only", nargs="*", choices=sorted(NOTEBOOKS), help="e.g. --only 00 03")
    args = parser.parse_args(argv)
    for key in args.only or sorted(NOTEBOOKS):
        filename, cells = NOTEBOOKS[key]
        notebook = build(cells)
        if args.execute:
            start = time.perf_counter()
            execute(notebook)
            print(f"{filename}: executed in {time.perf_counter() - start:.0f} s "
                  f"(quick mode: {os.environ.get('MINITORCH_TUTORIAL_QUICK') == '1'})")
        nbformat.write(notebook, HERE / filename)


if __name__ == "__main__":
    main()
