"""Drop-in mode: course-style scripts written for PyTorch run unchanged on minitorch_lite.

Each script below is plain torch code in the course's style (`import torch; from torch import nn`).
It runs twice in fresh interpreters: with the real torch (`python script.py`) and through the alias
(`python -m minitorch_lite.as_torch script.py`); the two outputs must read the same: the same
lines, reprs and error messages, numbers equal to float32 rounding. The scripts that need
torchvision / torchmetrics / torchinfo (not installed with the real torch here) run through the
alias only and are checked against torch computations made in the test.
"""
import inspect
import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest
import torch

import minitorch_lite as mt
from minitorch_lite import as_torch
from minitorch_lite.vision import datasets
import reference.ch01_workflow
import reference.ch02_classification

REPO = Path(__file__).resolve().parents[1]
NUMBER = re.compile(r"-?\d+\.\d+(?:e[-+]?\d+)?")

TENSOR_TOUR = """
import numpy as np
import torch
import warnings

scalar = torch.tensor(7)
print(scalar, scalar.ndim, scalar.item())
vector = torch.tensor([7, 7])
print(vector, vector.shape, vector.ndim)
TENSOR = torch.tensor([[[1, 2, 3], [3, 6, 9], [2, 4, 5]]])
print(TENSOR.shape, TENSOR[0])
torch.manual_seed(42)
random_tensor = torch.rand(size=(3, 4))
print(random_tensor, random_tensor.dtype)
print(torch.zeros(size=(3, 4)), torch.ones(size=(3, 4)).dtype, torch.zeros_like(input=vector))
print(torch.arange(start=0, end=1000, step=77))
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    print(torch.range(0, 10))
print([(w.category.__name__, str(w.message)) for w in caught])
float_16_tensor = torch.tensor([3.0, 6.0, 9.0], dtype=torch.float16)
print(float_16_tensor, float_16_tensor * torch.tensor([3.0, 6.0, 9.0]))
print(torch.tensor([3, 6, 9], dtype=torch.int8), torch.tensor([1, 2, 3]).type(torch.float32) / 2)
tensor_A = torch.tensor([[1, 2], [3, 4], [5, 6]], dtype=torch.float32)
try:
    torch.matmul(tensor_A, tensor_A)
except RuntimeError as error:
    print(f"RuntimeError: {error}")
print(tensor_A @ tensor_A.T, tensor_A.T.shape, torch.mm(tensor_A, tensor_A.T))
torch.manual_seed(42)
linear = torch.nn.Linear(in_features=2, out_features=6)
output = linear(tensor_A)
print(output, output.shape)
x = torch.arange(0, 100, 10)
print(x.min(), x.max(), torch.mean(x.type(torch.float32)), x.sum(), x.argmax(), x.argmin())
try:
    x.mean()
except RuntimeError as error:
    print(f"RuntimeError: {error}")
x = torch.arange(1., 8.)
z = x.view(1, 7)
z[:, 0] = 5
print(z, x)
print(torch.stack([x, x], dim=1), x.reshape(1, 7).squeeze().unsqueeze(dim=0).shape)
x_original = torch.rand(size=(224, 224, 3))
print(x_original.permute(2, 0, 1).shape)
x = torch.arange(1, 10).reshape(1, 3, 3)
print(x[0], x[0][0], x[0][0][0], x[:, 0], x[:, :, 1], x[:, 1, 1], x[0, 0, :])
array = np.arange(1.0, 8.0)
tensor = torch.from_numpy(array)
print(tensor, tensor.dtype, torch.ones(7).numpy())
loss = torch.tensor(0.123456789)
print(f"{loss}", f"{loss:.5f}", f"{x.min()}")
values = torch.tensor([1, 2, 3])
value = 0
for i in range(len(values)):
    value += values[i] * values[i]
print(value, torch.matmul(values, values))
print(torch.tensor([1.0], requires_grad=True) * 2)
try:
    torch.tensor([1.0], requires_grad=True).numpy()
except RuntimeError as error:
    print(f"RuntimeError: {error}")
print(torch.device("cpu"), repr(torch.device("cpu")), torch.tensor([1]).device)
print(torch.cuda.is_available(), torch.backends.mps.is_available(), torch.cuda.device_count())
torch.manual_seed(seed=42)
random_tensor_C = torch.rand(3, 4)
torch.random.manual_seed(seed=42)
random_tensor_D = torch.rand(3, 4)
print(random_tensor_C == random_tensor_D)
"""

WORKFLOW = """
import sys
from pathlib import Path

import torch
from torch import nn

weight, bias = 0.7, 0.3
X = torch.arange(0, 1, 0.02).unsqueeze(dim=1)
y = weight * X + bias
train_split = int(0.8 * len(X))
X_train, y_train, X_test, y_test = X[:train_split], y[:train_split], X[train_split:], y[train_split:]
print(len(X_train), len(y_train), len(X_test), len(y_test))


class LinearRegressionModel(nn.Module):
    def __init__(self):
        super().__init__()
        self.weights = nn.Parameter(torch.randn(1, dtype=torch.float), requires_grad=True)
        self.bias = nn.Parameter(torch.randn(1, dtype=torch.float), requires_grad=True)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.weights * x + self.bias


torch.manual_seed(42)
model_0 = LinearRegressionModel()
print(list(model_0.parameters()))
print(model_0.state_dict())
with torch.inference_mode():
    y_preds = model_0(X_test)
print(y_preds)
loss_fn = nn.L1Loss()
optimizer = torch.optim.SGD(params=model_0.parameters(), lr=0.01)
torch.manual_seed(42)
for epoch in range(100):
    model_0.train()
    y_pred = model_0(X_train)
    loss = loss_fn(y_pred, y_train)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    model_0.eval()
    with torch.inference_mode():
        test_pred = model_0(X_test)
        test_loss = loss_fn(test_pred, y_test.type(torch.float))
        if epoch % 10 == 0:
            print(f"Epoch: {epoch} | MAE Train Loss: {loss} | MAE Test Loss: {test_loss} ")
print(model_0.state_dict())
MODEL_SAVE_PATH = Path(sys.argv[1]) / "01_pytorch_workflow_model_0.pth"
torch.save(obj=model_0.state_dict(), f=MODEL_SAVE_PATH)
loaded_model_0 = LinearRegressionModel()
print(loaded_model_0.load_state_dict(torch.load(f=MODEL_SAVE_PATH)))
loaded_model_0.eval()
with torch.inference_mode():
    loaded_model_preds = loaded_model_0(X_test)
    y_preds = model_0(X_test)
print(y_preds == loaded_model_preds)


""" + inspect.getsource(reference.ch01_workflow.LinearRegressionModelV2) + """

torch.manual_seed(42)
model_1 = LinearRegressionModelV2()
print(model_1, model_1.state_dict())
print(next(model_1.parameters()).device)
model_1.to("cpu")
print(model_1(X_test)[:2])
"""

CLASSIFICATION = """
import numpy as np
import torch
from sklearn.datasets import make_circles
from sklearn.model_selection import train_test_split
from torch import nn

X, y = make_circles(1000, noise=0.03, random_state=42)
X = torch.from_numpy(X).type(torch.float)
y = torch.from_numpy(y).type(torch.float)
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.2, random_state=42)
print(X_train[:3], y_train[:3], X_train.shape, y_test.dtype)


""" + inspect.getsource(reference.ch02_classification.CircleModelV2) + """

def accuracy_fn(y_true, y_pred):
    correct = torch.eq(y_true, y_pred).sum().item()
    return (correct / len(y_pred)) * 100


torch.manual_seed(42)
model_3 = CircleModelV2()
print(model_3)
loss_fn = nn.BCEWithLogitsLoss()
optimizer = torch.optim.SGD(model_3.parameters(), lr=0.1)
torch.manual_seed(42)
for epoch in range(300):
    y_logits = model_3(X_train).squeeze()
    y_pred = torch.round(torch.sigmoid(y_logits))
    loss = loss_fn(y_logits, y_train)
    acc = accuracy_fn(y_true=y_train, y_pred=y_pred)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    model_3.eval()
    with torch.inference_mode():
        test_logits = model_3(X_test).squeeze()
        test_pred = torch.round(torch.sigmoid(test_logits))
        test_loss = loss_fn(test_logits, y_test)
        test_acc = accuracy_fn(y_true=y_test, y_pred=test_pred)
    if epoch % 50 == 0:
        print(f"Epoch: {epoch} | Loss: {loss:.5f}, Accuracy: {acc:.2f}% | Test Loss: {test_loss:.5f}, Test Accuracy: {test_acc:.2f}%")
print(y_logits[:3], torch.sigmoid(y_logits[:3]))
x_min, x_max = X[:, 0].min() - 0.1, X[:, 0].max() + 0.1
xx, yy = np.meshgrid(np.linspace(x_min, x_max, 11), np.linspace(x_min, x_max, 11))
grid = torch.from_numpy(np.column_stack((xx.ravel(), yy.ravel()))).float()
with torch.inference_mode():
    grid_pred = torch.round(torch.sigmoid(model_3(grid)))
print(len(torch.unique(y)) > 2, grid_pred.reshape(xx.shape).detach().numpy().sum())
A = torch.arange(-10, 10, 1, dtype=torch.float32)
print(torch.maximum(torch.tensor(0), A)[:12], 1 / (1 + torch.exp(-A[:3])))
print(torch.softmax(torch.tensor([[1.0, 2.0, 3.0]]), dim=1).argmax(dim=1))
"""

VISION_AND_SHIMS = """
import sys

import torch
import torchvision
from torch import nn
from torch.utils.data import DataLoader
from torch.utils.tensorboard import SummaryWriter
from torchinfo import summary
from torchmetrics import Accuracy, ConfusionMatrix
from torchvision import datasets
from torchvision.transforms import ToTensor

root, log_dir = sys.argv[1], sys.argv[2]
test_data = datasets.FashionMNIST(root=root, train=False, download=True, transform=ToTensor(),
                                  target_transform=None)
image, label = test_data[0]
print(image.shape, image.dtype, label, test_data.classes[label], len(test_data))
test_dataloader = DataLoader(test_data, batch_size=32, shuffle=False)
X, y = next(iter(test_dataloader))
print(len(test_dataloader), X.shape, y.dtype)
torch.manual_seed(42)
model = nn.Sequential(
    nn.Conv2d(1, 10, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
    nn.Flatten(), nn.Linear(10 * 14 * 14, 10))
stats = summary(model, input_size=[1, 1, 28, 28], verbose=0)
print("SUMMARY-TOTAL", stats.total_params)
y_preds = []
model.eval()
with torch.inference_mode():
    for X, y in test_dataloader:
        y_preds.append(torch.softmax(model(X), dim=1).argmax(dim=1))
y_pred_tensor = torch.cat(y_preds)
confmat = ConfusionMatrix(num_classes=len(test_data.classes), task="multiclass")
confmat_tensor = confmat(preds=y_pred_tensor, target=test_data.targets)
print("CONFMAT", confmat_tensor.numpy().tolist())
accuracy = Accuracy(task="multiclass", num_classes=10).to("cpu")
print("ACCURACY", accuracy(y_pred_tensor, test_data.targets).item())
writer = SummaryWriter(log_dir=log_dir)
for step in range(3):
    writer.add_scalars(main_tag="Loss", tag_scalar_dict={"train_loss": 1.0 / (step + 1)},
                       global_step=step)
writer.add_graph(model=model, input_to_model=torch.randn(32, 1, 28, 28))
writer.close()
print(torchvision.__version__.startswith("0.28"), torch.__version__)
"""


def _run(args, cwd, alias):
    env = {**os.environ, "PYTHONPATH": str(REPO), "OMP_NUM_THREADS": "1"}
    command = [sys.executable] + (["-m", "minitorch_lite.as_torch"] if alias else []) + args
    result = subprocess.run(command, capture_output=True, text=True, env=env, cwd=cwd,
                            timeout=300)
    assert result.returncode == 0, result.stderr
    return result.stdout


def _assert_same_output(expected, actual, rtol=1e-5, atol=1e-7):
    """Line by line: the same text around the numbers, the numbers equal to rtol/atol."""
    expected, actual = expected.splitlines(), actual.splitlines()
    assert len(actual) == len(expected), "\n".join(actual)
    for want, got in zip(expected, actual):
        assert NUMBER.sub("#", got) == NUMBER.sub("#", want), f"\n{want}\n{got}"
        np.testing.assert_allclose([float(x) for x in NUMBER.findall(got)],
                                   [float(x) for x in NUMBER.findall(want)], rtol=rtol,
                                   atol=atol, err_msg=f"\n{want}\n{got}")


@pytest.mark.parametrize("name, script", [("tensor_tour", TENSOR_TOUR), ("workflow", WORKFLOW),
                                          ("classification", CLASSIFICATION)],
                         ids=["tensor_tour", "workflow", "classification"])
def test_script_prints_what_torch_prints(tmp_path, name, script):
    path = tmp_path / f"{name}.py"
    path.write_text(textwrap.dedent(script))
    (tmp_path / "torch").mkdir()
    (tmp_path / "mt").mkdir()
    expected = _run([str(path), str(tmp_path / "torch")], tmp_path, alias=False)
    actual = _run([str(path), str(tmp_path / "mt")], tmp_path, alias=True)
    # Loss prints are rounded to 5 decimals: a float32 rounding difference may flip the last one.
    _assert_same_output(expected, actual, rtol=1e-5, atol=1e-5 if name == "classification" else 1e-7)


def test_vision_metrics_summary_and_tensorboard(tmp_path):
    datasets.FashionMNIST.make_standin(tmp_path / "data", n_train=64, n_test=100)
    script = tmp_path / "vision.py"
    script.write_text(textwrap.dedent(VISION_AND_SHIMS))
    output = _run([str(script), str(tmp_path / "data"), str(tmp_path / "runs")], tmp_path,
                  alias=True)
    lines = output.splitlines()
    assert lines[0].startswith("torch.Size([1, 28, 28]) torch.float32 ")
    assert lines[1] == "4 torch.Size([32, 1, 28, 28]) torch.int64"
    # The same seeded model, data and argmax in torch: same size, confusion matrix and accuracy.
    torch.manual_seed(42)
    model = torch.nn.Sequential(
        torch.nn.Conv2d(1, 10, 3, padding=1), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
        torch.nn.Flatten(), torch.nn.Linear(10 * 14 * 14, 10))
    assert f"SUMMARY-TOTAL {sum(p.numel() for p in model.parameters())}" in lines
    test_data = datasets.FashionMNIST(tmp_path / "data", train=False)
    images, targets = test_data.data.numpy(), test_data.targets.numpy()
    with torch.inference_mode():
        preds = model(torch.from_numpy(images).float().div(255).unsqueeze(1)).argmax(dim=1).numpy()
    confmat = np.zeros((10, 10), dtype=int)
    np.add.at(confmat, (targets, preds), 1)
    assert f"CONFMAT {confmat.tolist()}" in lines
    accuracy = float(next(line for line in lines if line.startswith("ACCURACY")).split()[1])
    assert accuracy == pytest.approx((preds == targets).mean(), abs=1e-6)
    # real TensorBoard event files, laid out as torch's writer lays them (test_tensorboard.py compares)
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator
    curve = EventAccumulator(str(tmp_path / "runs" / "Loss_train_loss"))
    curve.Reload()
    assert [(e.step, e.value) for e in curve.Scalars("Loss")] == [(i, pytest.approx(1.0 / (i + 1))) for i in range(3)]
    main = EventAccumulator(str(tmp_path / "runs"))
    main.Reload()
    assert any(node.name.startswith("Sequential/Conv2d[0]/") for node in main.Graph().node)
    assert lines[-1] == f"True 2.13.0+minitorch_lite.{mt.__version__}"


def test_torchinfo_table_matches_the_real_torchinfo():
    torchinfo = pytest.importorskip("torchinfo")
    from minitorch_lite._shims import torchinfo as ours
    from minitorch_lite.course import ch03_computer_vision as course
    from reference import ch03_computer_vision as reference
    settings = dict(input_size=[32, 1, 28, 28], col_names=["input_size", "output_size",
                                                           "num_params", "trainable"],
                    col_width=20, row_settings=["var_names"], verbose=0)
    torch_model, our_model = reference.make_model("v2"), course.make_model("v2")
    for model in (torch_model, our_model):
        for p in model.block_1.parameters():
            p.requires_grad = False  # the course freezes layers like this in chapter 06
    expected = str(torchinfo.summary(torch_model, **settings))
    actual = str(ours.summary(our_model, **settings))
    # torchinfo 1.8 on Python 3.11 prints its unit enum as "Units.MEGABYTES"; older releases
    # (and the course's outputs) print "(M)", as we do.
    assert actual == expected.replace("(Units.MEGABYTES)", "(M)")


def test_install_refuses_when_real_torch_is_imported():
    assert "torch" in sys.modules and not as_torch.is_installed()
    with pytest.raises(RuntimeError, match="real torch is already imported"):
        as_torch.install()


def test_module_mode_and_missing_names(tmp_path):
    (tmp_path / "course_script.py").write_text(textwrap.dedent("""
        import torch, torch.nn.functional as F, torch.optim.lr_scheduler
        from torch.utils.data.dataset import Dataset
        print(F.relu(torch.tensor([-1.0, 1.0])), issubclass(Dataset, torch.utils.data.Dataset))
        try:
            import torch.distributed
        except ModuleNotFoundError as error:
            print("ModuleNotFoundError:", error)
        try:
            torch.compile
        except AttributeError:
            print("AttributeError")
        """))
    output = _run(["-m", "course_script"], tmp_path, alias=True)
    assert output.splitlines() == ["tensor([0., 1.]) True",
                                   "ModuleNotFoundError: No module named 'torch.distributed'",
                                   "AttributeError"]


def test_install_in_a_fresh_interpreter():
    """What a notebook does: install() first, then plain `import torch` code."""
    code = textwrap.dedent("""
        from minitorch_lite import as_torch
        torch = as_torch.install()
        import minitorch_lite as mt
        import minitorch_lite.vision
        import torch as imported, torchvision, torchinfo, torchmetrics
        from torch import nn
        from torch.utils.data import DataLoader
        assert imported is torch is as_torch.install() and as_torch.is_installed()
        assert nn is mt.nn and DataLoader is mt.utils.data.DataLoader and torch.Tensor is mt.Tensor
        assert torchvision.datasets is minitorch_lite.vision.datasets
        assert torchinfo.summary.__module__ == "minitorch_lite._shims.torchinfo"
        print(torch.__version__, torchvision.__version__, torchmetrics.Accuracy.__module__)
        """)
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env,
                            timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [f"2.13.0+minitorch_lite.{mt.__version__}",
                                     f"0.28.0+minitorch_lite.{mt.__version__}",
                                     "minitorch_lite.metrics"]
