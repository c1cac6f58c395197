"""minitorch_lite.utils.tensorboard against torch.utils.tensorboard: the same calls in both, every
file read back with tensorboard's own readers (EventMultiplexer / EventAccumulator), compared run
by run, tag by tag, step by step, value by value."""
import os
import re
import socket
import subprocess
import sys
import textwrap
from datetime import datetime
from pathlib import Path

import numpy as np
import pytest
import torch

import minitorch_lite as mt

pytest.importorskip("tensorboard", reason="needs the tensorboard package ([tensorboard] extra)")
from tensorboard.backend.event_processing.event_accumulator import EventAccumulator  # noqa: E402
from tensorboard.backend.event_processing.event_multiplexer import EventMultiplexer  # noqa: E402
from torch.utils.tensorboard import SummaryWriter as TorchWriter  # noqa: E402

from minitorch_lite.utils.tensorboard import SummaryWriter  # noqa: E402

REPO = Path(__file__).resolve().parents[1]


def read_runs(log_dir):
    """{run (relative folder): EventAccumulator} for every run under log_dir."""
    mux = EventMultiplexer(size_guidance={"scalars": 0, "histograms": 0, "images": 0, "tensors": 0})
    mux.AddRunsFromDirectory(str(log_dir))
    mux.Reload()
    return {run: mux.GetAccumulator(run) for run in mux.Runs()}


def scalars(acc):
    return {tag: [(e.step, e.value) for e in acc.Scalars(tag)] for tag in acc.Tags()["scalars"]}


def log_everything(writer_class, log_dir, lib):
    """The same calls, on torch or minitorch_lite values (lib = torch or mt)."""
    rng = np.random.default_rng(0)
    weights = rng.standard_normal(1000).astype(np.float32)
    image_chw = rng.random((3, 8, 10)).astype(np.float32)
    image_hwc = (rng.random((6, 5, 3)) * 255).astype(np.uint8)
    batch = rng.random((3, 1, 4, 4)).astype(np.float32)
    with writer_class(log_dir=str(log_dir)) as writer:
        for step in range(4):
            writer.add_scalar("Loss/train", lib.tensor(1.0 / (step + 1)), global_step=step, walltime=100.0 + step)
            writer.add_scalar("Accuracy/test", 0.5 + step / 10, step)
            writer.add_scalars("Loss", {"train_loss": 1.0 / (step + 1), "test_loss": lib.tensor(2.0 / (step + 1))},
                               global_step=step)
        writer.add_scalar("numpy", np.float32(3.5), 0)
        writer.add_scalar("new_style", 1.25, 0, new_style=True)
        writer.add_histogram("weights", lib.from_numpy(weights), global_step=1)
        writer.add_histogram("weights_auto", weights, global_step=2, bins="auto")
        writer.add_histogram("weights_max_bins", lib.from_numpy(weights), 3, max_bins=10)
        writer.add_histogram_raw("raw", min=0.0, max=2.0, num=3, sum=3.0, sum_squares=5.0,
                                 bucket_limits=[1.0, 2.0], bucket_counts=[1, 2], global_step=0)
        writer.add_image("image_chw", lib.from_numpy(image_chw), global_step=0)
        writer.add_image("image_hwc", image_hwc, 1, dataformats="HWC")
        writer.add_images("batch", lib.from_numpy(batch), 2)
        writer.add_text("notes", "EffNetB0, 5 epochs", 0)
        writer.add_hparams({"lr": 0.001, "batch_size": 32, "model": "effnetb0"},
                           {"hparam/accuracy": 0.75, "hparam/loss": 0.5}, run_name="hp", global_step=5)


@pytest.fixture(scope="module")
def both_logs(tmp_path_factory):
    root = tmp_path_factory.mktemp("tb")
    log_everything(TorchWriter, root / "torch", torch)
    log_everything(SummaryWriter, root / "mt", mt)
    return read_runs(root / "torch"), read_runs(root / "mt")


def test_same_runs_tags_steps_and_scalars(both_logs):
    theirs, ours = both_logs
    assert sorted(ours) == sorted(theirs) == [".", "Loss_test_loss", "Loss_train_loss", "hp"]
    for run in theirs:
        assert {k: sorted(v) for k, v in ours[run].Tags().items() if isinstance(v, list)} == \
            {k: sorted(v) for k, v in theirs[run].Tags().items() if isinstance(v, list)}, run
        assert scalars(ours[run]) == scalars(theirs[run]), run
    assert scalars(ours["Loss_train_loss"])["Loss"] == [(s, pytest.approx(1.0 / (s + 1))) for s in range(4)]
    assert [e.wall_time for e in ours["."].Scalars("Loss/train")] == [100.0, 101.0, 102.0, 103.0]
    assert ours["."].Tensors("new_style")[0].tensor_proto == theirs["."].Tensors("new_style")[0].tensor_proto
    assert ours["."].Tensors("new_style")[0].tensor_proto.float_val == [1.25]


def test_same_histograms(both_logs):
    theirs, ours = both_logs
    for tag in ("weights", "weights_auto", "weights_max_bins", "raw"):
        (got,), (want,) = ours["."].Histograms(tag), theirs["."].Histograms(tag)
        assert got.step == want.step
        assert got.histogram_value == want.histogram_value, tag


def test_same_images(both_logs):
    theirs, ours = both_logs
    from PIL import Image
    import io
    for tag in ("image_chw", "image_hwc", "batch"):
        (got,), (want,) = ours["."].Images(tag), theirs["."].Images(tag)
        assert (got.step, got.width, got.height) == (want.step, want.width, want.height)
        np.testing.assert_array_equal(np.asarray(Image.open(io.BytesIO(got.encoded_image_string))),
                                      np.asarray(Image.open(io.BytesIO(want.encoded_image_string))))


def test_same_text_and_hparams(both_logs):
    theirs, ours = both_logs
    assert ours["."].Tensors("notes/text_summary")[0].tensor_proto.string_val == [b"EffNetB0, 5 epochs"]
    got, want = ours["."].Tensors("notes/text_summary")[0], theirs["."].Tensors("notes/text_summary")[0]
    assert (got.step, got.tensor_proto) == (want.step, want.tensor_proto)
    assert ours["."].SummaryMetadata("notes/text_summary") == theirs["."].SummaryMetadata("notes/text_summary")
    assert ours["hp"].PluginTagToContent("hparams") == theirs["hp"].PluginTagToContent("hparams")
    assert scalars(ours["hp"]) == scalars(theirs["hp"]) == {"hparam/accuracy": [(5, 0.75)], "hparam/loss": [(5, 0.5)]}


def module_edges(graph_def, parameter_ops):
    """The graph at module level: {(scope of producer, scope of consumer)} for every op edge."""
    scope = {}
    for node in graph_def.node:
        if node.op not in parameter_ops:
            scope[node.name] = "input" if node.name.startswith("input/") else node.name.rsplit("/", 1)[0]
    return {(scope[i], scope[node.name]) for node in graph_def.node
            if node.name in scope and not node.name.startswith(("input/", "output/"))
            for i in node.input if i in scope and scope[i] != scope[node.name]}


def test_add_graph_records_the_module_graph_torch_records(tmp_path):
    def make(lib):
        lib.manual_seed(0)
        return lib.nn.Sequential(lib.nn.Conv2d(1, 4, 3, padding=1), lib.nn.BatchNorm2d(4), lib.nn.ReLU(),
                                 lib.nn.MaxPool2d(2), lib.nn.Flatten(), lib.nn.Linear(4 * 4 * 4, 3))
    x = np.random.default_rng(0).standard_normal((2, 1, 8, 8)).astype(np.float32)
    ours, theirs = make(mt), make(torch)
    ours.train()
    with SummaryWriter(tmp_path / "mt") as writer:
        writer.add_graph(ours, mt.from_numpy(x))
    with TorchWriter(str(tmp_path / "torch")) as writer:
        writer.add_graph(theirs, torch.from_numpy(x))
    assert ours.training                                     # put back in training mode afterwards
    got = read_runs(tmp_path / "mt")["."].Graph()
    want = read_runs(tmp_path / "torch")["."].Graph()
    assert module_edges(got, {"Parameter"}) == module_edges(want, {"prim::GetAttr"}) == {
        ("input", "Sequential/Conv2d[0]"), ("Sequential/Conv2d[0]", "Sequential/BatchNorm2d[1]"),
        ("Sequential/BatchNorm2d[1]", "Sequential/ReLU[2]"), ("Sequential/ReLU[2]", "Sequential/MaxPool2d[3]"),
        ("Sequential/MaxPool2d[3]", "Sequential/Flatten[4]"), ("Sequential/Flatten[4]", "Sequential/Linear[5]")}
    parameters = {n.name for n in got.node if n.op == "Parameter"}
    assert "Sequential/Conv2d[0]/weight" in parameters and "Sequential/Linear[5]/bias" in parameters
    output = next(n for n in got.node if n.name == "output/output.1")
    assert [d.size for d in output.attr["_output_shapes"].list.shape[0].dim] == [2, 3]
    assert read_runs(tmp_path / "mt")["."].RunMetadata("step1") is not None


def test_add_graph_of_efficientnet_keeps_inplace_layers_and_residuals_in_their_modules(tmp_path):
    from minitorch_lite.vision import models
    model = models.efficientnet_b0(num_classes=3)
    for p in model.features.parameters():
        p.requires_grad = False                              # frozen layers still appear
    with SummaryWriter(tmp_path) as writer:
        writer.add_graph(model, mt.randn(1, 3, 32, 32))
    graph_def = read_runs(tmp_path)["."].Graph()
    names = [n.name for n in graph_def.node]
    assert "EfficientNet/Sequential[features]/Conv2dNormActivation[0]/SiLU[2]/Silu.3" in names
    assert any(re.fullmatch(r"EfficientNet/Sequential\[features\]/Sequential\[2\]/MBConv\[1\]/Add\.\d+", n)
               for n in names)
    assert sum(n.op == "Parameter" for n in graph_def.node) == len(list(model.parameters()))
    assert not any(p.requires_grad for p in model.features.parameters())   # flags put back
    with pytest.raises(ValueError, match="needs an example input"):
        SummaryWriter(tmp_path / "other").add_graph(model)


def test_flush_makes_events_readable_before_close_and_writing_after_close_reopens(tmp_path):
    writer = SummaryWriter(tmp_path, flush_secs=10_000)
    writer.add_scalar("x", 1.0, 0)
    writer.flush()
    acc = EventAccumulator(str(tmp_path))
    acc.Reload()
    assert [(e.step, e.value) for e in acc.Scalars("x")] == [(0, 1.0)]
    writer.close()
    writer.close()                                           # a second close does nothing
    writer.add_scalar("x", 2.0, 1)                           # a new event file, as torch
    writer.close()
    assert len([f for f in os.listdir(tmp_path) if f.startswith("events.out.tfevents.")]) == 2
    acc = EventAccumulator(str(tmp_path))
    acc.Reload()
    assert [(e.step, e.value) for e in acc.Scalars("x")] == [(0, 1.0), (1, 2.0)]


def test_default_log_dir_is_runs_date_host_comment(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    before = datetime.now().replace(microsecond=0)
    writer = SummaryWriter(comment="_effnetb0")
    writer.close()
    match = re.fullmatch(r"runs/([A-Z][a-z]{2}\d{2}_\d{2}-\d{2}-\d{2})_(.+)_effnetb0", writer.get_logdir())
    assert match and match.group(2) == socket.gethostname()
    stamp = datetime.strptime(match.group(1), "%b%d_%H-%M-%S").replace(year=before.year)
    assert abs((stamp - before).total_seconds()) < 5
    assert any(f.startswith("events.out.tfevents.") for f in os.listdir(tmp_path / writer.get_logdir()))


def test_bad_input_errors_as_torch(tmp_path):
    writer = SummaryWriter(tmp_path)
    with pytest.raises(AssertionError, match="Tensor should contain one element"):
        writer.add_scalar("x", mt.ones(2))
    with pytest.raises(TypeError, match="hparam_dict and metric_dict should be dictionary."):
        writer.add_hparams([("lr", 1)], {})
    with pytest.raises(ValueError, match="The input has no element."):
        writer.add_histogram("h", mt.zeros(0))
    with pytest.raises(AssertionError, match="size of input tensor and input format are different"):
        writer.add_image("i", mt.zeros(2, 2))
    writer.close()


def test_missing_tensorboard_package_names_the_extra(tmp_path):
    script = textwrap.dedent("""
        import sys
        sys.modules["tensorboard"] = None              # as if it were not installed
        try:
            import minitorch_lite.utils.tensorboard
        except ImportError as err:
            print("MT:", err)
        from minitorch_lite import as_torch
        as_torch.install()
        import torch
        try:
            from torch.utils.tensorboard import SummaryWriter
        except ImportError as err:
            print("TORCH:", err)
    """)
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=tmp_path,
                            env={**os.environ, "PYTHONPATH": str(REPO)}, timeout=120)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("MT: ") and 'pip install "minitorch_lite[tensorboard]"' in lines[0]
    assert lines[1].startswith("TORCH: ") and 'pip install "minitorch_lite[tensorboard]"' in lines[1]
