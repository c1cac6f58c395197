"""An offline STAND-IN for Fashion-MNIST: synthetic garment drawings, NOT the real data set.

    >>> from minitorch_lite.vision.standin import write_fashion_mnist_standin
    >>> from minitorch_lite.vision.datasets import FashionMNIST
    >>> write_fashion_mnist_standin("data")                   # doctest: +SKIP
    >>> FashionMNIST("data", train=True).data.shape             # doctest: +SKIP
    torch.Size([60000, 28, 28])

The real Fashion-MNIST (Zalando photos of garments) must be downloaded, and this project never
touches the network. So that the course's chapter 03 runs as written, this module *draws* a data
set with the same outer form: 60,000 training and 10,000 test images, 28x28 uint8, a bright
object on a black background, the same 10 class names, balanced classes. It writes them as real
IDX files in torchvision's layout (`root/FashionMNIST/raw/*-ubyte`), so the ordinary loader
reads them, plus a `STANDIN.txt` note saying what they are.

How an image is drawn (all vectorised over a chunk of images at once):
  1. a silhouette for the class, built from signed-distance primitives (boxes, capsules,
     ellipses, trapezoids) whose proportions vary per image (sleeve length, width, heel, ...);
     classes overlap on purpose (a shirt may have short sleeves like a T-shirt, a low boot looks
     like a sneaker), as in the real data, so the task is learnable but not trivial;
  2. a random affine jitter (scale, aspect, rotation, shear, shift) applied to the pixel grid;
  3. anti-aliased edges, darker details (coat opening, collar, buttons, laces, straps),
     brightness, a texture (plain, stripes or gradient) and pixel noise.
Measured on chapter 03's seeded flow (manual_seed(42), SGD, batch 32, test accuracy after
epochs 1/2/3): FashionMNISTModelV0 (linear, lr 0.1) 82.1 / 81.2 / 82.0 %, V1 (with ReLUs, lr 0.1)
63.2 / 70.2 / 74.7 % -- about what the course reports on the real data (83 %, 75 %) -- and
V2 (TinyVGG) at lr 0.05 89.9 / 92.0 / 93.8 % (PyTorch on one thread: 89.9 / 92.4 / 94.1 %).
At the course's lr 0.1 TinyVGG is at the edge of stability here: it reaches 90 % after one epoch,
then, in its second, can *die* (every ReLU switched off, loss stuck at ln 10, accuracy 10 %).
Whether it does hinges on float32 rounding: minitorch_lite's run and PyTorch's on one thread die,
PyTorch's on two threads trains to 96 %. These are not Fashion-MNIST results and must not be
compared with published ones.

Cost: about 3.6 s for the full 70,000 images on one idle core (NumPy).

Deterministic: the same (n_train, n_test, seed) give the same bytes on the same NumPy build
(images are drawn in chunks of _CHUNK, which is part of the definition).
Randomness comes only from NumPy's PCG64 bit stream turned into uniform floats (a stream NumPy
keeps stable); transcendental functions may differ in the last bit between platforms, which can
move a rare pixel by one grey level.
"""
import os

import numpy as np

from .datasets.idx import write_idx

__all__ = ["FASHION_MNIST_CLASSES", "make_fashion_mnist_standin", "write_fashion_mnist_standin",
           "is_standin"]

FASHION_MNIST_CLASSES = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt",
                         "Sneaker", "Bag", "Ankle boot"]
STANDIN_NOTE = "STANDIN.txt"
_SIZE = 28
_CHUNK = 1024          # images per vectorised pass: small enough for its arrays to stay in cache
_N_KNOBS = 6           # per-image shape parameters, each uniform in [0, 1)


# ---- signed-distance primitives: negative inside, positive outside, in units of half an image ----

def _box(x, y, cx, cy, hw, hh):
    return np.maximum(np.abs(x - cx) - hw, np.abs(y - cy) - hh)


def _capsule(x, y, x0, y0, x1, y1, r):
    """A segment from (x0, y0) to (x1, y1) thickened to radius r (sleeves, legs, straps)."""
    bx, by = x1 - x0, y1 - y0
    px, py = x - x0, y - y0
    h = np.clip((px * bx + py * by) / (bx * bx + by * by), 0.0, 1.0)
    return np.hypot(px - bx * h, py - by * h) - r


def _ellipse(x, y, cx, cy, rx, ry):
    return (np.hypot((x - cx) / rx, (y - cy) / ry) - 1.0) * np.minimum(rx, ry)


def _trapezoid(x, y, cx, y0, y1, hw0, hw1):
    """Symmetric about x=cx, from y0 (half-width hw0) down to y1 (half-width hw1)."""
    t = np.clip((y - y0) / (y1 - y0), 0.0, 1.0)
    return np.maximum(np.abs(x - cx) - (hw0 + (hw1 - hw0) * t), np.maximum(y0 - y, y - y1))


def _union(*sds):
    return np.minimum.reduce(sds)


def _cut(sd, hole):
    return np.maximum(sd, -hole)


# ---- the ten classes: each maps (x, y, knobs k[0..5]) to (silhouette sd, detail darkness) ----
# x grows to the right, y downwards, both in [-1, 1] before the affine jitter.

def _top(x, y, k, sleeve_end_y, sleeve_r, bottom, neck_ry):
    """Torso + two sleeves ending at sleeve_end_y; the upper-body garments share it."""
    hw = 0.34 + 0.12 * k[0]
    torso = _trapezoid(x, y, 0.0, -0.62, bottom, hw, hw + 0.04 * k[4])
    reach = hw + 0.22 + 0.1 * k[2]
    sleeves = _union(_capsule(x, y, hw - 0.06, -0.5, reach, sleeve_end_y, sleeve_r),
                     _capsule(x, y, -(hw - 0.06), -0.5, -reach, sleeve_end_y, sleeve_r))
    return _cut(_union(torso, sleeves), _ellipse(x, y, 0.0, -0.66, 0.15 + 0.04 * k[3], neck_ry))


def _tshirt(x, y, k):
    sd = _top(x, y, k, -0.2 + 0.15 * k[1], 0.15, 0.7 + 0.15 * k[5], 0.1)
    return sd, 0.0 * x


def _pullover(x, y, k):
    sd = _top(x, y, k, 0.45 + 0.35 * k[1], 0.12, 0.65 + 0.15 * k[5], 0.09)
    cuffs = np.maximum(-_box(x, y, 0.0, 0.72 + 0.2 * k[5], 2.0, 0.025), 0.0)  # ribbed hem line
    return sd, 0.35 * (cuffs > 0)


def _coat(x, y, k):
    sd = _top(x, y, k, 0.55 + 0.3 * k[1], 0.13, 0.82 + 0.12 * k[5], 0.07)
    opening = _box(x, y, 0.0, 0.2, 0.025, 0.75) < 0
    lapels = _union(_capsule(x, y, -0.14, -0.62, 0.0, -0.1, 0.025),
                    _capsule(x, y, 0.14, -0.62, 0.0, -0.1, 0.025)) < 0
    pockets = _union(_box(x, y, -0.22, 0.45, 0.1, 0.02), _box(x, y, 0.22, 0.45, 0.1, 0.02)) < 0
    return sd, 0.6 * (opening | lapels) + 0.35 * (pockets & (k[3] > 0.5))


def _shirt(x, y, k):
    # sleeve length anywhere from short to long: the class that overlaps the others most
    sd = _top(x, y, k, -0.25 + 1.05 * k[1], 0.13, 0.72 + 0.15 * k[5], 0.08)
    collar = _union(_capsule(x, y, -0.16, -0.7, -0.05, -0.5, 0.04),
                    _capsule(x, y, 0.16, -0.7, 0.05, -0.5, 0.04)) < 0
    buttons = (np.abs(x) < 0.03) & (np.mod(y + 0.5, 0.25) < 0.07) & (y > -0.5)
    return sd, 0.45 * collar + 0.5 * buttons


def _trouser(x, y, k):
    gap = 0.02 + 0.05 * k[1]
    leg_r = 0.13 + 0.04 * k[0]
    flare = 0.06 * k[2]
    bottom = 0.8 + 0.12 * k[5]
    waist = _box(x, y, 0.0, -0.8, 2 * leg_r + gap / 2, 0.1)
    legs = _union(_capsule(x, y, -(leg_r + gap / 2), -0.75, -(leg_r + gap / 2 + flare), bottom, leg_r),
                  _capsule(x, y, leg_r + gap / 2, -0.75, leg_r + gap / 2 + flare, bottom, leg_r))
    return _union(waist, legs), 0.4 * (_box(x, y, 0.0, -0.7, 0.3, 0.015) < 0)


def _dress(x, y, k):
    top_hw = 0.16 + 0.08 * k[0]
    hem_hw = 0.38 + 0.25 * k[1]
    waist_y = -0.25 + 0.15 * k[3]
    body = _union(_trapezoid(x, y, 0.0, -0.8, waist_y, top_hw, top_hw * 0.85),
                  _trapezoid(x, y, 0.0, waist_y, 0.88, top_hw * 0.85, hem_hw))
    short_sleeves = _union(_capsule(x, y, top_hw, -0.7, top_hw + 0.18, -0.45, 0.09),
                           _capsule(x, y, -top_hw, -0.7, -top_hw - 0.18, -0.45, 0.09))
    sd = np.where(k[2] > 0.6, _union(body, short_sleeves), body)
    return _cut(sd, _ellipse(x, y, 0.0, -0.82, 0.1, 0.08)), 0.3 * (_box(x, y, 0.0, waist_y, 1.0, 0.02) < 0)


def _sandal(x, y, k):
    heel_h = 0.1 + 0.35 * k[0]
    sole = _capsule(x, y, -0.75, 0.5, 0.7, 0.5 - 0.1 * k[0], 0.06)
    heel = _box(x, y, 0.6, 0.5 - heel_h / 2, 0.08, heel_h / 2)
    top = 0.0 + 0.25 * k[1]
    straps = _union(_capsule(x, y, -0.55, 0.45, -0.2, top, 0.04),
                    _capsule(x, y, -0.2, top, 0.2, 0.45, 0.04),
                    _capsule(x, y, 0.15, top, 0.5, 0.42, 0.04),
                    _capsule(x, y, -0.3, top + 0.02, 0.45, top - 0.1 * k[2], 0.035))
    return _union(sole, heel, straps), 0.0 * x


def _sneaker(x, y, k):
    top_heel = -0.05 - 0.2 * k[0]
    top_toe = 0.25 + 0.1 * k[1]
    slope_top = top_toe + (top_heel - top_toe) * np.clip((x + 0.75) / 1.45, 0.0, 1.0)
    body = np.maximum(_box(x, y, -0.02, 0.3, 0.73, 0.5), np.maximum(slope_top - y, y - 0.55))
    toe = _ellipse(x, y, -0.55, 0.42, 0.25, 0.14)
    sole = _box(x, y, -0.02, 0.52, 0.75, 0.04) < 0
    laces = (_box(x, y, -0.05, 0.18, 0.2, 0.1) < 0) & (np.mod(x * 12 + y * 6, 1.0) < 0.3)
    return _union(body, toe), 0.45 * sole + 0.5 * laces


def _bag(x, y, k):
    hw = 0.5 + 0.25 * k[0]
    hh = 0.32 + 0.18 * k[1]
    top = 0.25 - hh
    body = _box(x, y, 0.0, 0.25, hw, hh)
    ring = np.abs(_ellipse(x, y, 0.0, top, 0.2 + 0.2 * k[3], 0.25 + 0.3 * k[4])) - 0.05
    handle = np.maximum(ring, y - top)
    sd = np.where(k[2] > 0.25, _union(body, handle), body)
    flap = _box(x, y, 0.0, top + 0.15, hw, 0.015) < 0
    return sd, 0.4 * (flap & (k[5] > 0.4))


def _ankle_boot(x, y, k):
    shaft_top = -0.75 + 0.4 * k[0]
    shaft = _box(x, y, 0.33, (shaft_top + 0.4) / 2, 0.3 + 0.05 * k[1], (0.4 - shaft_top) / 2)
    foot = _box(x, y, -0.05, 0.35, 0.7, 0.2)
    toe = _ellipse(x, y, -0.55, 0.38, 0.25, 0.18)
    heel = _box(x, y, 0.5, 0.6, 0.13, 0.06 + 0.05 * k[2])
    sole = _box(x, y, -0.05, 0.53, 0.72, 0.03) < 0
    return _union(shaft, foot, toe, heel), 0.45 * sole


_CLASS_DRAWERS = [_tshirt, _trouser, _pullover, _dress, _coat, _sandal, _shirt, _sneaker, _bag,
                  _ankle_boot]


# ---- assembling images ---------------------------------------------------------------------

def _pixel_grid():
    """Pixel centres in [-1, 1], as (x, y) each of shape (28, 28)."""
    c = (np.arange(_SIZE, dtype=np.float32) + 0.5) / (_SIZE / 2) - 1.0
    return np.meshgrid(c, c)   # x varies along columns, y along rows


def _draw_chunk(labels, uniform):
    """Draw len(labels) images; `uniform(shape)` supplies float32 uniforms in [0, 1)."""
    n = len(labels)
    gx, gy = _pixel_grid()

    def per_image(low, high):
        return (low + (high - low) * uniform((n,))).reshape(n, 1, 1)

    # affine jitter, applied as its inverse to the pixel grid: shape coords = A^-1 (grid - shift)
    scale = per_image(0.9, 1.2)
    aspect = per_image(0.85, 1.15)
    angle = per_image(-0.26, 0.26)           # about +-15 degrees
    shear = per_image(-0.15, 0.15)
    tx, ty = per_image(-0.2, 0.2), per_image(-0.2, 0.2)
    cos, sin = np.cos(angle), np.sin(angle)
    dx, dy = gx - tx, gy - ty
    rx, ry = cos * dx + sin * dy, -sin * dx + cos * dy
    x = (rx - shear * ry) / (scale * aspect)
    y = ry / (scale / aspect)

    knobs = uniform((_N_KNOBS, n)).reshape(_N_KNOBS, n, 1, 1)
    sd = np.empty((n, _SIZE, _SIZE), np.float32)
    detail = np.empty((n, _SIZE, _SIZE), np.float32)
    for label, drawer in enumerate(_CLASS_DRAWERS):
        idx = np.flatnonzero(labels == label)
        if idx.size:
            sd[idx], detail[idx] = drawer(x[idx], y[idx], knobs[:, idx])

    # coverage with a one-pixel anti-aliased edge (14 pixels per unit of shape space)
    coverage = np.clip(0.5 - sd * (_SIZE / 2) * scale, 0.0, 1.0)

    # details vary in strength; 40% of the objects get a print (a darker or brighter blob)
    shade = detail * per_image(0.3, 1.0)
    blob = [per_image(-0.4, 0.4), per_image(-0.4, 0.5), per_image(0.1, 0.35), per_image(0.1, 0.35),
            per_image(-0.6, 0.6)]
    b = np.flatnonzero(uniform((n,)) < 0.4)
    cx, cy, rx, ry, strength = (p[b] for p in blob)
    shade[b] += (_ellipse(x[b], y[b], cx, cy, rx, ry) < 0) * strength

    # texture: plain (half of the objects), horizontal stripes (a quarter) or a gradient (a quarter)
    brightness = per_image(0.5, 1.0)
    pattern = uniform((n,))
    amount, freq, phase = per_image(0.15, 0.5), per_image(6.0, 16.0), per_image(0.0, 6.283)
    texture = np.ones((n, _SIZE, _SIZE), np.float32)
    s = np.flatnonzero((pattern >= 0.5) & (pattern < 0.75))
    texture[s] -= amount[s] * (0.5 + 0.5 * np.sin(freq[s] * y[s] + phase[s]))
    g = np.flatnonzero(pattern >= 0.75)
    texture[g] -= amount[g] * (y[g] + 1.0) * 0.5
    noise = (uniform((n, _SIZE, _SIZE)) - 0.5) * 0.2

    value = coverage * (brightness * texture * (1.0 - shade) + noise)
    return np.clip(np.rint(value * 255.0), 0, 255).astype(np.uint8)


def make_fashion_mnist_standin(n, seed=0):
    """Return (images uint8 [n, 28, 28], labels uint8 [n]) of the stand-in, classes balanced."""
    bits = np.random.Generator(np.random.PCG64(seed))

    def uniform(shape):
        return bits.random(shape, dtype=np.float32)

    # balanced labels in a random order: argsort of uniforms is a permutation stable across NumPy
    labels = (np.arange(n) % len(FASHION_MNIST_CLASSES))[np.argsort(bits.random(n), kind="stable")]
    labels = labels.astype(np.uint8)
    images = np.empty((n, _SIZE, _SIZE), np.uint8)
    for start in range(0, n, _CHUNK):
        stop = min(start + _CHUNK, n)
        images[start:stop] = _draw_chunk(labels[start:stop], uniform)
    return images, labels


def write_fashion_mnist_standin(root, n_train=60000, n_test=10000, seed=0, compress=False):
    """Write the stand-in as torchvision's layout under `root/FashionMNIST/raw/` and return that folder.

    Files: train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-images-idx3-ubyte,
    t10k-labels-idx1-ubyte (with `.gz` when `compress`), and STANDIN.txt. The test split uses
    its own seed stream, so its images are not copies of training images.
    """
    raw = os.path.join(os.path.expanduser(str(root)), "FashionMNIST", "raw")
    os.makedirs(raw, exist_ok=True)
    suffix = ".gz" if compress else ""
    for split, n, split_seed in (("train", n_train, [seed, 0]), ("t10k", n_test, [seed, 1])):
        images, labels = make_fashion_mnist_standin(n, seed=split_seed)
        write_idx(os.path.join(raw, f"{split}-images-idx3-ubyte{suffix}"), images)
        write_idx(os.path.join(raw, f"{split}-labels-idx1-ubyte{suffix}"), labels)
    with open(os.path.join(raw, STANDIN_NOTE), "w") as f:
        f.write("SYNTHETIC STAND-IN, NOT THE REAL FASHION-MNIST.\n"
                "Drawn offline by minitorch_lite.vision.standin.write_fashion_mnist_standin("
                f"n_train={n_train}, n_test={n_test}, seed={seed}).\n"
                "Same file format, shapes and class names as Fashion-MNIST; different images.\n"
                "Classes (label: name):\n"
                + "".join(f"  {i}: {name}\n" for i, name in enumerate(FASHION_MNIST_CLASSES)))
    return raw


def is_standin(root):
    """True when `root/FashionMNIST/raw` holds the stand-in written by this module."""
    return os.path.exists(os.path.join(os.path.expanduser(str(root)), "FashionMNIST", "raw",
                                       STANDIN_NOTE))
