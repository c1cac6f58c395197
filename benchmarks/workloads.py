"""The benchmark workloads, each written once for any `Target` (minitorch_lite or torch, cpu or cuda).

    >>> from benchmarks.workloads import select
    >>> [w.id for w in select("quick", "matmul")]
    ['matmul[64]', 'matmul[512]']

A `Workload` knows its name, its size label, which suites it belongs to ("quick", "default",
"full"), how much work one iteration does (bytes moved, FLOPs or samples, for GB/s, GFLOP/s or
samples/s), and `build(target, dtype)`, which prepares inputs on the target and returns the
`step()` to time. Inputs come from NumPy with a fixed seed, so every target gets identical
values; models are built after `lib.manual_seed(0)`, which gives minitorch_lite and torch the same
weights. A workload whose pieces do not exist yet raises `Unavailable` from `build`, and is
reported as "n/a (reason)".
"""
import functools
import importlib
import itertools
import math
import os
import re
from dataclasses import dataclass, field, replace

import numpy as np

from . import models

SUITES = ("quick", "default", "full")


class Unavailable(Exception):
    """This workload cannot run on this target yet; the message says why."""


@dataclass(frozen=True)
class Workload:
    name: str                 # what is measured, e.g. "add+grad" or "train.tinyvgg"
    size: str                 # the size label, e.g. "1e5", "1024", "1x28x28 b32"
    group: str                # table section: "elementwise", "matmul", "train", ...
    build: callable = field(repr=False, compare=False)  # build(target, dtype) -> step()
    suites: frozenset = frozenset(SUITES)
    elements_moved: int = None  # elements read + written once each (GB/s = * itemsize / time)
    flops: int = None           # floating-point operations per iteration (GFLOP/s)
    samples: int = None         # training/inference samples per iteration (samples/s)
    metric: str = "time"        # "time" (seconds per iteration) or "memory" (peak bytes)
    x: float = None             # position on the time-vs-size plot (elements or matrix side)
    family: str = None          # curve the workload belongs to on that plot

    @property
    def id(self):
        return f"{self.name}[{self.size}]"

    def rate(self, seconds, itemsize):
        """(value, unit) of achieved throughput for one iteration taking `seconds`, or None."""
        if self.metric != "time" or not seconds:
            return None
        if self.flops:
            return self.flops / seconds / 1e9, "GFLOP/s"
        if self.elements_moved:
            return self.elements_moved * itemsize / seconds / 1e9, "GB/s"
        if self.samples:
            return self.samples / seconds, "samples/s"
        return None


# ---------------------------------------------------------------- inputs shared by all targets

@functools.lru_cache(maxsize=4)  # small: at 10^8 elements one array is 400 MB
def _normal(shape, dtype, seed):
    """Standard-normal values (read-only: Target.tensor copies), identical for every target."""
    rng = np.random.default_rng(seed)
    array = rng.standard_normal(shape, dtype=np.float32 if dtype == "float32" else np.float64)
    array = array.astype(dtype, copy=False)
    array.flags.writeable = False
    return array


def _last_level_cache_bytes():
    for index in range(4, -1, -1):
        path = f"/sys/devices/system/cpu/cpu0/cache/index{index}/size"
        try:
            text = open(path).read().strip()
        except OSError:
            continue
        scale = {"K": 1024, "M": 1024 ** 2, "G": 1024 ** 3}.get(text[-1], 1)
        return int(text.rstrip("KMG")) * scale
    return 32 * 1024 ** 2


CPU_CACHE_BYTES = _last_level_cache_bytes()
GPU_CACHE_BYTES = 64 * 1024 ** 2  # covers an H100/H200's 50 MiB L2


def _pool_size(target, bytes_per_set):
    """How many input sets to rotate through so their total is at least twice the last-level cache:
    each iteration then reads inputs that the previous iterations have pushed out of the cache."""
    cache = CPU_CACHE_BYTES if target.device == "cpu" else GPU_CACHE_BYTES
    return max(1, min(64, math.ceil(2 * cache / bytes_per_set)))


def _rotating_inputs(target, shapes, dtype, requires_grad=False):
    """A cycle over input sets (tuples of tensors, one per shape) that defeats the cache.

    Values are uniform in [-2, 2) (drawn 5x faster than normals; half negative, so relu and its
    gradient take both branches), from fixed seeds: identical for every target."""
    itemsize = np.dtype(dtype).itemsize
    bytes_per_set = sum(math.prod(s) for s in shapes) * itemsize
    sets = []
    for k in range(_pool_size(target, bytes_per_set)):
        rng = np.random.default_rng(k)
        tensors = []
        for shape in shapes:
            array = rng.random(shape, dtype=np.dtype(dtype))
            array *= 4
            array -= 2
            tensors.append(target.tensor(array, requires_grad, copy=False))
        sets.append(tuple(tensors))
    return itertools.cycle(sets)


def _functional(lib):
    """lib.nn.functional, or Unavailable with the reason."""
    try:
        return importlib.import_module(lib.__name__ + ".nn.functional")
    except ImportError as err:
        raise Unavailable(f"{lib.__name__}.nn.functional is not available ({err})") from None


def _require(lib, *dotted):
    """Import `lib.<module>` for each name (e.g. "nn", "optim"), or raise Unavailable."""
    for name in dotted:
        module = f"{lib.__name__}.{name}"
        try:
            importlib.import_module(module)
        except ImportError as err:
            raise Unavailable(f"{module} is not available ({err})") from None


def _clear_grads(tensors):
    for t in tensors:
        t.grad = None


# ---------------------------------------------------------------- micro: elementwise, reductions

def _unary_or_binary(op_name):
    """The forward function for an op: f(lib, F, *tensors)."""
    return {
        "add": lambda lib, F, x, y: x + y,
        "mul": lambda lib, F, x, y: x * y,
        "relu": lambda lib, F, x: lib.relu(x),
        "gelu": lambda lib, F, x: F.gelu(x),
        "sum": lambda lib, F, x: x.sum(),
        "softmax": lambda lib, F, x: lib.softmax(x, dim=-1),
    }[op_name]


def _micro_shapes(op_name, n):
    if op_name == "softmax":  # rows of 1,000: a large classifier's logits
        return [(max(1, n // 1000), min(n, 1000))]
    return [(n,), (n,)] if op_name in ("add", "mul") else [(n,)]


def _micro_builder(op_name, n, grad):
    fn = _unary_or_binary(op_name)

    def build(target, dtype):
        lib = target.lib
        F = _functional(lib) if op_name == "gelu" else None
        inputs = _rotating_inputs(target, _micro_shapes(op_name, n), dtype, requires_grad=grad)
        if not grad:
            def step():
                return fn(lib, F, *next(inputs))
            return step
        probe = fn(lib, F, *next(inputs))
        seed = lib.ones_like(probe) if probe.dim() else None  # backward() of a scalar needs none

        def step():
            tensors = next(inputs)
            _clear_grads(tensors)
            out = fn(lib, F, *tensors)
            out.backward(seed)
            return out
        return step
    return build


# elements read + written by the forward pass (ideal traffic, for GB/s)
_TRAFFIC = {"add": 3, "mul": 3, "relu": 2, "gelu": 2, "sum": 1, "softmax": 2}
MICRO_SIZES = {"quick": (10 ** 3, 10 ** 6), "default": (10 ** 3, 10 ** 5, 10 ** 7),
               "full": tuple(10 ** k for k in range(3, 9))}
GRAD_SIZES = {"quick": (10 ** 6,), "default": (10 ** 5, 10 ** 7),
              "full": tuple(10 ** k for k in range(3, 9))}


def _suites_for(value, table):
    return frozenset(s for s in SUITES if value in table[s])


def _size_label(n):
    return f"1e{int(round(math.log10(n)))}"


def micro_workloads():
    out = []
    for op_name, group in [("add", "elementwise"), ("mul", "elementwise"), ("relu", "elementwise"),
                           ("gelu", "elementwise"), ("sum", "reduction"), ("softmax", "reduction")]:
        for n in MICRO_SIZES["full"]:
            out.append(Workload(op_name, _size_label(n), group, _micro_builder(op_name, n, False),
                                _suites_for(n, MICRO_SIZES), elements_moved=_TRAFFIC[op_name] * n,
                                x=n, family=op_name))
        for n in GRAD_SIZES["full"]:
            out.append(Workload(op_name + "+grad", _size_label(n), group,
                                _micro_builder(op_name, n, True), _suites_for(n, GRAD_SIZES),
                                x=n, family=op_name + "+grad"))
    return out


# ---------------------------------------------------------------- matmul

MATMUL_SIZES = {"quick": (64, 512), "default": (64, 256, 1024),
                "full": (64, 128, 256, 512, 1024, 2048, 4096)}
MATMUL_GRAD_SIZES = {"quick": (), "default": (256, 1024), "full": (64, 256, 1024, 2048, 4096)}


def _matmul_builder(n, grad):
    def build(target, dtype):
        a, b = target.tensor(_normal((n, n), dtype, 1), grad), target.tensor(_normal((n, n), dtype, 2), grad)
        if not grad:
            return lambda: a @ b
        seed = target.lib.ones(n, n, dtype=target.dtype(dtype), device=target.device)

        def step():
            _clear_grads((a, b))
            out = a @ b
            out.backward(seed)
            return out
        return step
    return build


def matmul_workloads():
    out = [Workload("matmul", str(n), "matmul", _matmul_builder(n, False),
                    _suites_for(n, MATMUL_SIZES), flops=2 * n ** 3, x=n, family="matmul")
           for n in MATMUL_SIZES["full"]]
    out += [Workload("matmul+grad", str(n), "matmul", _matmul_builder(n, True),
                     _suites_for(n, MATMUL_GRAD_SIZES), flops=3 * 2 * n ** 3, x=n, family="matmul+grad")
            for n in MATMUL_GRAD_SIZES["full"]]
    return out


# ---------------------------------------------------------------- conv2d

# (name, input shape, weight shape, stride, padding, input needs grad, suites)
CONV_CASES = [
    ("conv2d.tinyvgg_in", (32, 1, 28, 28), (10, 1, 3, 3), 1, 1, False, SUITES),
    ("conv2d.tinyvgg_mid", (32, 10, 28, 28), (10, 10, 3, 3), 1, 1, True, SUITES),
    ("conv2d.tinyvgg_mid", (32, 10, 64, 64), (10, 10, 3, 3), 1, 1, True, ("full",)),
    ("conv2d.vit_patch", (8, 3, 224, 224), (768, 3, 16, 16), 16, 0, False, ("default", "full")),
    ("conv2d.vit_patch", (32, 3, 224, 224), (768, 3, 16, 16), 16, 0, False, ("full",)),
]


def _conv_flops(x_shape, w_shape, stride, padding):
    n, _, h, w = x_shape
    c_out, c_in, kh, kw = w_shape
    h_out = (h + 2 * padding - kh) // stride + 1
    w_out = (w + 2 * padding - kw) // stride + 1
    return 2 * n * c_out * h_out * w_out * c_in * kh * kw


def _conv_builder(x_shape, w_shape, stride, padding, grad, input_grad):
    def build(target, dtype):
        F = _functional(target.lib)
        x = target.tensor(_normal(x_shape, dtype, 1), grad and input_grad)
        w = target.tensor(_normal(w_shape, dtype, 2) * 0.1, grad)
        b = target.tensor(_normal(w_shape[:1], dtype, 3), grad)
        if not grad:
            return lambda: F.conv2d(x, w, b, stride=stride, padding=padding)
        leaves = (x, w, b) if input_grad else (w, b)
        probe = F.conv2d(x, w, b, stride=stride, padding=padding)
        seed = target.lib.ones_like(probe)

        def step():
            _clear_grads(leaves)
            out = F.conv2d(x, w, b, stride=stride, padding=padding)
            out.backward(seed)
            return out
        return step
    return build


def conv_workloads():
    out = []
    for name, x_shape, w_shape, stride, padding, input_grad, suites in CONV_CASES:
        n, c, h, w = x_shape
        size = f"{c}x{h}x{w} b{n}"
        fwd = _conv_flops(x_shape, w_shape, stride, padding)
        out.append(Workload(name, size, "conv2d", _conv_builder(x_shape, w_shape, stride, padding, False,
                                                                input_grad),
                            frozenset(suites), flops=fwd))
        # backward: the weight gradient costs one more forward's FLOPs, the input gradient another
        out.append(Workload(name + "+grad", size, "conv2d",
                            _conv_builder(x_shape, w_shape, stride, padding, True, input_grad),
                            frozenset(suites), flops=fwd * (3 if input_grad else 2)))
    return out


# ---------------------------------------------------------------- autograd overhead

def _graph_op_builder(op_name):
    """One small op on 1,000 float elements whose inputs require grad: the graph is recorded."""
    fn = _unary_or_binary(op_name)

    def build(target, dtype):
        tensors = [target.tensor(_normal(s, dtype, i), True)
                   for i, s in enumerate(_micro_shapes(op_name, 1000))]
        return lambda: fn(target.lib, None, *tensors)
    return build


def _chain(x):
    """100 small ops: 25 rounds of (scale, shift, relu, shift back)."""
    y = x
    for _ in range(25):
        y = (y * 1.01 + 0.01).relu() - 0.005
    return y


def _chain_builder(backward_only):
    def build(target, dtype):
        x = target.tensor(_normal((1000,), dtype, 1), True)
        seed = target.lib.ones_like(x)
        if backward_only:
            y = _chain(x)  # the graph is built once and kept: only backward is timed

            def step():
                x.grad = None
                y.backward(seed, retain_graph=True)
                return x.grad
            return step

        def step():
            x.grad = None
            _chain(x).backward(seed)
            return x.grad
        return step
    return build


def autograd_workloads():
    out = [Workload("graph." + op, "1e3", "autograd", _graph_op_builder(op))
           for op in ("add", "mul", "relu", "sum")]
    out.append(Workload("graph.chain100.backward", "1e3", "autograd", _chain_builder(True)))
    out.append(Workload("graph.chain100.fwd+bwd", "1e3", "autograd", _chain_builder(False),
                        frozenset(("default", "full"))))
    return out


# ---------------------------------------------------------------- training steps and inference

def _straight_line(dtype):
    """01 workflow: X = 0, 0.02, ... (the 40 training points), y = 0.7 X + 0.3."""
    X = (np.arange(40) * 0.02)[:, None]
    return X.astype(dtype), (0.7 * X + 0.3).astype(dtype)


def _two_circles(dtype, n=800, seed=42):
    """sklearn's make_circles(n, noise=0.03, factor=0.8) recipe, in NumPy (no sklearn needed)."""
    rng = np.random.default_rng(seed)
    angles = rng.uniform(0, 2 * np.pi, n)
    labels = (np.arange(n) % 2).astype(np.float64)
    radius = np.where(labels == 1, 0.8, 1.0)
    X = np.stack([radius * np.cos(angles), radius * np.sin(angles)], axis=1)
    return (X + rng.normal(0, 0.03, X.shape)).astype(dtype), labels.astype(dtype)


def _blobs(dtype, n=800, classes=4, seed=42):
    """sklearn's make_blobs(n, centers=4, cluster_std=1.5) recipe: int64 labels for CrossEntropyLoss."""
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, classes, n)
    centres = rng.uniform(-10, 10, (classes, 2))
    return (centres[labels] + rng.normal(0, 1.5, (n, 2))).astype(dtype), labels


@dataclass(frozen=True)
class Course:
    """A course training setup: the model, its data, its loss and its optimizer."""
    model: callable                  # model(lib) -> nn.Module
    data: callable                   # data(dtype) -> (X array, y array)
    loss: str                        # name in lib.nn, e.g. "CrossEntropyLoss"
    optimizer: str                   # name in lib.optim
    lr: float


def _image_batch(channels, side, batch, classes):
    def data(dtype):
        X = _normal((batch, channels, side, side), dtype, 7)
        y = np.random.default_rng(8).integers(0, classes, batch)
        return X, y
    return data


COURSES = {
    "linreg": Course(models.linear_regression, _straight_line, "L1Loss", "SGD", 0.01),
    "circles": Course(models.circle_model, _two_circles, "BCEWithLogitsLoss", "SGD", 0.1),
    "blobs": Course(models.blob_model, _blobs, "CrossEntropyLoss", "SGD", 0.1),
    "mlp784_b32": Course(models.mlp, _image_batch(1, 28, 32, 10), "CrossEntropyLoss", "SGD", 0.1),
    "mlp784_b512": Course(models.mlp, _image_batch(1, 28, 512, 10), "CrossEntropyLoss", "SGD", 0.1),
    "tinyvgg_1x28": Course(lambda lib: models.tiny_vgg(lib, 1, 10, 10, 28), _image_batch(1, 28, 32, 10),
                           "CrossEntropyLoss", "SGD", 0.1),
    "tinyvgg_3x64": Course(lambda lib: models.tiny_vgg(lib, 3, 10, 3, 64), _image_batch(3, 64, 32, 3),
                           "CrossEntropyLoss", "Adam", 0.001),
    "vit_small": Course(models.vit, _image_batch(3, 32, 32, 10), "CrossEntropyLoss", "Adam", 0.001),
}
COURSES.update({  # the image models again at batch 512 (in --full: sizes where a GPU pulls ahead)
    "tinyvgg_1x28_b512": replace(COURSES["tinyvgg_1x28"], data=_image_batch(1, 28, 512, 10)),
    "tinyvgg_3x64_b512": replace(COURSES["tinyvgg_3x64"], data=_image_batch(3, 64, 512, 3)),
    "vit_small_b512": replace(COURSES["vit_small"], data=_image_batch(3, 32, 512, 10)),
})


def _target_array(target, y, course):
    """Labels as the loss wants them: int64 class indices, or floats shaped like the logits."""
    if course.loss == "CrossEntropyLoss":
        return target.tensor(y.astype(np.int64))
    if course.loss == "BCEWithLogitsLoss":
        return target.tensor(y)[:, None] if y.ndim == 1 else target.tensor(y)
    return target.tensor(y)


def _model_on(target, course, dtype):
    lib = target.lib
    _require(lib, "nn", "optim")
    lib.manual_seed(0)  # identical weights in both frameworks
    model = course.model(lib)
    if dtype != "float32":
        model = model.to(target.dtype(dtype))
    return model.to(target.device)


def _train_builder(course):
    def build(target, dtype):
        lib = target.lib
        model = _model_on(target, course, dtype)
        X, y = course.data(dtype)
        X, y = target.tensor(X), _target_array(target, y, course)
        loss_fn = getattr(lib.nn, course.loss)()
        optimizer = getattr(lib.optim, course.optimizer)(params=model.parameters(), lr=course.lr)
        model.train()

        def step():  # the course's training loop body
            y_pred = model(X)
            loss = loss_fn(y_pred, y)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            return loss
        return step
    return build


def _inference_builder(course):
    def build(target, dtype):
        lib = target.lib
        model = _model_on(target, course, dtype)
        X, _ = course.data(dtype)
        image = target.tensor(X[:1])
        model.eval()

        def step():  # the course's prediction on one image
            with lib.inference_mode():
                return lib.softmax(model(image), dim=1).argmax(dim=1)
        return step
    return build


def _batch(course):
    return len(course.data("float32")[0])


# (course key, size label, suites for the step time, suites for peak memory)
TRAINING = [
    ("linreg", "40 samples", SUITES, ()),
    ("circles", "800 samples", SUITES, ()),
    ("blobs", "800 samples", ("default", "full"), ()),
    ("mlp784_b32", "b32", SUITES, ()),
    ("mlp784_b512", "b512", ("default", "full"), ("default", "full")),
    ("tinyvgg_1x28", "1x28x28 b32", SUITES, SUITES),
    ("tinyvgg_3x64", "3x64x64 b32", ("default", "full"), ("default", "full")),
    ("vit_small", "3x32x32 b32", ("default", "full"), ("full",)),
    ("tinyvgg_1x28_b512", "1x28x28 b512", ("full",), ()),
    ("tinyvgg_3x64_b512", "3x64x64 b512", ("full",), ()),
    ("vit_small_b512", "3x32x32 b512", ("full",), ()),
]
INFERENCE = [("tinyvgg_3x64", "3x64x64 b1", SUITES), ("vit_small", "3x32x32 b1", ("default", "full"))]


def model_workloads():
    out = []
    for key, size, suites, memory_suites in TRAINING:
        course = COURSES[key]
        name = "train." + key.split("_")[0]
        out.append(Workload(name, size, "train", _train_builder(course), frozenset(suites),
                            samples=_batch(course)))
        if memory_suites:
            out.append(Workload("memory." + name, size, "memory", _train_builder(course),
                                frozenset(memory_suites), metric="memory"))
    for key, size, suites in INFERENCE:
        out.append(Workload("infer." + key.split("_")[0], size, "inference",
                            _inference_builder(COURSES[key]), frozenset(suites), samples=1))
    return out


# ---------------------------------------------------------------- one epoch of chapter 03

def _standin_cache_path(n):
    import tempfile
    return os.path.join(tempfile.gettempdir(), "minitorch_lite_benchmarks", f"fashion_standin_{n}.npz")


def fashion_standin(n=60000):
    """The chapter-03 Fashion-MNIST stand-in (minitorch_lite.vision's synthetic drawings), as
    (images uint8 [n, 28, 28], labels uint8 [n]); drawn once (a few seconds), then read from a cache."""
    path = _standin_cache_path(n)
    if os.path.exists(path):
        with np.load(path) as f:
            return f["images"], f["labels"]
    try:
        from minitorch_lite.vision.standin import make_fashion_mnist_standin
    except ImportError as err:
        raise Unavailable(f"minitorch_lite.vision.standin is not available ({err})") from None
    images, labels = make_fashion_mnist_standin(n)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    temporary = f"{path}.{os.getpid()}.npz"
    np.savez(temporary, images=images, labels=labels)
    os.replace(temporary, path)  # atomic: another worker may be reading
    return images, labels


EPOCH_MODELS = {"fashion_v0": models.fashion_mnist_v0,
                "tinyvgg": lambda lib: models.tiny_vgg(lib, 1, 10, 10, 28)}


def _epoch_builder(model_key):
    def build(target, dtype):
        lib = target.lib
        _require(lib, "nn", "optim", "utils.data")
        images, labels = fashion_standin()
        # ToTensor done once up front (uint8 HWC -> float CHW in [0, 1]), the same for both frameworks
        X = lib.from_numpy((images[:, None] / np.float32(255)).astype(dtype))
        y = lib.from_numpy(labels.astype(np.int64))
        loader = lib.utils.data.DataLoader(lib.utils.data.TensorDataset(X, y), batch_size=32, shuffle=True)
        lib.manual_seed(0)
        model = EPOCH_MODELS[model_key](lib)
        if dtype != "float32":
            model = model.to(target.dtype(dtype))
        model = model.to(target.device)
        loss_fn = lib.nn.CrossEntropyLoss()
        optimizer = lib.optim.SGD(params=model.parameters(), lr=0.1)

        def step():  # chapter 03's train_step over the whole training set
            model.train()
            train_loss, train_correct = 0, 0
            for X_batch, y_batch in loader:
                X_batch, y_batch = X_batch.to(target.device), y_batch.to(target.device)
                y_pred = model(X_batch)
                loss = loss_fn(y_pred, y_batch)
                train_loss += loss
                train_correct += (y_pred.argmax(dim=1) == y_batch).sum().item()
                optimizer.zero_grad()
                loss.backward()
                optimizer.step()
            return train_loss, train_correct
        return step
    return build


def epoch_workloads():
    return [Workload("epoch.fashion_v0", "60000 images b32", "epoch", _epoch_builder("fashion_v0"),
                     frozenset(("default", "full")), samples=60000),
            Workload("epoch.tinyvgg", "60000 images b32", "epoch", _epoch_builder("tinyvgg"),
                     frozenset(("full",)), samples=60000)]


# ---------------------------------------------------------------- optimizer steps

# (name, optimizer, its arguments, elements read + written per parameter element)
OPTIMIZERS = [("adam", "Adam", {"lr": 1e-3}, 7),                    # p, g, m, v read; p, m, v written
              ("sgd_momentum", "SGD", {"lr": 1e-2, "momentum": 0.9}, 5)]  # p, g, buf read; p, buf written


def _optimizer_builder(optimizer, kwargs, shapes):
    def build(target, dtype):
        lib = target.lib
        rng = np.random.default_rng(0)
        params = []
        for shape in shapes:
            p = target.tensor(rng.uniform(-1, 1, shape).astype(dtype), requires_grad=True)
            p.grad = target.tensor(rng.uniform(-1, 1, shape).astype(dtype))
            params.append(p)
        opt = getattr(lib.optim, optimizer)(params, **kwargs)  # torch's default: foreach on CUDA
        opt.step()  # the state (moments, momentum buffers) exists before timing starts

        def step():  # returns a parameter: the report compares mt's and torch's first updates
            opt.step()
            return params[0]
        return step
    return build


def optimizer_workloads():
    """One optimizer step over 10M parameters shaped like ten linear layers' weights and biases."""
    shapes = [(1000, 1000), (1000,)] * 10
    count = sum(math.prod(s) for s in shapes)
    return [Workload(f"optim.{name}", f"{count / 1e6:.1f}M params", "optim",
                     _optimizer_builder(optimizer, kwargs, shapes), frozenset(("default", "full")),
                     elements_moved=moved * count)
            for name, optimizer, kwargs, moved in OPTIMIZERS]


# ---------------------------------------------------------------- ViT-Base layers and inference (chapter 08)

VIT_B = dict(batch=8, tokens=197, width=768, heads=12)  # ViT-B/16 on a 224x224 image: 196 patches + class


def _layer_norm_builder(target, dtype):
    lib = target.lib
    b, n, d = VIT_B["batch"], VIT_B["tokens"], VIT_B["width"]
    lib.manual_seed(0)
    norm = lib.nn.LayerNorm(d).to(target.device)
    if dtype == "float64":
        norm = norm.double()
    x = target.tensor(_normal((b, n, d), dtype, 31), requires_grad=True)

    def step():
        _clear_grads([x] + list(norm.parameters()))
        out = norm(x)
        out.sum().backward()
        return out
    return step


def _attention_builder(target, dtype):
    lib = target.lib
    b, n, d, h = VIT_B["batch"], VIT_B["tokens"], VIT_B["width"], VIT_B["heads"]
    lib.manual_seed(0)
    attention = lib.nn.MultiheadAttention(d, h, batch_first=True).to(target.device)
    if dtype == "float64":
        attention = attention.double()
    x = target.tensor(_normal((b, n, d), dtype, 32), requires_grad=True)

    def step():  # ViT's self-attention: query = key = value, no weights returned
        _clear_grads([x] + list(attention.parameters()))
        out, _ = attention(x, x, x, need_weights=False)
        out.sum().backward()
        return out
    return step


def _vit_b16_inference_builder(target, dtype):
    lib = target.lib
    try:
        vision = importlib.import_module("minitorch_lite.vision" if lib.__name__ != "torch"
                                         else "reference._torchvision")
    except ImportError as error:
        raise Unavailable(f"torchvision: {error}") from None
    lib.manual_seed(0)
    model = vision.models.vit_b_16().to(target.device)
    if dtype == "float64":
        model = model.double()
    model.eval()
    image = target.tensor(_normal((1, 3, 224, 224), dtype, 33))

    def step():  # one prediction, as the course's predict() does
        with lib.inference_mode():
            return lib.softmax(model(image), dim=1).argmax(dim=1)
    return step


def vit_base_workloads():
    b, n, d = VIT_B["batch"], VIT_B["tokens"], VIT_B["width"]
    shape = f"b{b}x{n}x{d}"
    return [
        Workload("layer_norm+grad", shape, "layers", _layer_norm_builder, frozenset(("default", "full")),
                 elements_moved=4 * b * n * d),
        Workload("attention+grad", shape, "layers", _attention_builder, frozenset(("default", "full")),
                 flops=3 * 2 * b * n * d * 4 * d + 3 * 4 * b * n * n * d),
        Workload("infer.vit_b16", "3x224x224 b1", "inference", _vit_b16_inference_builder,
                 frozenset(("default", "full")), samples=1),
    ]


# ---------------------------------------------------------------- the registry

GROUPS = ("elementwise", "reduction", "matmul", "conv2d", "layers", "autograd", "optim", "train", "inference",
          "epoch", "memory")


@functools.lru_cache(maxsize=1)
def all_workloads():
    return tuple(micro_workloads() + matmul_workloads() + conv_workloads() + autograd_workloads()
                 + optimizer_workloads() + model_workloads() + vit_base_workloads() + epoch_workloads())


def matches(workload, pattern):
    """`pattern` as a substring of the workload id, or as a regular expression searched in it."""
    if not pattern:
        return True
    if pattern in workload.id:
        return True
    try:
        return re.search(pattern, workload.id) is not None
    except re.error:
        return False


def select(suite="default", pattern=None):
    """The workloads of `suite` whose id matches `pattern`, in table order."""
    if suite not in SUITES:
        raise ValueError(f"unknown suite {suite!r}; expected one of {SUITES}")
    chosen = [w for w in all_workloads() if suite in w.suites and matches(w, pattern)]
    return sorted(chosen, key=lambda w: GROUPS.index(w.group))

