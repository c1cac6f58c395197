"""Drop-in mode for chapters 04 and 05: the course's own code, unmodified, on minitorch_lite.

COURSE_04 is chapter 04's notebook code (its cells in order, plots included; cells that are
meant to fail are wrapped in try/except so the script goes on), and GOING_MODULAR is chapter 05's
scripts as the course writes them (sibling imports, hard-coded data paths, `python train.py`).
Each runs twice in fresh interpreters on the same small stand-in data: with the real torch and
torchvision, and through `python -m minitorch_lite.as_torch`. The outputs must read the same:
the same lines, reprs and messages, the numbers equal to what the printed digits can hold.

Only the real-torch run needs a prelude. torchvision's compiled extension does not load beside
torch's CPU build, so it imports torchvision through `reference._torchvision` and gives
`torchvision.io.read_image` Pillow's decoder. And torch 2.13 seeds its default generator from the
OS at start-up (`torch.initial_seed()` differs run to run), so the course's unseeded cells (the
first flips, the chapter 05 scripts, which never seed) print something else on every real-torch
run; the prelude seeds it with 67280421310721, the fixed seed minitorch_lite starts from (torch's
documented default of earlier releases). The course code itself is not touched.
"""
import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

from minitorch_lite.course import ch04_custom_datasets

REPO = Path(__file__).resolve().parents[1]
NUMBER = re.compile(r"-?\d+\.\d+(?:e[-+]?\d+)?")
TIMING = re.compile(r"training time|Train time", re.IGNORECASE)

REAL_TORCH_PRELUDE = """
import runpy, sys
import torch
from reference._torchvision import read_image, torchvision
torchvision.io.read_image = read_image   # the C decoder does not load beside torch's CPU build
torch.manual_seed(67280421310721)        # minitorch_lite's start seed; torch 2.13 starts at random
script, sys.argv = sys.argv[1], sys.argv[1:]
sys.path[0] = __import__("os").path.dirname(__import__("os").path.abspath(script))
runpy.run_path(script, run_name="__main__")
"""

COURSE_04 = '''
import torch
from torch import nn

device = "cuda" if torch.cuda.is_available() else "cpu"
print(device)

import requests
import zipfile
from pathlib import Path

data_path = Path("data/")
image_path = data_path / "pizza_steak_sushi"
if image_path.is_dir():
    print(f"{image_path} directory exists.")
else:
    print(f"Did not find {image_path} directory, creating one...")
    image_path.mkdir(parents=True, exist_ok=True)
    with open(data_path / "pizza_steak_sushi.zip", "wb") as f:
        request = requests.get("https://github.com/mrdbourke/pytorch-deep-learning/raw/main/data/pizza_steak_sushi.zip")
        print("Downloading pizza, steak, sushi data...")
        f.write(request.content)
    with zipfile.ZipFile(data_path / "pizza_steak_sushi.zip", "r") as zip_ref:
        print("Unzipping pizza, steak, sushi data...")
        zip_ref.extractall(image_path)

import os
def walk_through_dir(dir_path):
  for dirpath, dirnames, filenames in os.walk(dir_path):
    print(f"There are {len(dirnames)} directories and {len(filenames)} images in '{dirpath}'.")

walk_through_dir(image_path)
train_dir = image_path / "train"
test_dir = image_path / "test"

import random
from PIL import Image
random.seed(42)
image_path_list = list(image_path.glob("*/*/*.jpg"))
random_image_path = random.choice(image_path_list)
image_class = random_image_path.parent.stem
img = Image.open(random_image_path)
print(f"Random image path: {random_image_path}")
print(f"Image class: {image_class}")
print(f"Image height: {img.height}")
print(f"Image width: {img.width}")

import numpy as np
import matplotlib.pyplot as plt
img_as_array = np.asarray(img)
plt.figure(figsize=(10, 7))
plt.imshow(img_as_array)
plt.title(f"Image class: {image_class} | Image shape: {img_as_array.shape} -> [height, width, color_channels]")
plt.axis(False);

from torch.utils.data import DataLoader
from torchvision import datasets, transforms
data_transform = transforms.Compose([
    transforms.Resize(size=(64, 64)),
    transforms.RandomHorizontalFlip(p=0.5),
    transforms.ToTensor()
])

def plot_transformed_images(image_paths, transform, n=3, seed=42):
    random.seed(seed)
    random_image_paths = random.sample(image_paths, k=n)
    for image_path in random_image_paths:
        with Image.open(image_path) as f:
            fig, ax = plt.subplots(1, 2)
            ax[0].imshow(f)
            ax[0].set_title(f"Original \\nSize: {f.size}")
            ax[0].axis("off")
            transformed_image = transform(f).permute(1, 2, 0)
            ax[1].imshow(transformed_image)
            ax[1].set_title(f"Transformed \\nSize: {transformed_image.shape}")
            ax[1].axis("off")
            fig.suptitle(f"Class: {image_path.parent.stem}", fontsize=16)
            print(ax[1].get_title())

plot_transformed_images(image_path_list, transform=data_transform, n=3)

train_data = datasets.ImageFolder(root=train_dir, transform=data_transform, target_transform=None)
test_data = datasets.ImageFolder(root=test_dir, transform=data_transform)
print(f"Train data:\\n{train_data}\\nTest data:\\n{test_data}")
class_names = train_data.classes
print(class_names)
class_dict = train_data.class_to_idx
print(class_dict)
print(len(train_data), len(test_data))
img, label = train_data[0][0], train_data[0][1]
print(f"Image tensor:\\n{img}")
print(f"Image shape: {img.shape}")
print(f"Image datatype: {img.dtype}")
print(f"Image label: {label}")
print(f"Label datatype: {type(label)}")
img_permute = img.permute(1, 2, 0)
print(f"Original shape: {img.shape} -> [color_channels, height, width]")
print(f"Image permute shape: {img_permute.shape} -> [height, width, color_channels]")

train_dataloader = DataLoader(dataset=train_data, batch_size=1, num_workers=1, shuffle=True)
test_dataloader = DataLoader(dataset=test_data, batch_size=1, num_workers=1, shuffle=False)
img, label = next(iter(train_dataloader))
print(f"Image shape: {img.shape} -> [batch_size, color_channels, height, width]")
print(f"Label shape: {label.shape}")
print(img[0, :, :2, :2], label)

import os
import pathlib
import torch
from PIL import Image
from torch.utils.data import Dataset
from torchvision import transforms
from typing import Tuple, Dict, List

target_directory = train_dir
print(f"Target directory: {target_directory}")
class_names_found = sorted([entry.name for entry in list(os.scandir(image_path / "train"))])
print(f"Class names found: {class_names_found}")

def find_classes(directory: str) -> Tuple[List[str], Dict[str, int]]:
    classes = sorted(entry.name for entry in os.scandir(directory) if entry.is_dir())
    if not classes:
        raise FileNotFoundError(f"Couldn't find any classes in {directory}.")
    class_to_idx = {cls_name: i for i, cls_name in enumerate(classes)}
    return classes, class_to_idx

print(find_classes(train_dir))

class ImageFolderCustom(Dataset):
    def __init__(self, targ_dir: str, transform=None) -> None:
        self.paths = list(pathlib.Path(targ_dir).glob("*/*.jpg"))
        self.transform = transform
        self.classes, self.class_to_idx = find_classes(targ_dir)

    def load_image(self, index: int) -> Image.Image:
        image_path = self.paths[index]
        return Image.open(image_path)

    def __len__(self) -> int:
        return len(self.paths)

    def __getitem__(self, index: int) -> Tuple[torch.Tensor, int]:
        img = self.load_image(index)
        class_name  = self.paths[index].parent.name
        class_idx = self.class_to_idx[class_name]
        if self.transform:
            return self.transform(img), class_idx
        else:
            return img, class_idx

train_transforms = transforms.Compose([
    transforms.Resize((64, 64)),
    transforms.RandomHorizontalFlip(p=0.5),
    transforms.ToTensor()
])
test_transforms = transforms.Compose([
    transforms.Resize((64, 64)),
    transforms.ToTensor()
])
train_data_custom = ImageFolderCustom(targ_dir=train_dir, transform=train_transforms)
test_data_custom = ImageFolderCustom(targ_dir=test_dir, transform=test_transforms)
print(len(train_data_custom), len(test_data_custom))
print(train_data_custom.classes)
print(train_data_custom.class_to_idx)
print((len(train_data_custom) == len(train_data)) & (len(test_data_custom) == len(test_data)))
print(train_data_custom.classes == train_data.classes)
print(train_data_custom.class_to_idx == train_data.class_to_idx)

def display_random_images(dataset: torch.utils.data.dataset.Dataset,
                          classes: List[str] = None,
                          n: int = 10,
                          display_shape: bool = True,
                          seed: int = None):
    if n > 10:
        n = 10
        display_shape = False
        print(f"For display purposes, n shouldn't be larger than 10, setting to 10 and removing shape display.")
    if seed:
        random.seed(seed)
    random_samples_idx = random.sample(range(len(dataset)), k=n)
    plt.figure(figsize=(16, 8))
    for i, targ_sample in enumerate(random_samples_idx):
        targ_image, targ_label = dataset[targ_sample][0], dataset[targ_sample][1]
        targ_image_adjust = targ_image.permute(1, 2, 0)
        plt.subplot(1, n, i+1)
        plt.imshow(targ_image_adjust)
        plt.axis("off")
        if classes:
            title = f"class: {classes[targ_label]}"
            if display_shape:
                title = title + f"\\nshape: {targ_image_adjust.shape}"
        plt.title(title)
        print(title)

display_random_images(train_data, n=5, classes=class_names, seed=None)
display_random_images(train_data_custom, n=12, classes=class_names, seed=None)

train_dataloader_custom = DataLoader(dataset=train_data_custom, batch_size=1, num_workers=0, shuffle=True)
test_dataloader_custom = DataLoader(dataset=test_data_custom, batch_size=1, num_workers=0, shuffle=False)
img_custom, label_custom = next(iter(train_dataloader_custom))
print(f"Image shape: {img_custom.shape} -> [batch_size, color_channels, height, width]")
print(f"Label shape: {label_custom.shape}")

train_transforms = transforms.Compose([
    transforms.Resize((224, 224)),
    transforms.TrivialAugmentWide(num_magnitude_bins=31),
    transforms.ToTensor()
])
test_transforms = transforms.Compose([
    transforms.Resize((224, 224)),
    transforms.ToTensor()
])
image_path_list = list(image_path.glob("*/*/*.jpg"))
plot_transformed_images(image_paths=image_path_list, transform=train_transforms, n=3, seed=None)

simple_transform = transforms.Compose([
    transforms.Resize((64, 64)),
    transforms.ToTensor(),
])
train_data_simple = datasets.ImageFolder(root=train_dir, transform=simple_transform)
test_data_simple = datasets.ImageFolder(root=test_dir, transform=simple_transform)

import os
from torch.utils.data import DataLoader
BATCH_SIZE = 32
NUM_WORKERS = os.cpu_count()
print(f"Creating DataLoader's with batch size {BATCH_SIZE} and {NUM_WORKERS} workers.")
train_dataloader_simple = DataLoader(train_data_simple, batch_size=BATCH_SIZE, shuffle=True, num_workers=NUM_WORKERS)
test_dataloader_simple = DataLoader(test_data_simple, batch_size=BATCH_SIZE, shuffle=False, num_workers=NUM_WORKERS)

class TinyVGG(nn.Module):
    def __init__(self, input_shape: int, hidden_units: int, output_shape: int) -> None:
        super().__init__()
        self.conv_block_1 = nn.Sequential(
            nn.Conv2d(in_channels=input_shape, out_channels=hidden_units, kernel_size=3, stride=1, padding=1),
            nn.ReLU(),
            nn.Conv2d(in_channels=hidden_units, out_channels=hidden_units, kernel_size=3, stride=1, padding=1),
            nn.ReLU(),
            nn.MaxPool2d(kernel_size=2, stride=2)
        )
        self.conv_block_2 = nn.Sequential(
            nn.Conv2d(hidden_units, hidden_units, kernel_size=3, padding=1),
            nn.ReLU(),
            nn.Conv2d(hidden_units, hidden_units, kernel_size=3, padding=1),
            nn.ReLU(),
            nn.MaxPool2d(2)
        )
        self.classifier = nn.Sequential(
            nn.Flatten(),
            nn.Linear(in_features=hidden_units*16*16, out_features=output_shape)
        )

    def forward(self, x: torch.Tensor):
        return self.classifier(self.conv_block_2(self.conv_block_1(x)))

torch.manual_seed(42)
model_0 = TinyVGG(input_shape=3, hidden_units=10, output_shape=len(train_data.classes)).to(device)
print(model_0)

img_batch, label_batch = next(iter(train_dataloader_simple))
img_single, label_single = img_batch[0].unsqueeze(dim=0), label_batch[0]
print(f"Single image shape: {img_single.shape}\\n")
model_0.eval()
with torch.inference_mode():
    pred = model_0(img_single.to(device))
print(f"Output logits:\\n{pred}\\n")
print(f"Output prediction probabilities:\\n{torch.softmax(pred, dim=1)}\\n")
print(f"Output prediction label:\\n{torch.argmax(torch.softmax(pred, dim=1), dim=1)}\\n")
print(f"Actual label:\\n{label_single}")

def train_step(model: torch.nn.Module,
               dataloader: torch.utils.data.DataLoader,
               loss_fn: torch.nn.Module,
               optimizer: torch.optim.Optimizer):
    model.train()
    train_loss, train_acc = 0, 0
    for batch, (X, y) in enumerate(dataloader):
        X, y = X.to(device), y.to(device)
        y_pred = model(X)
        loss = loss_fn(y_pred, y)
        train_loss += loss.item()
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        y_pred_class = torch.argmax(torch.softmax(y_pred, dim=1), dim=1)
        train_acc += (y_pred_class == y).sum().item()/len(y_pred)
    train_loss = train_loss / len(dataloader)
    train_acc = train_acc / len(dataloader)
    return train_loss, train_acc

def test_step(model: torch.nn.Module,
              dataloader: torch.utils.data.DataLoader,
              loss_fn: torch.nn.Module):
    model.eval()
    test_loss, test_acc = 0, 0
    with torch.inference_mode():
        for batch, (X, y) in enumerate(dataloader):
            X, y = X.to(device), y.to(device)
            test_pred_logits = model(X)
            loss = loss_fn(test_pred_logits, y)
            test_loss += loss.item()
            test_pred_labels = test_pred_logits.argmax(dim=1)
            test_acc += ((test_pred_labels == y).sum().item()/len(test_pred_labels))
    test_loss = test_loss / len(dataloader)
    test_acc = test_acc / len(dataloader)
    return test_loss, test_acc

from tqdm.auto import tqdm

def train(model: torch.nn.Module,
          train_dataloader: torch.utils.data.DataLoader,
          test_dataloader: torch.utils.data.DataLoader,
          optimizer: torch.optim.Optimizer,
          loss_fn: torch.nn.Module = nn.CrossEntropyLoss(),
          epochs: int = 5):
    results = {"train_loss": [], "train_acc": [], "test_loss": [], "test_acc": []}
    for epoch in tqdm(range(epochs)):
        train_loss, train_acc = train_step(model=model, dataloader=train_dataloader,
                                           loss_fn=loss_fn, optimizer=optimizer)
        test_loss, test_acc = test_step(model=model, dataloader=test_dataloader, loss_fn=loss_fn)
        print(
            f"Epoch: {epoch+1} | "
            f"train_loss: {train_loss:.4f} | "
            f"train_acc: {train_acc:.4f} | "
            f"test_loss: {test_loss:.4f} | "
            f"test_acc: {test_acc:.4f}"
        )
        results["train_loss"].append(train_loss)
        results["train_acc"].append(train_acc)
        results["test_loss"].append(test_loss)
        results["test_acc"].append(test_acc)
    return results

torch.manual_seed(42)
torch.cuda.manual_seed(42)
NUM_EPOCHS = 5
model_0 = TinyVGG(input_shape=3, hidden_units=10, output_shape=len(train_data.classes)).to(device)
loss_fn = nn.CrossEntropyLoss()
optimizer = torch.optim.Adam(params=model_0.parameters(), lr=0.001)
from timeit import default_timer as timer
start_time = timer()
model_0_results = train(model=model_0, train_dataloader=train_dataloader_simple,
                        test_dataloader=test_dataloader_simple, optimizer=optimizer,
                        loss_fn=loss_fn, epochs=NUM_EPOCHS)
end_time = timer()
print(f"Total training time: {end_time-start_time:.3f} seconds")
print(model_0_results.keys())

def plot_loss_curves(results: Dict[str, List[float]]):
    loss = results['train_loss']
    test_loss = results['test_loss']
    accuracy = results['train_acc']
    test_accuracy = results['test_acc']
    epochs = range(len(results['train_loss']))
    plt.figure(figsize=(15, 7))
    plt.subplot(1, 2, 1)
    plt.plot(epochs, loss, label='train_loss')
    plt.plot(epochs, test_loss, label='test_loss')
    plt.title('Loss')
    plt.xlabel('Epochs')
    plt.legend()
    plt.subplot(1, 2, 2)
    plt.plot(epochs, accuracy, label='train_accuracy')
    plt.plot(epochs, test_accuracy, label='test_accuracy')
    plt.title('Accuracy')
    plt.xlabel('Epochs')
    plt.legend();

plot_loss_curves(model_0_results)

train_transform_trivial_augment = transforms.Compose([
    transforms.Resize((64, 64)),
    transforms.TrivialAugmentWide(num_magnitude_bins=31),
    transforms.ToTensor()
])
test_transform = transforms.Compose([
    transforms.Resize((64, 64)),
    transforms.ToTensor()
])
train_data_augmented = datasets.ImageFolder(train_dir, transform=train_transform_trivial_augment)
test_data_simple = datasets.ImageFolder(test_dir, transform=test_transform)
print(train_data_augmented, test_data_simple)

import os
BATCH_SIZE = 32
NUM_WORKERS = os.cpu_count()
torch.manual_seed(42)
train_dataloader_augmented = DataLoader(train_data_augmented, batch_size=BATCH_SIZE, shuffle=True,
                                        num_workers=NUM_WORKERS)
test_dataloader_simple = DataLoader(test_data_simple, batch_size=BATCH_SIZE, shuffle=False,
                                    num_workers=NUM_WORKERS)

torch.manual_seed(42)
model_1 = TinyVGG(input_shape=3, hidden_units=10, output_shape=len(train_data_augmented.classes)).to(device)
print(model_1)

torch.manual_seed(42)
torch.cuda.manual_seed(42)
NUM_EPOCHS = 5
loss_fn = nn.CrossEntropyLoss()
optimizer = torch.optim.Adam(params=model_1.parameters(), lr=0.001)
start_time = timer()
model_1_results = train(model=model_1, train_dataloader=train_dataloader_augmented,
                        test_dataloader=test_dataloader_simple, optimizer=optimizer,
                        loss_fn=loss_fn, epochs=NUM_EPOCHS)
end_time = timer()
print(f"Total training time: {end_time-start_time:.3f} seconds")
plot_loss_curves(model_1_results)

import pandas as pd
model_0_df = pd.DataFrame(model_0_results)
model_1_df = pd.DataFrame(model_1_results)
print(model_0_df)
print(model_1_df)

import requests
custom_image_path = data_path / "04-pizza-dad.jpeg"
if not custom_image_path.is_file():
    with open(custom_image_path, "wb") as f:
        request = requests.get("https://raw.githubusercontent.com/mrdbourke/pytorch-deep-learning/main/images/04-pizza-dad.jpeg")
        print(f"Downloading {custom_image_path}...")
        f.write(request.content)
else:
    print(f"{custom_image_path} already exists, skipping download.")

import torchvision
custom_image_uint8 = torchvision.io.read_image(str(custom_image_path))
print(f"Custom image tensor:\\n{custom_image_uint8}\\n")
print(f"Custom image shape: {custom_image_uint8.shape}\\n")
print(f"Custom image dtype: {custom_image_uint8.dtype}")

try:
    model_1.eval()
    with torch.inference_mode():
        model_1(custom_image_uint8.to(device))
except RuntimeError as error:
    print(f"RuntimeError: {error}")

custom_image = torchvision.io.read_image(str(custom_image_path)).type(torch.float32)
custom_image = custom_image / 255.
print(f"Custom image tensor:\\n{custom_image}\\n")
print(f"Custom image shape: {custom_image.shape}\\n")
print(f"Custom image dtype: {custom_image.dtype}")
plt.imshow(custom_image.permute(1, 2, 0))
plt.title(f"Image shape: {custom_image.shape}")
plt.axis(False);

custom_image_transform = transforms.Compose([
    transforms.Resize((64, 64)),
])
custom_image_transformed = custom_image_transform(custom_image)
print(f"Original shape: {custom_image.shape}")
print(f"New shape: {custom_image_transformed.shape}")
plt.imshow(custom_image_transformed.permute(1, 2, 0));

try:
    model_1.eval()
    with torch.inference_mode():
        custom_image_pred = model_1(custom_image_transformed.to(device))
except RuntimeError as error:
    print(f"RuntimeError: {error}")

model_1.eval()
with torch.inference_mode():
    custom_image_transformed_with_batch_size = custom_image_transformed.unsqueeze(dim=0)
    print(f"Custom image transformed shape: {custom_image_transformed.shape}")
    print(f"Unsqueezed custom image shape: {custom_image_transformed_with_batch_size.shape}")
    custom_image_pred = model_1(custom_image_transformed.unsqueeze(dim=0).to(device))
print(custom_image_pred)
print(f"Prediction logits: {custom_image_pred}")
custom_image_pred_probs = torch.softmax(custom_image_pred, dim=1)
print(f"Prediction probabilities: {custom_image_pred_probs}")
custom_image_pred_label = torch.argmax(custom_image_pred_probs, dim=1)
print(f"Prediction label: {custom_image_pred_label}")
custom_image_pred_class = class_names[custom_image_pred_label.cpu()]
print(custom_image_pred_class)
print(isinstance(custom_image_pred_probs, torch.Tensor))

def pred_and_plot_image(model: torch.nn.Module,
                        image_path: str,
                        class_names: List[str] = None,
                        transform=None,
                        device: torch.device = device):
    target_image = torchvision.io.read_image(str(image_path)).type(torch.float32)
    target_image = target_image / 255.
    if transform:
        target_image = transform(target_image)
    model.to(device)
    model.eval()
    with torch.inference_mode():
        target_image = target_image.unsqueeze(dim=0)
        target_image_pred = model(target_image.to(device))
    target_image_pred_probs = torch.softmax(target_image_pred, dim=1)
    target_image_pred_label = torch.argmax(target_image_pred_probs, dim=1)
    plt.imshow(target_image.squeeze().permute(1, 2, 0))
    if class_names:
        title = f"Pred: {class_names[target_image_pred_label.cpu()]} | Prob: {target_image_pred_probs.max().cpu():.3f}"
    else:
        title = f"Pred: {target_image_pred_label} | Prob: {target_image_pred_probs.max().cpu():.3f}"
    plt.title(title)
    plt.axis(False);
    print(title)

pred_and_plot_image(model=model_1, image_path=custom_image_path, class_names=class_names,
                    transform=custom_image_transform, device=device)
'''

# chapter 05's scripts, as the course writes them in going_modular/
GOING_MODULAR = {
    "data_setup.py": '''
"""
Contains functionality for creating PyTorch DataLoaders for
image classification data.
"""
import os

from torchvision import datasets, transforms
from torch.utils.data import DataLoader

NUM_WORKERS = os.cpu_count()

def create_dataloaders(
    train_dir: str,
    test_dir: str,
    transform: transforms.Compose,
    batch_size: int,
    num_workers: int=NUM_WORKERS
):
  train_data = datasets.ImageFolder(train_dir, transform=transform)
  test_data = datasets.ImageFolder(test_dir, transform=transform)
  class_names = train_data.classes
  train_dataloader = DataLoader(
      train_data,
      batch_size=batch_size,
      shuffle=True,
      num_workers=num_workers,
      pin_memory=True,
  )
  test_dataloader = DataLoader(
      test_data,
      batch_size=batch_size,
      shuffle=False,
      num_workers=num_workers,
      pin_memory=True,
  )
  return train_dataloader, test_dataloader, class_names
''',
    "engine.py": '''
"""
Contains functions for training and testing a PyTorch model.
"""
import torch

from tqdm.auto import tqdm
from typing import Dict, List, Tuple

def train_step(model: torch.nn.Module,
               dataloader: torch.utils.data.DataLoader,
               loss_fn: torch.nn.Module,
               optimizer: torch.optim.Optimizer,
               device: torch.device) -> Tuple[float, float]:
  model.train()
  train_loss, train_acc = 0, 0
  for batch, (X, y) in enumerate(dataloader):
      X, y = X.to(device), y.to(device)
      y_pred = model(X)
      loss = loss_fn(y_pred, y)
      train_loss += loss.item()
      optimizer.zero_grad()
      loss.backward()
      optimizer.step()
      y_pred_class = torch.argmax(torch.softmax(y_pred, dim=1), dim=1)
      train_acc += (y_pred_class == y).sum().item()/len(y_pred)
  train_loss = train_loss / len(dataloader)
  train_acc = train_acc / len(dataloader)
  return train_loss, train_acc

def test_step(model: torch.nn.Module,
              dataloader: torch.utils.data.DataLoader,
              loss_fn: torch.nn.Module,
              device: torch.device) -> Tuple[float, float]:
  model.eval()
  test_loss, test_acc = 0, 0
  with torch.inference_mode():
      for batch, (X, y) in enumerate(dataloader):
          X, y = X.to(device), y.to(device)
          test_pred_logits = model(X)
          loss = loss_fn(test_pred_logits, y)
          test_loss += loss.item()
          test_pred_labels = test_pred_logits.argmax(dim=1)
          test_acc += ((test_pred_labels == y).sum().item()/len(test_pred_labels))
  test_loss = test_loss / len(dataloader)
  test_acc = test_acc / len(dataloader)
  return test_loss, test_acc

def train(model: torch.nn.Module,
          train_dataloader: torch.utils.data.DataLoader,
          test_dataloader: torch.utils.data.DataLoader,
          optimizer: torch.optim.Optimizer,
          loss_fn: torch.nn.Module,
          epochs: int,
          device: torch.device) -> Dict[str, List]:
  results = {"train_loss": [],
      "train_acc": [],
      "test_loss": [],
      "test_acc": []
  }
  for epoch in tqdm(range(epochs)):
      train_loss, train_acc = train_step(model=model,
                                          dataloader=train_dataloader,
                                          loss_fn=loss_fn,
                                          optimizer=optimizer,
                                          device=device)
      test_loss, test_acc = test_step(model=model,
          dataloader=test_dataloader,
          loss_fn=loss_fn,
          device=device)
      print(
          f"Epoch: {epoch+1} | "
          f"train_loss: {train_loss:.4f} | "
          f"train_acc: {train_acc:.4f} | "
          f"test_loss: {test_loss:.4f} | "
          f"test_acc: {test_acc:.4f}"
      )
      results["train_loss"].append(train_loss)
      results["train_acc"].append(train_acc)
      results["test_loss"].append(test_loss)
      results["test_acc"].append(test_acc)
  return results
''',
    "model_builder.py": '''
"""
Contains PyTorch model code to instantiate a TinyVGG model.
"""
import torch
from torch import nn

class TinyVGG(nn.Module):
  def __init__(self, input_shape: int, hidden_units: int, output_shape: int) -> None:
      super().__init__()
      self.conv_block_1 = nn.Sequential(
          nn.Conv2d(in_channels=input_shape,
                    out_channels=hidden_units,
                    kernel_size=3,
                    stride=1,
                    padding=0),
          nn.ReLU(),
          nn.Conv2d(in_channels=hidden_units,
                    out_channels=hidden_units,
                    kernel_size=3,
                    stride=1,
                    padding=0),
          nn.ReLU(),
          nn.MaxPool2d(kernel_size=2,
                        stride=2)
      )
      self.conv_block_2 = nn.Sequential(
          nn.Conv2d(hidden_units, hidden_units, kernel_size=3, padding=0),
          nn.ReLU(),
          nn.Conv2d(hidden_units, hidden_units, kernel_size=3, padding=0),
          nn.ReLU(),
          nn.MaxPool2d(2)
      )
      self.classifier = nn.Sequential(
          nn.Flatten(),
          nn.Linear(in_features=hidden_units*13*13,
                    out_features=output_shape)
      )

  def forward(self, x: torch.Tensor):
      return self.classifier(self.conv_block_2(self.conv_block_1(x)))
''',
    "utils.py": '''
"""
Contains various utility functions for PyTorch model training and saving.
"""
import torch
from pathlib import Path

def save_model(model: torch.nn.Module,
               target_dir: str,
               model_name: str):
  target_dir_path = Path(target_dir)
  target_dir_path.mkdir(parents=True,
                        exist_ok=True)
  assert model_name.endswith(".pth") or model_name.endswith(".pt"), "model_name should end with '.pt' or '.pth'"
  model_save_path = target_dir_path / model_name
  print(f"[INFO] Saving model to: {model_save_path}")
  torch.save(obj=model.state_dict(),
             f=model_save_path)
''',
    "train.py": '''
"""
Trains a PyTorch image classification model using device-agnostic code.
"""

import os
import torch
import data_setup, engine, model_builder, utils

from torchvision import transforms

NUM_EPOCHS = 5
BATCH_SIZE = 32
HIDDEN_UNITS = 10
LEARNING_RATE = 0.001

train_dir = "data/pizza_steak_sushi/train"
test_dir = "data/pizza_steak_sushi/test"

device = "cuda" if torch.cuda.is_available() else "cpu"

data_transform = transforms.Compose([
  transforms.Resize((64, 64)),
  transforms.ToTensor()
])

train_dataloader, test_dataloader, class_names = data_setup.create_dataloaders(
    train_dir=train_dir,
    test_dir=test_dir,
    transform=data_transform,
    batch_size=BATCH_SIZE
)

model = model_builder.TinyVGG(
    input_shape=3,
    hidden_units=HIDDEN_UNITS,
    output_shape=len(class_names)
).to(device)

loss_fn = torch.nn.CrossEntropyLoss()
optimizer = torch.optim.Adam(model.parameters(),
                             lr=LEARNING_RATE)

engine.train(model=model,
             train_dataloader=train_dataloader,
             test_dataloader=test_dataloader,
             loss_fn=loss_fn,
             optimizer=optimizer,
             epochs=NUM_EPOCHS,
             device=device)

utils.save_model(model=model,
                 target_dir="models",
                 model_name="05_going_modular_script_mode_tinyvgg_model.pth")
''',
    "predict.py": '''
import torch
import torchvision
import argparse

import model_builder

parser = argparse.ArgumentParser()
parser.add_argument("--image",
                    help="target image filepath to predict on")
parser.add_argument("--model_path",
                    default="models/05_going_modular_script_mode_tinyvgg_model.pth",
                    type=str,
                    help="target model to use for prediction filepath")
args = parser.parse_args()

class_names = ["pizza", "steak", "sushi"]
device = "cuda" if torch.cuda.is_available() else "cpu"
IMG_PATH = args.image
print(f"[INFO] Predicting on {IMG_PATH}")

def load_model(filepath=args.model_path):
  model = model_builder.TinyVGG(input_shape=3,
                                hidden_units=10,
                                output_shape=3).to(device)
  print(f"[INFO] Loading in model from: {filepath}")
  model.load_state_dict(torch.load(filepath))
  return model

def predict_on_image(image_path=IMG_PATH, filepath=args.model_path):
  model = load_model(filepath)
  image = torchvision.io.read_image(str(IMG_PATH)).type(torch.float32)
  image = image / 255.
  transform = torchvision.transforms.Resize(size=(64, 64))
  image = transform(image)
  model.eval()
  with torch.inference_mode():
    image = image.to(device)
    pred_logits = model(image.unsqueeze(dim=0))
    pred_prob = torch.softmax(pred_logits, dim=1)
    pred_label = torch.argmax(pred_prob, dim=1)
    pred_label_class = class_names[pred_label]
  print(f"[INFO] Pred class: {pred_label_class}, Pred prob: {pred_prob.max():.3f}")

if __name__ == "__main__":
  predict_on_image()
''',
}


def _run(args, cwd, alias):
    env = {**os.environ, "PYTHONPATH": str(REPO), "OMP_NUM_THREADS": "1", "MPLBACKEND": "Agg"}
    if alias:
        command = [sys.executable, "-m", "minitorch_lite.as_torch", *args]
    else:
        command = [sys.executable, "-c", REAL_TORCH_PRELUDE, *args]
    result = subprocess.run(command, capture_output=True, text=True, env=env, cwd=cwd, timeout=600)
    assert result.returncode == 0, result.stderr[-3000:]
    return [line for line in result.stdout.splitlines() if not TIMING.search(line)]


ACCURACY = re.compile(r"acc: (\d+\.\d+)")
DATAFRAME_ROW = re.compile(r"^\s*\d+(\s+-?\d+\.\d+){4}$")   # train_loss train_acc test_loss test_acc


def _accuracies(line):
    """Where the accuracies are in a line: (their values, the line without them)."""
    if DATAFRAME_ROW.match(line):
        numbers = NUMBER.findall(line)
        return [numbers[1], numbers[3]], " ".join([line.split()[0], numbers[0], numbers[2]])
    return ACCURACY.findall(line), ACCURACY.sub("", line)


def _assert_same_output(expected, actual, atol, acc_atol, trained_atol):
    """Line by line: the same text around the numbers, the numbers equal to atol; accuracies
    (`acc: x`, or the DataFrame's acc columns) to acc_atol; numbers computed by a trained model
    (tensors and probabilities printed after the first epoch line) to trained_atol."""
    assert len(actual) == len(expected), "\n".join(actual)
    trained = False
    for want, got in zip(expected, actual):
        assert NUMBER.sub("#", got) == NUMBER.sub("#", want), f"\n{want}\n{got}"
        trained = trained or want.startswith("Epoch: ")
        (want_acc, want_rest), (got_acc, got_rest) = _accuracies(want), _accuracies(got)
        np.testing.assert_allclose([float(x) for x in got_acc], [float(x) for x in want_acc],
                                   rtol=0, atol=acc_atol, err_msg=f"\n{want}\n{got}")
        line_atol = trained_atol if trained and ("tensor(" in want or "Prob" in want) else atol
        np.testing.assert_allclose([float(x) for x in NUMBER.findall(got_rest)],
                                   [float(x) for x in NUMBER.findall(want_rest)], rtol=0,
                                   atol=line_atol, err_msg=f"\n{want}\n{got}")


# The models stay near chance on 24 training images, so some logits of a sample lie within
# float32 rounding of each other and its argmax may go either way: an accuracy may move by one
# sample (1/24 of a training batch, 1/12 of the test batch), never a loss.
ONE_SAMPLE = 1 / 12 + 1e-4
# Adam divides each gradient by its running RMS, so a weight whose true gradient is ~0 steps by up
# to lr in a direction float32 rounding picks: after 5 epochs the two models' weights differ by up
# to 5e-4 (in float64 they agree to 3e-16, see test_course_ch04), which moves the custom image's
# logits by up to ~1e-3. Printed losses (means over batches) stay within the last printed digit.
AFTER_TRAINING = 2e-3


@pytest.fixture(scope="module")
def course_dir(tmp_path_factory):
    """data/pizza_steak_sushi (small stand-in) and data/04-pizza-dad.jpeg, as the course has them."""
    root = tmp_path_factory.mktemp("course")
    ch04_custom_datasets.ensure_data(root / "data", per_class=(8, 4), size_range=(96, 128))
    ch04_custom_datasets.ensure_custom_image(root / "data", size=(300, 400))
    return root


def test_chapter_04_prints_what_torch_prints(course_dir):
    script = course_dir / "course_04.py"
    script.write_text(textwrap.dedent(COURSE_04))
    expected = _run([str(script)], course_dir, alias=False)
    actual = _run([str(script)], course_dir, alias=True)
    # Printed losses have 4 decimals and tensors 4 significant digits: a float32 rounding
    # difference (Adam on near-zero gradients, see test_course_ch04) may flip the last one.
    _assert_same_output(expected, actual, atol=1.5e-4, acc_atol=ONE_SAMPLE,
                        trained_atol=AFTER_TRAINING)
    assert "RuntimeError: Input type (unsigned char) and bias type (float) should be the same" in actual
    assert "RuntimeError: mat1 and mat2 shapes cannot be multiplied (10x256 and 2560x3)" in actual
    assert actual[-1].startswith("Pred: ")


def test_chapter_05_scripts_run_as_the_course_runs_them(course_dir, tmp_path):
    results = {}
    for key, alias in (("torch", False), ("mt", True)):
        work = tmp_path / key
        (work / "going_modular").mkdir(parents=True)
        (work / "data").symlink_to(course_dir / "data")
        for name, source in GOING_MODULAR.items():
            (work / "going_modular" / name).write_text(textwrap.dedent(source).lstrip())
        train_output = _run(["going_modular/train.py"], work, alias)
        predict_output = _run(["going_modular/predict.py", "--image", "data/04-pizza-dad.jpeg"],
                              work, alias)
        results[key] = train_output + predict_output
    _assert_same_output(results["torch"], results["mt"], atol=1.5e-4, acc_atol=ONE_SAMPLE,
                        trained_atol=AFTER_TRAINING)
    assert results["mt"][-3:-1] == ["[INFO] Predicting on data/04-pizza-dad.jpeg",
                                    "[INFO] Loading in model from: models/05_going_modular_script_mode_tinyvgg_model.pth"]


def test_safetensors_torch_under_the_alias(tmp_path):
    """`safetensors.torch` is served by minitorch_lite (the real one imports the real torch), and
    what it writes is what the real safetensors.torch reads."""
    script = tmp_path / "save.py"
    script.write_text(textwrap.dedent("""
        import torch
        import safetensors.torch
        from safetensors.torch import load_file
        torch.manual_seed(0)
        safetensors.torch.save_file({"w": torch.randn(2, 3), "n": torch.arange(3)}, "model.safetensors")
        print(load_file("model.safetensors")["n"])
        """))
    assert _run([str(script)], tmp_path, alias=True) == ["tensor([0, 1, 2])"]
    from safetensors.torch import load_file
    import torch
    loaded = load_file(tmp_path / "model.safetensors")
    torch.manual_seed(0)
    np.testing.assert_array_equal(loaded["w"].numpy(), torch.randn(2, 3).numpy())
    assert loaded["n"].tolist() == [0, 1, 2]
