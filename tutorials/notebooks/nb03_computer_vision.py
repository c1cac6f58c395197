"""The cells of tutorials/03_computer_vision.ipynb (written into it by ../build_notebooks.py)."""
from ._cells import SETUP, code, md  # noqa: F401

CELLS = [
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
