"""The cells of tutorials/05_going_modular.ipynb (written into it by ../build_notebooks.py)."""
from ._cells import SETUP, code, md  # noqa: F401

CELLS = [
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
