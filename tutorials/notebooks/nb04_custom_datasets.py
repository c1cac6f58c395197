"""The cells of tutorials/04_custom_datasets.ipynb (written into it by ../build_notebooks.py)."""
from ._cells import SETUP, code, md  # noqa: F401

CELLS = [
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
