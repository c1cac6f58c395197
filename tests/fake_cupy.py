"""A strict stand-in for CuPy on the CPU, to run the device="cuda" tests where there is no GPU.

    MINITORCH_LITE_FAKE_CUDA=1 pytest -m gpu      (tests/conftest.py installs it before collection)

What it is for: the GPU code paths of minitorch_lite (moving tensors across the device boundary,
device propagation through every op and layer, optimizer state, checkpoints with map_location,
the fused kernels' Python wrappers) run only on a GPU, and a GPU is lent to few sessions. This
module lets them run here, with CuPy's rules at the host boundary enforced:

- arrays are a NumPy subclass whose `.device.id` is 0, so minitorch_lite sees them as cuda:0;
- mixing them with host NumPy arrays (ndim >= 1) in one operation (a ufunc, a NumPy or CuPy
  function, an assignment) raises TypeError, as CuPy does; `.get()` copies out;
- reductions give 0-d arrays, not NumPy scalars, as CuPy does;
- only names that CuPy 14.2 really has (tests/data/cupy_14_2_names.txt) exist on the module, and
  the array attributes NumPy has but CuPy lacks (`ctypes`, `resize`, ...) raise AttributeError;
- ElementwiseKernel / ReductionKernel run the kernel text compiled for the CPU
  (cuda_kernel_emulator.py).

What it is not: a GPU. It says nothing about CuPy's own kernels, CUDA numerics or speed, and it
does not check that every ndarray method or keyword argument exists in CuPy. Being a NumPy
subclass, its arrays pass `isinstance(x, np.ndarray)` and `np.asarray(x)` silently, where CuPy's
fail (minitorch_lite tests `type(x) is np.ndarray` instead, which tells them apart). Results
obtained with it are never reported as GPU results.
"""
import os
import sys
import types

import numpy as np

import cuda_kernel_emulator

_NAMES = frozenset(line.strip() for line in open(os.path.join(os.path.dirname(__file__), "data",
                                                               "cupy_14_2_names.txt"))
                   if line.strip() and not line.startswith("#"))


class _Device:
    def __init__(self, index=0):
        self.id = int(index)
        self.compute_capability = "90"

    def use(self):
        pass

    def synchronize(self):
        pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


_DEVICE = _Device(0)


def _unwrap(value):
    """A fake GPU array as plain NumPy for computing; a host array is refused as CuPy refuses it."""
    if isinstance(value, ndarray):
        return value.view(np.ndarray)
    if type(value) is np.ndarray and value.ndim > 0:
        raise TypeError(f"Unsupported type {type(value)}")
    if isinstance(value, (list, tuple)):
        return type(value)(_unwrap(v) for v in value)
    return value


def _wrap(value):
    if type(value) is np.ndarray:
        return value.view(ndarray)
    if isinstance(value, np.generic) and not isinstance(value, (np.str_, np.bytes_)):
        return np.asarray(value).view(ndarray)  # CuPy reductions return 0-d arrays
    if isinstance(value, tuple):
        return tuple(_wrap(v) for v in value)
    if isinstance(value, list):
        return [_wrap(v) for v in value]
    return value


def _missing(name):
    def refuse(self):
        raise AttributeError(f"'cupy.ndarray' object has no attribute '{name}' (NumPy has it, CuPy 14.2 not)")
    return property(refuse)


class ndarray(np.ndarray):
    """A NumPy array that says it lives on cuda:0 and keeps to CuPy's rules at the host boundary."""

    # the public ndarray attributes NumPy has and CuPy 14.2 lacks
    ctypes, getfield, resize, setfield, setflags, to_device = (
        _missing(n) for n in ("ctypes", "getfield", "resize", "setfield", "setflags", "to_device"))

    @property
    def device(self):
        return _DEVICE

    def get(self, stream=None, order="C", out=None):
        host = np.array(self.view(np.ndarray), order=order, copy=True)
        if out is not None:
            out[...] = host
            return out
        return host

    def __array_ufunc__(self, ufunc, method, *inputs, out=None, **kwargs):
        if out is not None:
            kwargs["out"] = tuple(_unwrap(o) for o in out)
        result = getattr(ufunc, method)(*_unwrap(inputs), **kwargs)
        if out is not None:
            return out[0] if len(out) == 1 else out
        return _wrap(result)

    def __array_function__(self, func, types, args, kwargs):
        out = kwargs.get("out")
        result = func(*_unwrap(args), **{k: _unwrap(v) for k, v in kwargs.items()})
        return out if out is not None else _wrap(result)

    def __getitem__(self, index):
        return _wrap(self.view(np.ndarray)[_index(index)])

    def __setitem__(self, index, value):
        self.view(np.ndarray)[_index(index)] = _unwrap(value)

    def __repr__(self):
        return "fake_cupy." + repr(self.view(np.ndarray))

    def __reduce__(self):
        raise TypeError("fake CuPy arrays are not picklable (nor are real ones, to the host)")


def _index(index):
    """Index arrays: device arrays as NumPy; host index arrays allowed, as CuPy allows them."""
    if isinstance(index, tuple):
        return tuple(_index(i) for i in index)
    if isinstance(index, ndarray):
        return index.view(np.ndarray)
    return index


def _function(numpy_function):
    def call(*args, **kwargs):
        out = kwargs.get("out")
        result = numpy_function(*_unwrap(args), **{k: _unwrap(v) for k, v in kwargs.items()})
        return out if out is not None else _wrap(result)
    call.__name__ = getattr(numpy_function, "__name__", "function")
    return call


def asarray(a, dtype=None, order=None, *, blocking=False):
    """Host -> device (explicit, allowed); a device array stays."""
    if isinstance(a, ndarray):
        return a if dtype is None or a.dtype == dtype else a.astype(dtype)
    return np.array(a, dtype=dtype, order=order or "K", copy=True).view(ndarray)


def array(obj, dtype=None, copy=True, order="K", subok=False, ndmin=0, *, blocking=False):
    if isinstance(obj, ndarray):
        return np.array(obj.view(np.ndarray), dtype=dtype, copy=copy, order=order, ndmin=ndmin).view(ndarray)
    return np.array(obj, dtype=dtype, copy=True, order=order, ndmin=ndmin).view(ndarray)


def asnumpy(a, stream=None, order="C", out=None, *, blocking=True):
    return a.get(order=order, out=out) if isinstance(a, ndarray) else np.asarray(a)


class _Kernel:
    """CuPy's ElementwiseKernel / ReductionKernel on fake arrays: the emulator's CPU build of the
    kernel text, found by the name minitorch_lite gives it (mt_<name>)."""

    def __init__(self, *spec, name, **options):
        self._emulated = cuda_kernel_emulator.emulated_kernel(name[len("mt_"):])

    def __call__(self, *args, **kwargs):
        return _wrap(self._emulated(*_unwrap(args), **kwargs))


class _MemoryPool:
    def used_bytes(self):
        return 0

    def total_bytes(self):
        return 0

    def free_all_blocks(self):
        pass

    def malloc(self, size):
        return None


_POOL = _MemoryPool()


def _make_cuda_namespace():
    runtime = types.SimpleNamespace(
        getDeviceCount=lambda: 1, getDevice=lambda: 0, runtimeGetVersion=lambda: 12090,
        getDeviceProperties=lambda index: {"name": b"fake CUDA device (NumPy, tests only)",
                                           "totalGlobalMem": 0},
        deviceSynchronize=lambda: None)

    class Event:
        def __init__(self, block=False, disable_timing=False, interprocess=False):
            import time
            self._clock, self.time = time.perf_counter, None

        def record(self, stream=None):
            self.time = self._clock()

        def synchronize(self):
            pass

        @property
        def done(self):
            return True

    class MemoryHook:  # CuPy calls its methods on every pool allocation; here nothing is pooled
        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False

    stream = types.SimpleNamespace(synchronize=lambda: None)
    cuda = types.ModuleType("cupy.cuda")
    cuda.__dict__.update(
        runtime=runtime, Device=_Device, Event=Event,
        get_elapsed_time=lambda start, end: (end.time - start.time) * 1000.0,
        Stream=types.SimpleNamespace(null=stream), get_current_stream=lambda: stream,
        set_allocator=lambda allocator=None: None, MemoryHook=MemoryHook,
        memory_hook=types.SimpleNamespace(MemoryHook=MemoryHook))
    return cuda


def _make_random_namespace():
    state = {"rng": np.random.RandomState(0)}

    def seed(value=None):
        state["rng"] = np.random.RandomState(value)
    return types.SimpleNamespace(
        seed=seed,
        rand=lambda *shape: _wrap(state["rng"].rand(*shape)),
        randn=lambda *shape: _wrap(state["rng"].randn(*shape)),
        random=lambda size=None, dtype=float: _wrap(state["rng"].random_sample(size).astype(dtype)))


class _Ufunc:
    """A NumPy ufunc on fake arrays, with the methods CuPy's ufuncs have (at, reduce, outer, ...)."""

    def __init__(self, ufunc):
        self._ufunc = ufunc
        self.__name__ = ufunc.__name__
        self._call = _function(ufunc)
        for method in ("reduce", "accumulate", "reduceat", "outer"):
            setattr(self, method, _function(getattr(ufunc, method)))

    def __call__(self, *args, **kwargs):
        return self._call(*args, **kwargs)

    def at(self, a, indices, b=None):
        self._ufunc.at(_unwrap(a), _index(indices), *(() if b is None else (_unwrap(b),)))


def _as_strided(x, shape=None, strides=None):
    return _wrap(np.lib.stride_tricks.as_strided(_unwrap(x), shape, strides))


class _FakeCupyModule(types.ModuleType):
    ndarray = ndarray

    def __getattr__(self, name):
        if name not in _NAMES:
            raise AttributeError(f"module 'cupy' has no attribute '{name}' (not in CuPy 14.2)")
        value = getattr(np, name)
        if isinstance(value, np.ufunc):
            value = _Ufunc(value)
        elif callable(value) and not isinstance(value, type):
            value = _function(value)
        setattr(self, name, value)
        return value


def make_modules():
    """(cupy, cupyx) stand-ins."""
    cp = _FakeCupyModule("cupy", __doc__)
    cp.__version__ = "14.2.0 (fake, NumPy-backed, tests only)"
    cp.asarray, cp.array, cp.asnumpy = asarray, array, asnumpy
    cp.ElementwiseKernel = lambda *spec, name="kernel", **kw: _Kernel(*spec, name=name, **kw)
    cp.ReductionKernel = lambda *spec, name="kernel", **kw: _Kernel(*spec, name=name, **kw)
    cp.cuda = _make_cuda_namespace()
    cp.random = _make_random_namespace()
    cp.lib = types.SimpleNamespace(stride_tricks=types.SimpleNamespace(as_strided=_as_strided))
    cp.get_default_memory_pool = lambda: _POOL
    cp.get_default_pinned_memory_pool = lambda: _POOL
    linalg = types.SimpleNamespace(COMPUTE_TYPE_DEFAULT=1, COMPUTE_TYPE_TF32=7)
    cp._core = types.SimpleNamespace(_routines_linalg=linalg, set_compute_type=lambda dtype, kind: None)

    from minitorch_lite.backend import special as host_special
    cupyx = types.ModuleType("cupyx")

    def scatter_add(target, index, values):
        np.add.at(_unwrap(target), _index(index), _unwrap(values))
    cupyx.scatter_add = scatter_add
    cupyx.scipy = types.SimpleNamespace(special=types.SimpleNamespace(
        erf=lambda x: _wrap(host_special.erf(_unwrap(x))),
        erfinv=lambda x: _wrap(host_special.erfinv(_unwrap(x)))))
    return cp, cupyx


def install():
    """Make minitorch_lite see one CUDA device backed by this stand-in."""
    from minitorch_lite.backend import cuda_backend
    cp, cupyx = make_modules()
    sys.modules["cupy"], sys.modules["cupyx"], sys.modules["cupy.cuda"] = cp, cupyx, cp.cuda
    sys.modules["cupyx.scipy"] = cupyx.scipy
    sys.modules["cupyx.scipy.special"] = cupyx.scipy.special
    cuda_backend._cupy, cuda_backend._checked = cp, True
    return cp
