"""The cells of tutorials/00_pytorch_fundamentals.ipynb (written into it by ../build_notebooks.py)."""
from ._cells import SETUP, code, md  # noqa: F401

CELLS = [
    md("""
# 00 · PyTorch fundamentals, on minitorch_lite

This follows chapter 00 of *Learn PyTorch for Deep Learning* with one change: where the course
writes `import torch`, we write `import minitorch_lite as mt`. Everything after that is the
course's code with `torch.` spelled `mt.`. A few cells import PyTorch beside it to show the numbers
are the same (the random generator too: `mt.manual_seed(42)` gives PyTorch's numbers, bit for bit).
The last section opens the engine: what a tensor is, and how autograd computes gradients."""),
    code(SETUP),
    md("## Creating tensors\nA scalar, a vector, a matrix and a tensor: `ndim` counts the square brackets."),
    code("scalar = mt.tensor(7)\nscalar, scalar.ndim, scalar.item()"),
    code("vector = mt.tensor([7, 7])\nvector, vector.ndim, vector.shape"),
    code("MATRIX = mt.tensor([[7, 8],\n                    [9, 10]])\nMATRIX, MATRIX.ndim, MATRIX[1], MATRIX.shape"),
    code("TENSOR = mt.tensor([[[1, 2, 3],\n                     [3, 6, 9],\n                     [2, 4, 5]]])\n"
         "TENSOR, TENSOR.ndim, TENSOR.shape"),
    md("### Random tensors, zeros and ones, ranges\nNeural networks start from random numbers and "
       "adjust them. `size=` or plain dimensions both work."),
    code("random_tensor = mt.rand(3, 4)\nrandom_tensor, random_tensor.dtype"),
    code("random_image_size_tensor = mt.rand(size=(224, 224, 3))  # height, width, colour channels\n"
         "random_image_size_tensor.shape, random_image_size_tensor.ndim"),
    code("zeros = mt.zeros(size=(3, 4))\nones = mt.ones(size=(3, 4))\nzeros, ones, ones.dtype"),
    code("zero_to_ten = mt.arange(start=0, end=10, step=1)\n"
         "zero_to_ten, mt.zeros_like(input=zero_to_ten), mt.arange(0, 1000, 77)"),
    md("## Datatypes\nFloats default to `float32`, Python ints to `int64`. Mixing dtypes promotes "
       "as PyTorch does."),
    code("float_32_tensor = mt.tensor([3.0, 6.0, 9.0], dtype=None, device=None, requires_grad=False)\n"
         "float_16_tensor = float_32_tensor.type(mt.float16)\n"
         "float_32_tensor.dtype, float_16_tensor, float_16_tensor * float_32_tensor"),
    code("int_8_tensor = mt.tensor([3, 6, 9], dtype=mt.int8)\n"
         "int_8_tensor, int_8_tensor * float_32_tensor, mt.tensor([1, 2]).dtype"),
    code("some_tensor = mt.rand(3, 4)\n"
         "print(some_tensor)\n"
         "print(f\"Shape of tensor: {some_tensor.shape}\")\n"
         "print(f\"Datatype of tensor: {some_tensor.dtype}\")\n"
         "print(f\"Device tensor is stored on: {some_tensor.device}\")"),
    md("## Manipulating tensors\nAddition, subtraction, element-wise multiplication, division and "
       "matrix multiplication."),
    code("tensor = mt.tensor([1, 2, 3])\n"
         "tensor + 10, tensor * 10, tensor - 10, mt.multiply(tensor, 10)"),
    code("value = 0\nfor i in range(len(tensor)):  # matrix multiplication by hand...\n"
         "    value += tensor[i] * tensor[i]\n"
         "value, tensor * tensor, mt.matmul(tensor, tensor), tensor @ tensor  # ...and built in"),
    md("### The rules of matrix multiplication\n1. The **inner dimensions** must match: "
       "`(3, 2) @ (3, 2)` fails, `(3, 2) @ (2, 3)` works.\n2. The result has the **outer "
       "dimensions**: `(3, 2) @ (2, 3)` gives `(3, 3)`.\n\nThis cell is meant to fail, with "
       "PyTorch's message:"),
    code("tensor_A = mt.tensor([[1, 2],\n                      [3, 4],\n                      [5, 6]], dtype=mt.float32)\n"
         "tensor_B = mt.tensor([[7, 10],\n                      [8, 11],\n                      [9, 12]], dtype=mt.float32)\n"
         "mt.matmul(tensor_A, tensor_B)", raises=True),
    code("print(f\"Original shapes: tensor_A = {tensor_A.shape}, tensor_B = {tensor_B.shape}\")\n"
         "print(f\"New shapes: tensor_A = {tensor_A.shape} (same), tensor_B.T = {tensor_B.T.shape}\")\n"
         "output = mt.matmul(tensor_A, tensor_B.T)\n"
         "print(output)\nprint(f\"Output shape: {output.shape}\")"),
    md("A linear layer is a matrix multiplication plus a bias: `y = x @ W.T + b`. Seeded, its "
       "weights are PyTorch's."),
    code("mt.manual_seed(42)\nlinear = nn.Linear(in_features=2, out_features=6)\n"
         "output = linear(tensor_A)\nprint(f\"Input shape: {tensor_A.shape}\\n\")\n"
         "print(f\"Output:\\n{output}\\n\\nOutput shape: {output.shape}\")"),
    md("## Aggregation: min, max, mean, sum, and where they are"),
    code("x = mt.arange(0, 100, 10)\n"
         "x.min(), x.max(), mt.mean(x.type(mt.float32)), x.sum(), x.argmax(), x.argmin()"),
    md("`mean` needs a floating-point tensor (this cell is meant to fail, like PyTorch's):"),
    code("x.mean()", raises=True),
    md("## Reshaping, viewing, stacking, squeezing, permuting\nA **view** shares memory with the "
       "original: changing one changes the other."),
    code("x = mt.arange(1., 8.)\nx_reshaped = x.reshape(1, 7)\nz = x.view(1, 7)\n"
         "z[:, 0] = 5\nz, x  # x changed too"),
    code("x_stacked = mt.stack([x, x, x, x], dim=0)\n"
         "x_squeezed = x_reshaped.squeeze()\nx_unsqueezed = x_squeezed.unsqueeze(dim=0)\n"
         "x_stacked, x_reshaped.shape, x_squeezed.shape, x_unsqueezed.shape"),
    code("x_original = mt.rand(size=(224, 224, 3))\nx_permuted = x_original.permute(2, 0, 1)  # HWC -> CHW\n"
         "x_original[0, 0, 0] = 728218  # permute is a view as well\n"
         "x_permuted.shape, x_permuted[0, 0, 0]"),
    md("## Indexing"),
    code("x = mt.arange(1, 10).reshape(1, 3, 3)\nx, x[0], x[0][0], x[0][0][0]"),
    code("x[:, 0], x[:, :, 1], x[:, 1, 1], x[0, 0, :], x[0][2][2], x[:, :, 2]"),
    md("## NumPy\n`from_numpy` keeps NumPy's dtype (float64) and shares its memory; `.numpy()` "
       "shares the tensor's."),
    code("array = np.arange(1.0, 8.0)\ntensor = mt.from_numpy(array)\n"
         "array += 1  # in place: the tensor sees it\narray, tensor"),
    code("tensor = mt.ones(7)\nnumpy_tensor = tensor.numpy()\ntensor, numpy_tensor, numpy_tensor.dtype"),
    md("## Reproducibility\nRandom tensors differ, unless the seed is set again before each draw."),
    code("random_tensor_A = mt.rand(3, 4)\nrandom_tensor_B = mt.rand(3, 4)\n"
         "print(random_tensor_A == random_tensor_B)\n\n"
         "RANDOM_SEED = 42\nmt.manual_seed(seed=RANDOM_SEED)\nrandom_tensor_C = mt.rand(3, 4)\n"
         "mt.random.manual_seed(seed=RANDOM_SEED)\nrandom_tensor_D = mt.rand(3, 4)\n"
         "random_tensor_C == random_tensor_D"),
    md("## Devices\nThe course's device-agnostic idiom. minitorch_lite's GPU backend is CuPy; on a "
       "machine without one, everything stays on the CPU. (On a GPU, `.numpy()` of a CUDA tensor "
       "raises PyTorch's TypeError: copy it back with `.cpu()` first.)"),
    code("device = \"cuda\" if mt.cuda.is_available() else \"cpu\"\n"
         "tensor_on_device = mt.tensor([1, 2, 3]).to(device)\n"
         "device, mt.cuda.device_count(), mt.backends.mps.is_available(), tensor_on_device, "
         "tensor_on_device.cpu().numpy()"),
    md("## PyTorch gives the same numbers\nThe same seed, the same draws; the same layer, the "
       "same weights:"),
    code("import torch\n\ntorch.manual_seed(42)\nmt.manual_seed(42)\n"
         "print(torch.rand(3, 4))\nprint(mt.rand(3, 4))\n"
         "torch.manual_seed(42)\nmt.manual_seed(42)\n"
         "np.array_equal(torch.nn.Linear(2, 6).weight.detach().numpy(), "
         "nn.Linear(2, 6).weight.detach().numpy())"),
    md("`reference/ch00_fundamentals.py` runs this whole tour in PyTorch and "
       "`minitorch_lite/course/ch00_fundamentals.py` on minitorch_lite. Each returns a record: "
       "values, dtypes, shapes, reprs and error messages. Key by key:"),
    code("from minitorch_lite.course import ch00_fundamentals as mt_tour, compare_records\n"
         "from reference import ch00_fundamentals as torch_tour\n\n"
         "differences = compare_records(torch_tour.tensor_tour(), mt_tour.tensor_tour())\n"
         "print(f\"{len(differences)} entries compared\")\n"
         "print(\"entries not bit-identical:\", {k: v for k, v in differences.items() if v})"),
    md("The one difference is a matrix product summed in another order: one unit in the last "
       "place of a float32."),
    md("""
## How it works inside: a tensor and autograd

### A tensor is a NumPy array with a little metadata
`Tensor` keeps the numbers in `_data` (a NumPy array on the CPU, a CuPy array on a GPU) and knows
its device, whether it needs a gradient, the node that made it (`grad_fn`) and, for a view, its
base. Views are NumPy views: no copy."""),
    code("t = mt.tensor([[1.0, 2.0], [3.0, 4.0]])\nv = t.view(4)\n"
         "print(mt.Tensor.__slots__)\n"
         "print(type(t._data), t._data.dtype, t._data.strides)\n"
         "print(\"the view shares memory:\", np.shares_memory(v._data, t._data), v._base is t)"),
    md("""
### Every operation is a `Function`: a forward and a backward
`forward` computes on raw arrays; `backward` receives the gradient of the output and returns one
gradient per input. For `x * y`: d/dx = grad · y and d/dy = grad · x, each summed back to its
input's shape when broadcasting stretched it (`sum_to`). Here is multiplication, as it is in the
engine:"""),
    code("import inspect\nfrom minitorch_lite.ops.arithmetic import Mul\nfrom minitorch_lite.autograd.function import sum_to\n"
         "print(inspect.getsource(Mul))\nprint(inspect.getsource(sum_to))"),
    md("`Function.apply` runs `forward` and, when a gradient is needed, records the call as a "
       "node of the graph: the node is the output's `grad_fn`, and its `parents` are the nodes "
       "(or leaf tensors) of the inputs."),
    code("from minitorch_lite.autograd.function import Function\nprint(inspect.getsource(Function.apply))"),
    md("### A graph, and its backward pass\ny = x·x + 2x at x = 3: dy/dx = 2x + 2 = 8."),
    code("x = mt.tensor(3.0, requires_grad=True)\ny = x * x + 2 * x\n"
         "print(y)\nprint(y.grad_fn, \"<-\", y.grad_fn.next_functions)\n"
         "y.backward()\nx.grad"),
    md("`backward()` walks the graph from the output: it counts how many times each node is "
       "used, then visits the nodes in an order where a node runs only once all of its consumers "
       "have handed it their gradient, calls each node's `backward`, sums the gradients arriving "
       "at the same node, and finally adds them into the leaves' `.grad`:"),
    code("from minitorch_lite.autograd import engine\nprint(inspect.getsource(engine.run_backward))"),
    md("The same derivative from PyTorch:"),
    code("x_torch = torch.tensor(3.0, requires_grad=True)\ny_torch = x_torch * x_torch + 2 * x_torch\n"
         "y_torch.backward()\nx_torch.grad"),
]
