"""An offline STAND-IN for the course's pizza_steak_sushi photos: drawn food, NOT the real data set.

    >>> from minitorch_lite.vision.food_standin import write_pizza_steak_sushi_standin
    >>> folder = write_pizza_steak_sushi_standin("data")              # doctest: +SKIP
    >>> sorted(p.name for p in folder.iterdir())                        # doctest: +SKIP
    ['STANDIN.txt', 'test', 'train']

Chapters 04-08 download `pizza_steak_sushi.zip` (about 10% of Food-101's pizza, steak and sushi
photos) and this project never touches the network. So that the chapters run as written, this
module *draws* a data set with the same outer form: the same ImageFolder layout
(`pizza_steak_sushi/{train,test}/{pizza,steak,sushi}/<number>.jpg`), the same split sizes (train
78 / 75 / 72, test 25 / 19 / 31), RGB JPEGs of varied sizes (each side 384-512 px), plus a
`STANDIN.txt` note saying what they are.

What a picture holds (each a random draw; all shapes are anti-aliased signed-distance masks):
  background  a table (wood, stone or cloth colour, a lighting gradient, texture), often a plate
  pizza       a whole pie or a slice: crust ring, a cheese/sauce mix, 4-16 toppings
              (pepperoni, olives, basil, mushrooms)
  steak       one or two wobbly, elongated brown pieces, grill marks or a pink cut face, a fat
              rim; sometimes salad or fries beside it
  sushi       2-6 pieces on a plate or a slate: nigiri (rice with salmon, tuna or egg, a nori
              band) and maki rolls (nori ring, rice, coloured centre); sometimes soy sauce,
              wasabi or ginger
Classes share colours on purpose (pepperoni and tuna, crust and steak, egg and cheese, rice and
plate) and objects may run off the frame, so the task is learnable but not trivial. Measured with
PyTorch 2.13 (one thread) on chapter 04's seeded flow (reference.ch04_custom_datasets.train_model:
TinyVGG(3, 10, 3) on 64x64 images, Adam lr 1e-3, batches of 32, torch.manual_seed(42)), test
accuracy (the course's mean over batches) after 5 / 10 / 20 epochs:
  model_0 (no augmentation)      19.8 / 59.5 / 79.3 %   (test loss 1.135 / 0.962 / 0.562)
  model_1 (TrivialAugmentWide)   19.8 / 54.2 / 62.8 %
Five epochs, the course's setting, stay near chance as they do on the real photos (the course
reports about 30 %); it takes 10 to 20 epochs to learn. These are not Food-101 results and must
not be compared with published ones.

Cost: about 0.1 s per 448x448 image on one core (30 s for the 300 photos); tests write small ones.

Deterministic: image i of a class and split is drawn from its own NumPy PCG64 stream seeded with
(seed, split, class, i), so fewer images per class give a prefix of the full set, and the same
arguments give the same JPEG bytes with the same NumPy and Pillow builds.
"""
from pathlib import Path

import numpy as np
from PIL import Image

__all__ = ["CLASSES", "SPLIT_SIZES", "STANDIN_NOTE", "draw_food_image",
           "write_pizza_steak_sushi_standin", "write_custom_image_standin", "is_food_standin"]

CLASSES = ["pizza", "steak", "sushi"]
SPLIT_SIZES = {"train": {"pizza": 78, "steak": 75, "sushi": 72},
               "test": {"pizza": 25, "steak": 19, "sushi": 31}}
STANDIN_NOTE = "STANDIN.txt"

_SPLIT_ID = {"train": 0, "test": 1, "custom": 2}


# ---- shapes: signed distances (negative inside), in units of half the shorter image side ----

def _rotate(x, y, cx, cy, angle):
    c, s = np.cos(angle), np.sin(angle)
    dx, dy = x - cx, y - cy
    return c * dx + s * dy, -s * dx + c * dy


def _wobbly_circle(x, y, cx, cy, r, wobble):
    """A circle whose radius varies with the angle: r * (1 + sum a_k cos(k theta + phase_k))."""
    dx, dy = x - cx, y - cy
    theta = np.arctan2(dy, dx)
    radius = r * (1 + sum(a * np.cos(k * theta + phase) for k, a, phase in wobble))
    return np.hypot(dx, dy) - radius


def _rounded_box(x, y, cx, cy, half_w, half_h, corner, angle):
    u, v = _rotate(x, y, cx, cy, angle)
    qx, qy = np.abs(u) - (half_w - corner), np.abs(v) - (half_h - corner)
    outside = np.hypot(np.maximum(qx, 0), np.maximum(qy, 0))
    return outside + np.minimum(np.maximum(qx, qy), 0) - corner


def _ellipse(x, y, cx, cy, rx, ry, angle=0.0):
    u, v = _rotate(x, y, cx, cy, angle)
    return (np.hypot(u / rx, v / ry) - 1) * min(rx, ry)


def _mask(sd, edge):
    """Coverage in [0, 1] of a shape, anti-aliased over `edge` (about one pixel)."""
    return np.clip(0.5 - sd / edge, 0.0, 1.0).astype(np.float32)


# ---- painting ------------------------------------------------------------------------------

class _Canvas:
    """An RGB float image in [0, 255] and its pixel grid in shape units."""

    def __init__(self, rng, height, width):
        self.rng, self.height, self.width = rng, height, width
        half = min(height, width) / 2
        self.y, self.x = np.mgrid[0:height, 0:width].astype(np.float32)
        self.x = (self.x + 0.5 - width / 2) / half
        self.y = (self.y + 0.5 - height / 2) / half
        self.edge = np.float32(1.5 / half)
        self.rgb = np.zeros((height, width, 3), np.float32)

    def noise(self, cells):
        """Smooth noise in [0, 1]: a cells x cells random grid, bicubically enlarged."""
        grid = (self.rng.random((cells, cells)) * 255).astype(np.uint8)
        big = Image.fromarray(grid).resize((self.width, self.height), Image.Resampling.BICUBIC)
        return np.asarray(big, np.float32) / 255

    def paint(self, mask, color, texture=None, amount=0.0):
        """Cover `mask` with `color`, darkened or lightened by `texture` (0..1) times `amount`."""
        color = np.asarray(color, np.float32)
        layer = color if texture is None else color * (1 + amount * (texture[..., None] - 0.5))
        m = mask[..., None]
        self.rgb = self.rgb * (1 - m) + layer * m

    def jitter(self, color, spread):
        return np.clip(np.asarray(color, np.float32) + self.rng.normal(0, spread, 3), 0, 255)


def _background(canvas):
    rng = canvas.rng
    table = canvas.jitter([(150, 105, 65), (95, 90, 85), (200, 190, 170), (60, 70, 95),
                           (170, 60, 50)][rng.integers(5)], 20)
    grain = canvas.noise(int(rng.integers(4, 24)))
    canvas.paint(np.ones((canvas.height, canvas.width), np.float32), table, grain, 0.5)
    if rng.random() < 0.35:          # stripes: wood grain or a cloth pattern
        u, _ = _rotate(canvas.x, canvas.y, 0, 0, rng.uniform(0, np.pi))
        stripes = (np.sin(u * rng.uniform(8, 30)) > 0.6).astype(np.float32)
        canvas.paint(stripes * 0.3, table * 0.6)


def _plate(canvas, cx, cy, radius):
    plate = canvas.jitter([(235, 235, 230), (240, 230, 210), (200, 215, 230), (40, 40, 45)][
        canvas.rng.integers(4)], 10)
    canvas.paint(_mask(_ellipse(canvas.x, canvas.y, cx, cy, radius, radius * 0.97), canvas.edge),
                 plate)
    canvas.paint(_mask(np.abs(_ellipse(canvas.x, canvas.y, cx, cy, radius * 0.8, radius * 0.78))
                       - 0.01, canvas.edge), plate * 0.9)


def _draw_pizza(canvas):
    rng, x, y, edge = canvas.rng, canvas.x, canvas.y, canvas.edge
    cx, cy = rng.uniform(-0.35, 0.35, 2)
    r = rng.uniform(0.5, 0.95)
    if rng.random() < 0.5:
        _plate(canvas, cx, cy, r * rng.uniform(1.05, 1.3))
    wobble = [(k, rng.uniform(0, 0.03), rng.uniform(0, 2 * np.pi)) for k in (2, 3, 5)]
    pie = _wobbly_circle(x, y, cx, cy, r, wobble)
    if rng.random() < 0.3:           # a slice: the pie cut to a wedge with its tip at the centre
        start, width = rng.uniform(0, 2 * np.pi), rng.uniform(0.6, 1.3)
        angle = np.mod(np.arctan2(y - cy, x - cx) - start, 2 * np.pi)
        pie = np.maximum(pie, np.where(angle < width, -1.0, 1.0) * 0.02)
    crust = canvas.jitter((205, 150, 85), 18)
    canvas.paint(_mask(pie, edge), crust, canvas.noise(12), 0.4)
    inner = pie + r * rng.uniform(0.07, 0.16)
    cheese, sauce = canvas.jitter((238, 200, 105), 15), canvas.jitter((190, 60, 35), 15)
    mix = canvas.noise(int(rng.integers(5, 14)))
    blend = np.clip((mix - rng.uniform(0.3, 0.7)) * 4 + 0.5, 0, 1)[..., None]
    topping_base = cheese * (1 - blend) + sauce * blend
    m = _mask(inner, edge)[..., None]
    canvas.rgb = canvas.rgb * (1 - m) + topping_base * m
    kinds = [(160, 40, 30), (35, 35, 30), (60, 125, 50), (205, 195, 175)]
    chosen = rng.choice(4, size=int(rng.integers(1, 3)), replace=False)
    for _ in range(int(rng.integers(4, 17))):
        radius, angle = rng.uniform(0, 0.8) * r, rng.uniform(0, 2 * np.pi)
        tx, ty = cx + radius * np.cos(angle), cy + radius * np.sin(angle)
        size = rng.uniform(0.05, 0.11) * r / 0.7
        spot = np.maximum(_ellipse(x, y, tx, ty, size, size * rng.uniform(0.8, 1)), inner)
        canvas.paint(_mask(spot, edge), canvas.jitter(kinds[rng.choice(chosen)], 12))


def _draw_steak(canvas):
    rng, x, y, edge = canvas.rng, canvas.x, canvas.y, canvas.edge
    if rng.random() < 0.6:
        _plate(canvas, *rng.uniform(-0.2, 0.2, 2), rng.uniform(0.8, 1.2))
    for _ in range(1 if rng.random() < 0.7 else 2):
        cx, cy = rng.uniform(-0.4, 0.4, 2)
        angle, stretch = rng.uniform(0, np.pi), rng.uniform(1.2, 1.7)
        u, v = _rotate(x, y, cx, cy, angle)
        wobble = [(k, rng.uniform(0.03, 0.1), rng.uniform(0, 2 * np.pi)) for k in (2, 3, 4)]
        piece = _wobbly_circle(u / stretch, v, 0, 0, rng.uniform(0.35, 0.6), wobble)
        meat = canvas.jitter((125, 65, 38), 18)
        if rng.random() < 0.6:       # a fat rim along one side
            fat = np.maximum(piece - 0.035, rng.uniform(-0.3, 0.3) - u)
            canvas.paint(_mask(fat, edge), canvas.jitter((225, 205, 170), 12))
        canvas.paint(_mask(piece, edge), meat, canvas.noise(int(rng.integers(6, 16))), 0.6)
        inside = _mask(piece + 0.02, edge)
        if rng.random() < 0.35:      # cut open: pink slices
            cut = (np.sin(u * rng.uniform(10, 18)) > 0.2).astype(np.float32)
            canvas.paint(inside * cut * _mask(-(v - rng.uniform(-0.2, 0.3)), edge),
                         canvas.jitter((200, 95, 95), 15))
        else:                        # grill marks, sometimes crossed
            for turn in ((0.0,) if rng.random() < 0.6 else (0.0, rng.uniform(0.8, 1.6))):
                g, _ = _rotate(x, y, cx, cy, rng.uniform(0, np.pi) + turn)
                marks = (np.sin(g * rng.uniform(12, 22)) > rng.uniform(0.55, 0.8)).astype(np.float32)
                canvas.paint(inside * marks, canvas.jitter((55, 30, 18), 8))
    if rng.random() < 0.4:           # a side: salad leaves or fries
        for _ in range(int(rng.integers(3, 9))):
            sx, sy = rng.uniform(-0.9, 0.9, 2)
            if rng.random() < 0.5:
                leaf = _ellipse(x, y, sx, sy, rng.uniform(0.06, 0.14), rng.uniform(0.03, 0.07),
                                rng.uniform(0, np.pi))
                canvas.paint(_mask(leaf, edge), canvas.jitter((80, 150, 60), 20))
            else:
                fry = _rounded_box(x, y, sx, sy, rng.uniform(0.12, 0.22), 0.025, 0.01,
                                   rng.uniform(0, np.pi))
                canvas.paint(_mask(fry, edge), canvas.jitter((235, 190, 90), 12))


def _draw_sushi(canvas):
    rng, x, y, edge = canvas.rng, canvas.x, canvas.y, canvas.edge
    board_angle = rng.uniform(-0.5, 0.5)
    if rng.random() < 0.5:           # a slate or wooden board, else a plate
        board = _rounded_box(x, y, *rng.uniform(-0.2, 0.2, 2), rng.uniform(0.8, 1.3),
                             rng.uniform(0.45, 0.8), 0.05, board_angle)
        canvas.paint(_mask(board, edge), canvas.jitter([(45, 45, 50), (170, 125, 80)][rng.integers(2)], 10),
                     canvas.noise(10), 0.3)
    else:
        _plate(canvas, *rng.uniform(-0.2, 0.2, 2), rng.uniform(0.8, 1.2))
    n = int(rng.integers(2, 7))
    along = np.linspace(-0.55, 0.55, n) + rng.normal(0, 0.05, n)
    across = rng.normal(0, 0.12, n)
    rice = canvas.jitter((242, 240, 230), 6)
    fish = [(250, 135, 80), (200, 40, 60), (250, 210, 85), (235, 235, 225)]
    scale = rng.uniform(0.8, 1.2) * min(1.0, 3.2 / n)
    for i in range(n):
        px = along[i] * np.cos(board_angle) - across[i] * np.sin(board_angle)
        py = along[i] * np.sin(board_angle) + across[i] * np.cos(board_angle)
        angle = board_angle + np.pi / 2 + rng.normal(0, 0.15)
        if rng.random() < 0.6:       # nigiri: a rice block under a slice of fish
            half_w, half_h = 0.25 * scale, 0.1 * scale
            canvas.paint(_mask(_rounded_box(x, y, px, py, half_w, half_h, 0.06 * scale, angle), edge),
                         rice, canvas.noise(30), 0.25)
            kind = int(rng.integers(4))
            top = _rounded_box(x, y, px, py - 0.01, half_w * 1.08, half_h * 0.85, 0.07 * scale, angle)
            canvas.paint(_mask(top, edge), canvas.jitter(fish[kind], 12))
            u, v = _rotate(x, y, px, py, angle)
            if kind == 0:            # salmon's white lines
                lines = (np.sin((u + 0.4 * v) * 60 / scale) > 0.75).astype(np.float32)
                canvas.paint(_mask(top, edge) * lines * 0.8, (250, 220, 200))
            if kind >= 2 or rng.random() < 0.2:   # a nori band across
                band = np.maximum(top, np.abs(u) - 0.04 * scale)
                canvas.paint(_mask(band, edge), canvas.jitter((30, 38, 30), 6))
        else:                        # maki: nori ring, rice, a coloured centre
            r = 0.13 * scale
            canvas.paint(_mask(_ellipse(x, y, px, py, r, r), edge), canvas.jitter((30, 38, 30), 6))
            canvas.paint(_mask(_ellipse(x, y, px, py, r * 0.85, r * 0.85), edge), rice, canvas.noise(30), 0.3)
            centre = [(250, 135, 80), (200, 40, 60), (90, 160, 70), (245, 200, 80)][rng.integers(4)]
            canvas.paint(_mask(_ellipse(x, y, px, py, r * 0.35, r * 0.3, rng.uniform(0, np.pi)), edge),
                         canvas.jitter(centre, 15))
    extras = [((60, 35, 20), 0.16), ((120, 170, 60), 0.06), ((240, 170, 160), 0.08)]
    for color, size in extras:
        if rng.random() < 0.3:
            ex, ey = rng.uniform(-0.9, 0.9, 2)
            canvas.paint(_mask(_ellipse(x, y, ex, ey, size, size * 0.8), edge), canvas.jitter(color, 10))


_DRAW = {"pizza": _draw_pizza, "steak": _draw_steak, "sushi": _draw_sushi}


def draw_food_image(cls, rng, height, width):
    """One stand-in photo of `cls` (pizza, steak or sushi) as a uint8 array [height, width, 3]."""
    canvas = _Canvas(rng, height, width)
    _background(canvas)
    _DRAW[cls](canvas)
    light = canvas.noise(3)[..., None]                                    # uneven lighting
    canvas.rgb *= rng.uniform(0.7, 1.15) * (1 + rng.uniform(0.1, 0.45) * (light - 0.5))
    canvas.rgb += canvas.jitter((0, 0, 0), 8)                              # colour cast
    canvas.rgb += rng.normal(0, rng.uniform(2, 7), canvas.rgb.shape).astype(np.float32)
    return np.clip(canvas.rgb + 0.5, 0, 255).astype(np.uint8)


def _image_rng(seed, split, cls, index):
    return np.random.default_rng([seed, _SPLIT_ID[split], CLASSES.index(cls), index])


def write_pizza_steak_sushi_standin(root, seed=0, per_class=None, size_range=(384, 512),
                                    quality=90):
    """Write the stand-in under root/pizza_steak_sushi and return that folder (a Path).

    per_class: None for the course's split sizes, or (n_train, n_test) images per class (smaller
    runs: each class's images are a prefix of the full set). size_range: the smallest and
    largest side in pixels.
    """
    folder = Path(root) / "pizza_steak_sushi"
    low, high = size_range
    for split, sizes in SPLIT_SIZES.items():
        for cls in CLASSES:
            count = sizes[cls] if per_class is None else per_class[_SPLIT_ID[split]]
            directory = folder / split / cls
            directory.mkdir(parents=True, exist_ok=True)
            for index in range(count):
                rng = _image_rng(seed, split, cls, index)
                name = f"{int(rng.integers(100000, 4000000))}.jpg"   # Food-101-like file names
                height, width = (int(v) for v in rng.integers(low, high + 1, 2))
                image = Image.fromarray(draw_food_image(cls, rng, height, width))
                image.save(directory / name, format="JPEG", quality=quality)
    (folder / STANDIN_NOTE).write_text(
        "SYNTHETIC STAND-IN for the course's pizza_steak_sushi data (drawn food, NOT the real "
        "photos),\nwritten by minitorch_lite.vision.food_standin because the real zip must be "
        "downloaded.\nDo not compare results on it with published Food-101 results.\n")
    return folder


def write_custom_image_standin(path, size=(3024, 4032), seed=0, quality=90):
    """A stand-in for the course's custom photo (data/04-pizza-dad.jpeg, a pizza, 3024 x 4032):
    a drawn pizza, made at up to 1024 px and enlarged to `size` (width, height). Returns the Path."""
    width, height = size
    scale = min(1.0, 1024 / max(width, height))
    small = (max(1, round(height * scale)), max(1, round(width * scale)))
    image = Image.fromarray(draw_food_image("pizza", _image_rng(seed, "custom", "pizza", 0), *small))
    if image.size != (width, height):
        image = image.resize((width, height), Image.Resampling.BICUBIC)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    image.save(path, format="JPEG", quality=quality)
    return path


def is_food_standin(image_path):
    """True when the pizza_steak_sushi folder at image_path is this stand-in (its note is there)."""
    return (Path(image_path) / STANDIN_NOTE).is_file()
