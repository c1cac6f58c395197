"""Chapter 04, custom datasets: pizza, steak and sushi photos in folders, TinyVGG, augmentation.

    >>> from minitorch_lite.course.ch04_custom_datasets import ensure_data, train_model
    >>> image_path, standin = ensure_data("data")                              # doctest: +SKIP
    >>> record = train_model("model_0", image_path, epochs=5)                  # doctest: +SKIP
    >>> record["test_acc"]                                                     # doctest: +SKIP

The course's steps, each a function here:
  1. get the data: `download_data` (the course's zip) or, offline, `ensure_data` writes the
     synthetic STAND-IN (drawn food, NOT the real photos) in the same ImageFolder layout;
     `walk_through_dir` counts the files, `random_image` picks one and `plot_image_and_array`
     shows it next to its numbers
  2. transforms: Resize((64, 64)), RandomHorizontalFlip, TrivialAugmentWide, ToTensor
     (`make_transforms`), seen on a few images with `plot_transformed_images`
  3. datasets: torchvision's `ImageFolder` (`load_image_folders`) and the course's own
     `ImageFolderCustom(Dataset)` with `find_classes`; `display_random_images`
  4. DataLoaders (`make_dataloaders`, `num_workers` = the CPU count, as the course)
  5. TinyVGG model_0 (no augmentation) and model_1 (TrivialAugmentWide), Adam at lr 0.001 for 5
     epochs (`train_model`; the training loop is going_modular/engine.py's, a tqdm bar over the
     epochs), `plot_loss_curves`, both results in a pandas DataFrame (`compare_results`)
  6. a prediction on a custom photo (`pred_and_plot_image`: uint8 -> float -> resize -> batch ->
     softmax), with the course's deliberate dtype and shape errors (`custom_image_errors`)

The same code runs on PyTorch (`reference/ch04_custom_datasets.py`) and on minitorch_lite
(`minitorch_lite/course/ch04_custom_datasets.py`): the two files differ only where the library is
named, and a task returns a plain record (numbers, strings, lists, NumPy arrays) so the two can
be compared key by key.

Run it: `python -m minitorch_lite.course.ch04_custom_datasets [--data-path data] [--epochs 5]`.
"""
import argparse
import os
import random
from pathlib import Path
from timeit import default_timer as timer
from typing import Dict, List, Tuple

from matplotlib.figure import Figure  # figures without pyplot: no window, no global state
import numpy as np
import pandas as pd
from PIL import Image
import minitorch_lite as mt
from minitorch_lite import nn
from minitorch_lite.utils.data import DataLoader, Dataset

from minitorch_lite.vision.food_standin import (is_food_standin, write_custom_image_standin,
                                                write_pizza_steak_sushi_standin)
from minitorch_lite.vision import datasets, io, transforms
# chapter 05 moves the training loop, the data getter and the model into going_modular/
from minitorch_lite.course.going_modular.engine import test_step, train, train_step  # noqa: F401
from minitorch_lite.course.going_modular.get_data import DATA_URL, download_data  # noqa: F401
from minitorch_lite.course.going_modular.model_builder import TinyVGG

BATCH_SIZE = 32
NUM_WORKERS = os.cpu_count()
IMAGE_SIZE = (64, 64)
CUSTOM_IMAGE = "04-pizza-dad.jpeg"


# ---- 1. data ----

def ensure_data(data_path="data", per_class=None, size_range=(384, 512)):
    """(data_path/pizza_steak_sushi, whether it is the stand-in): when the folder is missing,
    the offline synthetic STAND-IN is written there (per_class: (n_train, n_test) images per
    class for a smaller one; size_range: the smallest and largest image side)."""
    image_path = Path(data_path) / "pizza_steak_sushi"
    if not image_path.is_dir():
        print(f"{image_path} not found: writing the offline synthetic STAND-IN (drawn food, NOT "
              "the real photos)")
        write_pizza_steak_sushi_standin(data_path, per_class=per_class, size_range=size_range)
    return image_path, is_food_standin(image_path)


def ensure_custom_image(data_path="data", size=(3024, 4032)):
    """data_path/04-pizza-dad.jpeg; a drawn stand-in pizza photo is written when it is missing."""
    custom_image_path = Path(data_path) / CUSTOM_IMAGE
    if not custom_image_path.is_file():
        print(f"{custom_image_path} not found: writing a synthetic STAND-IN photo of a pizza")
        write_custom_image_standin(custom_image_path, size=size)
    return custom_image_path


def walk_through_dir(dir_path):
    """Walks through dir_path, printing (and returning) what each folder holds."""
    lines = []
    for dirpath, dirnames, filenames in os.walk(dir_path):
        lines.append(f"There are {len(dirnames)} directories and {len(filenames)} images in "
                     f"'{dirpath}'.")
        print(lines[-1])
    return lines


def random_image(image_path, seed=42):
    """(path, class name, PIL image) of an image picked with random.seed(seed), as the course."""
    random.seed(seed)
    image_path_list = list(Path(image_path).glob("*/*/*.jpg"))
    random_image_path = random.choice(image_path_list)
    image_class = random_image_path.parent.stem
    img = Image.open(random_image_path)
    print(f"Random image path: {random_image_path}")
    print(f"Image class: {image_class}")
    print(f"Image height: {img.height}")
    print(f"Image width: {img.width}")
    return random_image_path, image_class, img


def plot_image_and_array(img, image_class):
    """The image, titled with its class and shape [height, width, colour channels]."""
    img_as_array = np.asarray(img)
    figure = Figure(figsize=(10, 7))
    axes = figure.subplots()
    axes.imshow(img_as_array)
    axes.set_title(f"Image class: {image_class} | Image shape: {img_as_array.shape} -> "
                   "[height, width, color_channels]")
    axes.axis(False)
    return figure


# ---- 2. transforms ----

def make_transforms(image_size=IMAGE_SIZE):
    """The course's transforms by name: "data" (resize, flip), "simple" and "test" (resize),
    "trivial" (resize, TrivialAugmentWide with 31 magnitude bins); all end in ToTensor."""
    return {
        "data": transforms.Compose([
            transforms.Resize(size=image_size),
            transforms.RandomHorizontalFlip(p=0.5),
            transforms.ToTensor(),
        ]),
        "simple": transforms.Compose([transforms.Resize(image_size), transforms.ToTensor()]),
        "trivial": transforms.Compose([
            transforms.Resize(image_size),
            transforms.TrivialAugmentWide(num_magnitude_bins=31),
            transforms.ToTensor(),
        ]),
        "test": transforms.Compose([transforms.Resize(image_size), transforms.ToTensor()]),
    }


def plot_transformed_images(image_paths, transform, n=3, seed=42):
    """n random images (random.seed(seed)), each beside its transformed version."""
    random.seed(seed)
    random_image_paths = random.sample(list(image_paths), k=n)
    figure = Figure(figsize=(8, 4 * n))
    for row, image_path in enumerate(random_image_paths):
        with Image.open(image_path) as f:
            original = figure.add_subplot(n, 2, 2 * row + 1)
            transformed = figure.add_subplot(n, 2, 2 * row + 2)
            original.imshow(f)
            original.set_title(f"Original ({image_path.parent.stem}) \nSize: {f.size}")
            original.axis("off")
            transformed_image = transform(f).permute(1, 2, 0)
            transformed.imshow(transformed_image)
            transformed.set_title(f"Transformed \nSize: {tuple(transformed_image.shape)}")
            transformed.axis("off")
    return figure


# ---- 3. datasets: ImageFolder and the course's ImageFolderCustom ----

def load_image_folders(train_dir, test_dir, transform, test_transform):
    """(train_data, test_data): ImageFolder datasets of the two folders."""
    train_data = datasets.ImageFolder(root=train_dir, transform=transform, target_transform=None)
    test_data = datasets.ImageFolder(root=test_dir, transform=test_transform)
    return train_data, test_data


def find_classes(directory: str) -> Tuple[List[str], Dict[str, int]]:
    """Finds the class folder names in a target directory (sorted) and numbers them."""
    classes = sorted(entry.name for entry in os.scandir(directory) if entry.is_dir())
    if not classes:
        raise FileNotFoundError(f"Couldn't find any classes in {directory}.")
    class_to_idx = {cls_name: i for i, cls_name in enumerate(classes)}
    return classes, class_to_idx


class ImageFolderCustom(Dataset):
    """The course's replica of ImageFolder: targ_dir/<class>/<image>.jpg -> (image, class index)."""

    def __init__(self, targ_dir: str, transform=None) -> None:
        self.paths = list(Path(targ_dir).glob("*/*.jpg"))
        self.transform = transform
        self.classes, self.class_to_idx = find_classes(targ_dir)

    def load_image(self, index: int) -> Image.Image:
        "Opens an image via a path and returns it."
        image_path = self.paths[index]
        return Image.open(image_path)

    def __len__(self) -> int:
        "Returns the total number of samples."
        return len(self.paths)

    def __getitem__(self, index: int) -> Tuple[mt.Tensor, int]:
        "Returns one sample of data, data and label (X, y)."
        img = self.load_image(index)
        class_name = self.paths[index].parent.name
        class_idx = self.class_to_idx[class_name]
        if self.transform:
            return self.transform(img), class_idx
        return img, class_idx


def display_random_images(dataset: Dataset, classes: List[str] = None, n: int = 10,
                          display_shape: bool = True, seed: int = None):
    """n random samples of dataset (at most 10), titled with class and shape."""
    if n > 10:
        n = 10
        display_shape = False
        print("For display purposes, n shouldn't be larger than 10, setting to 10 and removing "
              "shape display.")
    if seed:
        random.seed(seed)
    random_samples_idx = random.sample(range(len(dataset)), k=n)
    figure = Figure(figsize=(16, 8))
    for i, targ_sample in enumerate(random_samples_idx):
        targ_image, targ_label = dataset[targ_sample][0], dataset[targ_sample][1]
        targ_image_adjust = targ_image.permute(1, 2, 0)
        axes = figure.add_subplot(1, n, i + 1)
        axes.imshow(targ_image_adjust)
        axes.axis("off")
        title = f"class: {classes[targ_label]}" if classes else ""
        if display_shape:
            title = title + f"\nshape: {tuple(targ_image_adjust.shape)}"
        axes.set_title(title)
    return figure


# ---- 4. DataLoaders ----

def make_dataloaders(train_data, test_data, batch_size=BATCH_SIZE, num_workers=NUM_WORKERS):
    """(train_dataloader, test_dataloader): training batches shuffled, test batches in order."""
    train_dataloader = DataLoader(dataset=train_data, batch_size=batch_size,
                                  num_workers=num_workers, shuffle=True)
    test_dataloader = DataLoader(dataset=test_data, batch_size=batch_size,
                                 num_workers=num_workers, shuffle=False)
    return train_dataloader, test_dataloader


# ---- 5. TinyVGG with and without augmentation ----

def make_model(seed=42, hidden_units=10, num_classes=3, device="cpu"):
    """Chapter 04's TinyVGG (padding 1: Linear(10*16*16, 3)), seeded as the course seeds it."""
    mt.manual_seed(seed)
    mt.cuda.manual_seed(seed)
    return TinyVGG(input_shape=3, hidden_units=hidden_units, output_shape=num_classes,
                   padding=1).to(device)


def _value(tensor):
    return tensor.detach().cpu().numpy().copy()


def predict_dataloader(model, dataloader, device="cpu"):
    """(probabilities [N, classes], predicted labels [N]) over dataloader, in order."""
    model.eval()
    probs = []
    with mt.inference_mode():
        for X, _ in dataloader:
            probs.append(mt.softmax(model(X.to(device)), dim=1).cpu())
    probs = mt.cat(probs)
    return probs, probs.argmax(dim=1)


def train_model(name, image_path, epochs=5, seed=42, device="cpu", batch_size=BATCH_SIZE,
                num_workers=NUM_WORKERS, hidden_units=10, lr=0.001, progress=True):
    """Train "model_0" (simple transform) or "model_1" (TrivialAugmentWide) the course's way.

    Returns (record, trained model). The record: the data used, the initial and final
    parameters, the per-epoch results of engine.train, the test predictions and probabilities,
    and the training time in seconds (`train_time_s`, the only entry that is not deterministic).
    """
    image_path = Path(image_path)
    train_transform = make_transforms()["simple" if name == "model_0" else "trivial"]
    train_data, test_data = load_image_folders(image_path / "train", image_path / "test",
                                               train_transform, make_transforms()["test"])
    train_dataloader, test_dataloader = make_dataloaders(train_data, test_data, batch_size,
                                                         num_workers)
    model = make_model(seed, hidden_units, len(train_data.classes), device)
    record = {"name": name, "standin": is_food_standin(image_path),
              "n_train": len(train_data), "n_test": len(test_data), "classes": train_data.classes}
    record.update({f"initial.{k}": _value(v) for k, v in model.state_dict().items()})
    loss_fn = nn.CrossEntropyLoss()
    optimizer = mt.optim.Adam(params=model.parameters(), lr=lr)
    start_time = timer()
    results = train(model=model, train_dataloader=train_dataloader,
                    test_dataloader=test_dataloader, optimizer=optimizer, loss_fn=loss_fn,
                    epochs=epochs, device=device, progress=progress)
    record["train_time_s"] = timer() - start_time
    print(f"Total training time: {record['train_time_s']:.3f} seconds")
    record.update(results)
    record.update({f"final.{k}": _value(v) for k, v in model.state_dict().items()})
    probs, labels = predict_dataloader(model, test_dataloader, device)
    record["test_probs"], record["test_predictions"] = _value(probs), _value(labels)
    return record, model


def plot_loss_curves(results: Dict[str, List[float]]):
    """Training and test loss (left) and accuracy (right) per epoch."""
    epochs = range(len(results["train_loss"]))
    figure = Figure(figsize=(15, 7))
    loss_axes, acc_axes = figure.subplots(1, 2)
    loss_axes.plot(epochs, results["train_loss"], label="train_loss")
    loss_axes.plot(epochs, results["test_loss"], label="test_loss")
    loss_axes.set_title("Loss")
    loss_axes.set_xlabel("Epochs")
    loss_axes.legend()
    acc_axes.plot(epochs, results["train_acc"], label="train_accuracy")
    acc_axes.plot(epochs, results["test_acc"], label="test_accuracy")
    acc_axes.set_title("Accuracy")
    acc_axes.set_xlabel("Epochs")
    acc_axes.legend()
    return figure


def compare_results(model_0_results, model_1_results):
    """(model_0_df, model_1_df, figure): the two result dicts as pandas DataFrames, and the four
    curves of both models side by side."""
    model_0_df, model_1_df = pd.DataFrame(model_0_results), pd.DataFrame(model_1_results)
    figure = Figure(figsize=(15, 10))
    epochs = range(len(model_0_df))
    for i, column in enumerate(["train_loss", "test_loss", "train_acc", "test_acc"]):
        axes = figure.add_subplot(2, 2, i + 1)
        axes.plot(epochs, model_0_df[column], label="Model 0")
        axes.plot(epochs, model_1_df[column], label="Model 1")
        axes.set_title(column.replace("_", " ").title())
        axes.set_xlabel("Epochs")
        axes.legend()
    return model_0_df, model_1_df, figure


# ---- 6. a custom image ----

def load_custom_image(custom_image_path):
    """The photo as the course reads it: uint8 [3, H, W], then float in [0, 1]."""
    custom_image_uint8 = io.read_image(str(custom_image_path))
    custom_image = io.read_image(str(custom_image_path)).type(mt.float32) / 255.
    return custom_image_uint8, custom_image


def custom_image_errors(model, custom_image_path, device="cpu"):
    """The course's deliberate mistakes, as "ErrorType: message": a uint8 image into a float
    model, and a resized image without its batch dimension."""
    custom_image_uint8, custom_image = load_custom_image(custom_image_path)
    custom_image_transformed = transforms.Compose([transforms.Resize((64, 64))])(custom_image)
    errors = {}
    model.eval()
    with mt.inference_mode():
        for key, image in (("uint8", custom_image_uint8), ("unbatched", custom_image_transformed)):
            try:
                model(image.to(device))
                errors[key] = "no error"
            except RuntimeError as error:
                errors[key] = f"{type(error).__name__}: {error}"
    return errors


def pred_and_plot_image(model: mt.nn.Module, image_path: str, class_names: List[str] = None,
                        transform=None, device="cpu"):
    """Makes a prediction on a target image and plots the image with its prediction.

    Returns (figure, record with the image's shape, the probabilities and the predicted label).
    """
    target_image = io.read_image(str(image_path)).type(mt.float32)
    target_image = target_image / 255.
    if transform:
        target_image = transform(target_image)
    model.to(device)
    model.eval()
    with mt.inference_mode():
        target_image = target_image.unsqueeze(dim=0)
        target_image_pred = model(target_image.to(device))
    target_image_pred_probs = mt.softmax(target_image_pred, dim=1)
    target_image_pred_label = mt.argmax(target_image_pred_probs, dim=1)
    figure = Figure(figsize=(6, 6))
    axes = figure.subplots()
    axes.imshow(target_image.squeeze().permute(1, 2, 0))
    if class_names:
        title = (f"Pred: {class_names[target_image_pred_label.cpu()]} | "
                 f"Prob: {target_image_pred_probs.max().cpu():.3f}")
    else:
        title = f"Pred: {target_image_pred_label} | Prob: {target_image_pred_probs.max().cpu():.3f}"
    axes.set_title(title)
    axes.axis(False)
    return figure, {"image_shape": list(target_image.shape), "title": title,
                    "probs": _value(target_image_pred_probs),
                    "label": int(target_image_pred_label.item())}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-path", default="data")
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--num-workers", type=int, default=NUM_WORKERS)
    parser.add_argument("--output-dir", default=".")
    args = parser.parse_args(argv)
    print(f"{mt.__name__} {mt.__version__}, {mt.get_num_threads()} threads, "
          f"{os.cpu_count()} CPUs")
    image_path, standin = ensure_data(args.data_path)
    walk_through_dir(image_path)
    records, models = {}, {}
    for name in ("model_0", "model_1"):
        records[name], models[name] = train_model(name, image_path, args.epochs,
                                                  num_workers=args.num_workers)
    data_note = "synthetic STAND-IN data" if standin else "the real pizza_steak_sushi photos"
    for name, record in records.items():
        print(f"{name} on {data_note} ({record['n_train']}/{record['n_test']}): test loss "
              f"{record['test_loss'][-1]:.4f}, test accuracy {record['test_acc'][-1]:.4f}, "
              f"trained in {record['train_time_s']:.1f} s")
    model_0_df, _, figure = compare_results(
        *({k: records[name][k] for k in ("train_loss", "train_acc", "test_loss", "test_acc")}
          for name in ("model_0", "model_1")))
    figure.savefig(Path(args.output_dir) / "04_model_0_vs_model_1.png")
    print(model_0_df)
    custom_image_path = ensure_custom_image(args.data_path)
    _, prediction = pred_and_plot_image(models["model_1"], custom_image_path,
                                        records["model_1"]["classes"],
                                        transforms.Resize(IMAGE_SIZE))
    print(prediction["title"])


if __name__ == "__main__":
    main()
