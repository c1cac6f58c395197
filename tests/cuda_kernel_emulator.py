"""Run the fused CUDA kernels' own text on the CPU, so their math is tested where there is no GPU.

`minitorch_lite/backend/cuda_kernels.py` keeps each kernel as CuPy `ElementwiseKernel` /
`ReductionKernel` text: typed parameters and a C body. Here that text is wrapped in a plain C++
loop (the same parameter declarations CuPy makes: `typedef float T;`, inputs `const`, outputs read
and written), compiled with the system C++ compiler into one shared library, and called through
ctypes on NumPy arrays with CuPy's calling convention (broadcast inputs, optional in-place outputs,
`axis`/`keepdims` for reductions). With `emulated_kernels()` active, `cuda_kernels.kernel(name)`
returns these CPU twins, so the Python wrappers and the ops' fused paths run end to end on NumPy.

What this does not test: CuPy's own code generation, indexing and launch, nor CUDA's math library
(whose float results differ from glibc's by an ulp or so) — the GPU parity tests cover those.
`cuda_source(...)` also writes each kernel as a CUDA `__global__` function, for an NVRTC compile
check where NVRTC is installed.
"""
import contextlib
import ctypes
import hashlib
import os
import shutil
import subprocess
import tempfile

import numpy as np

from minitorch_lite.backend import cuda_kernels

C_TYPES = {"float32": "float", "float64": "double"}
# CuPy's names for concrete parameter types -> (C type, NumPy type)
CONCRETE = {"bool": ("bool", np.bool_), "int16": ("short", np.int16), "int32": ("int", np.int32),
            "int64": ("long long", np.int64)}


def parse_params(spec):
    """'T grad, bool flag, raw T cols' -> [('T', 'grad'), ('bool', 'flag'), ('raw T', 'cols')]"""
    params = []
    for p in spec.split(","):
        if p.strip():
            *kind, name = p.split()
            params.append((" ".join(kind), name))
    return params


def _ctype(kind):
    kind = kind.replace("raw ", "")
    return "T" if kind == "T" else CONCRETE[kind][0]


def _declare(kind, name, index, const):
    ctype = _ctype(kind)
    if kind.startswith("raw "):  # the whole array, indexed by the body (a contiguous copy here)
        return f"{'const ' if const else ''}{ctype}* {name} = ({ctype}*)args[{index}];"
    return f"{'const ' if const else ''}{ctype} {name} = (({ctype}*)args[{index}])[i];"


def _elementwise_function(name, spec, T, cuda):
    ins, outs = parse_params(spec[0]), parse_params(spec[1])
    head = (f'extern "C" __global__ void {name}_{T}(long n, void** args) {{\n'
            f"  typedef {T} T;\n  long i = blockIdx.x * (long)blockDim.x + threadIdx.x;\n  if (i < n) {{\n"
            if cuda else
            f'extern "C" void {name}_{T}(long n, void** args) {{\n'
            f"  typedef {T} T;\n  for (long i = 0; i < n; ++i) {{\n")
    lines = [head]
    for k, (kind, pname) in enumerate(ins + outs):
        lines.append("    " + _declare(kind, pname, k, k < len(ins)) + "\n")
    lines.append(f"    {spec[2]};\n")
    for k, (kind, pname) in enumerate(outs, start=len(ins)):
        lines.append(f"    (({_ctype(kind)}*)args[{k}])[i] = {pname};\n")
    lines.append("  }\n}\n")
    return "".join(lines)


def _reduction_function(name, spec, T, cuda):
    in_spec, out_spec, map_expr, reduce_expr, post_expr, identity = spec
    ins, outs = parse_params(in_spec), parse_params(out_spec)
    (out_kind, out_name), = outs
    row_loop = ("  long r = blockIdx.x * (long)blockDim.x + threadIdx.x;\n  if (r < rows) {\n" if cuda
                else "  for (long r = 0; r < rows; ++r) {\n")
    lines = [f'extern "C" {"__global__ " if cuda else ""}void {name}_{T}(long rows, long cols, void** args) {{\n',
             f"  typedef {T} T;\n", row_loop, f"    T a = (T)({identity});\n",
             "    for (long c = 0; c < cols; ++c) {\n      long i = r * cols + c;\n"]
    for k, (kind, pname) in enumerate(ins):
        lines.append("      " + _declare(kind, pname, k, True) + "\n")
    lines += [f"      T b = ({map_expr});\n      a = ({reduce_expr});\n    }}\n",
              f"    T {out_name};\n    {post_expr};\n",
              f"    ((T*)args[{len(ins)}])[r] = {out_name};\n  }}\n}}\n"]
    return "".join(lines)


def cpp_source():
    parts = ["#include <cmath>\nusing namespace std;\n"]
    for T in C_TYPES.values():
        parts += [_elementwise_function(n, s, T, cuda=False) for n, s in cuda_kernels.ELEMENTWISE.items()]
        parts += [_reduction_function(n, s, T, cuda=False) for n, s in cuda_kernels.REDUCTIONS.items()]
    return "".join(parts)


def cuda_source():
    parts = []
    for T in C_TYPES.values():
        parts += [_elementwise_function(n, s, T, cuda=True) for n, s in cuda_kernels.ELEMENTWISE.items()]
        parts += [_reduction_function(n, s, T, cuda=True) for n, s in cuda_kernels.REDUCTIONS.items()]
    return "".join(parts)


def compiler():
    return shutil.which("g++") or shutil.which("c++") or shutil.which("clang++")


_LIBRARY = None


def library():
    """The kernels compiled for the CPU (once per process; cached on disk by the source's hash)."""
    global _LIBRARY
    if _LIBRARY is None:
        source = cpp_source()
        digest = hashlib.sha256(source.encode()).hexdigest()[:16]
        folder = os.path.join(tempfile.gettempdir(), "minitorch_lite_kernel_emulator")
        os.makedirs(folder, exist_ok=True)
        path = os.path.join(folder, f"kernels_{digest}.so")
        if not os.path.exists(path):
            src = os.path.join(folder, f"kernels_{digest}_{os.getpid()}.cpp")
            with open(src, "w") as f:
                f.write(source)
            partial = path + f".{os.getpid()}"
            # -O1 without -ffast-math: IEEE arithmetic in the order written, as nvcc does by default
            subprocess.run([compiler(), "-O1", "-shared", "-fPIC", "-o", partial, src], check=True,
                           capture_output=True, text=True)
            os.replace(partial, path)
        _LIBRARY = ctypes.CDLL(path)
    return _LIBRARY


def _pointers(arrays):
    return (ctypes.c_void_p * len(arrays))(*[a.ctypes.data for a in arrays])


def _numpy_type(kind, T):
    kind = kind.replace("raw ", "")
    return T if kind == "T" else CONCRETE[kind][1]


def _array_dtype(args):
    """T: the dtype of the arrays (or, failing those, the NumPy scalars) given for T parameters."""
    dtypes = {a.dtype for a in args if isinstance(a, np.ndarray) and a.ndim > 0}
    dtypes = dtypes or {np.asarray(a).dtype for a in args if isinstance(a, (np.ndarray, np.floating))}
    (dtype,) = dtypes
    return dtype


class EmulatedElementwise:
    def __init__(self, name):
        self.name = name
        self.ins, self.outs = (parse_params(s) for s in cuda_kernels.ELEMENTWISE[name][:2])

    def __call__(self, *args):
        kinds = [k for k, _ in self.ins + self.outs]
        dtype = _array_dtype([a for k, a in zip(kinds, args) if k.endswith("T")])
        shape = np.broadcast_shapes(*(np.shape(a) for k, a in zip(kinds, args) if not k.startswith("raw ")))
        buffers = [np.ascontiguousarray(np.asarray(a, _numpy_type(k, dtype))) if k.startswith("raw ") else
                   np.ascontiguousarray(np.broadcast_to(np.asarray(a, _numpy_type(k, dtype)), shape))
                   for k, a in zip(kinds, args)]
        given_outs = list(args[len(self.ins):])
        for kind, _ in self.outs[len(given_outs):]:
            buffers.append(np.zeros(shape, _numpy_type(kind, dtype)))
        fn = getattr(library(), f"{self.name}_{C_TYPES[dtype.name]}")
        fn(ctypes.c_long(int(np.prod(shape))), _pointers(buffers))
        results = buffers[len(self.ins):]
        for given, result in zip(given_outs, results):
            given[...] = result  # in-place outputs, as CuPy writes them
        results = given_outs + results[len(given_outs):]
        return results[0] if len(results) == 1 else tuple(results)


class EmulatedReduction:
    def __init__(self, name):
        self.name = name
        self.ins = parse_params(cuda_kernels.REDUCTIONS[name][0])

    def __call__(self, *args, axis=None, keepdims=False):
        dtype = _array_dtype(args)
        shape = np.broadcast_shapes(*(np.shape(a) for a in args))
        ndim = len(shape)
        axes = tuple(range(ndim)) if axis is None else tuple(
            a % ndim for a in (axis if isinstance(axis, tuple) else (axis,)))
        kept = [d for d in range(ndim) if d not in axes]
        order = kept + list(axes)
        rows = int(np.prod([shape[d] for d in kept]))
        cols = int(np.prod([shape[d] for d in axes]))
        buffers = [np.ascontiguousarray(np.broadcast_to(np.asarray(a, dtype), shape).transpose(order))
                   .reshape(rows, cols) for a in args]
        out = np.zeros(rows, dtype)
        fn = getattr(library(), f"{self.name}_{C_TYPES[dtype.name]}")
        fn(ctypes.c_long(rows), ctypes.c_long(cols), _pointers(buffers + [out]))
        if keepdims:
            return out.reshape(tuple(1 if d in axes else n for d, n in enumerate(shape)))
        return out.reshape(tuple(shape[d] for d in kept))


def emulated_kernel(name):
    if name in cuda_kernels.ELEMENTWISE:
        return EmulatedElementwise(name)
    return EmulatedReduction(name)


@contextlib.contextmanager
def emulated_kernels():
    """Within the block, every NumPy array takes the fused-kernel path, run by the CPU twins."""
    saved = cuda_kernels.kernel, cuda_kernels.use_for, cuda_kernels._cupy
    cuda_kernels.kernel = emulated_kernel
    cuda_kernels.use_for = lambda array: True
    cuda_kernels._cupy = lambda: np
    try:
        yield
    finally:
        cuda_kernels.kernel, cuda_kernels.use_for, cuda_kernels._cupy = saved
