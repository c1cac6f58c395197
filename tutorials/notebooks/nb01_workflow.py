"""The cells of tutorials/01_workflow.ipynb (written into it by ../build_notebooks.py)."""
from ._cells import SETUP, code, md  # noqa: F401

CELLS = [
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
