"""mt.save to a path is atomic in both formats: a save killed by a signal, or failing half way
through (a full disk), leaves the old checkpoint as it was and no temporary file behind; a later
save cleans up after a writer killed outright; symlinks and missing directories behave as in
torch.save. The signal tests run a real writer in a subprocess and signal it while it writes."""
import errno
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pytest
import torch

import minitorch_lite as mt
from minitorch_lite.serialization import _host, load, save

REPO = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.skipif(os.name != "posix", reason="POSIX signals and rlimits")

FORMATS = ["pth", "safetensors"]

# A writer that saves a small checkpoint, says "ready", then overwrites it with a 256 MB one.
WRITER = textwrap.dedent("""
    import sys
    import minitorch_lite as mt
    path = sys.argv[1]
    mt.save({"w": mt.ones(3)}, path)
    big = {"w": mt.zeros(64 * 1024 * 1024)}
    print("ready", flush=True)
    mt.save(big, path)
    print("saved", flush=True)
    """)


def temporaries(directory):
    return sorted(name for name in os.listdir(directory) if ".mt-tmp-" in name)


def start_writer(path):
    process = subprocess.Popen([sys.executable, "-c", WRITER, str(path)], stdout=subprocess.PIPE,
                               text=True, env={**os.environ, "PYTHONPATH": str(REPO)})
    assert process.stdout.readline().strip() == "ready"
    return process


def stop_in_the_middle_of_the_save(process, directory, timeout=60):
    """SIGSTOP the writer as soon as its temporary file appears, so the next signal lands while
    the big save is half done (the 256 MB write takes far longer than one poll)."""
    deadline = time.monotonic() + timeout
    while not temporaries(directory):
        assert process.poll() is None, "the writer finished before its temporary file was seen"
        assert time.monotonic() < deadline, "no temporary file appeared"
        time.sleep(0.0005)
    os.kill(process.pid, signal.SIGSTOP)
    assert temporaries(directory), "the save finished between the poll and SIGSTOP"


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_a_signal_during_a_save_removes_the_temporary_file(signum, fmt, tmp_path):
    path = tmp_path / f"model.{fmt}"
    process = start_writer(path)
    stop_in_the_middle_of_the_save(process, tmp_path)
    os.kill(process.pid, signum)
    os.kill(process.pid, signal.SIGCONT)
    output, _ = process.communicate(timeout=60)
    assert process.returncode == -signum  # the process still ends by the signal
    assert "saved" not in output
    assert temporaries(tmp_path) == []
    assert os.listdir(tmp_path) == [path.name]
    np.testing.assert_array_equal(load(path)["w"].numpy(), np.ones(3))  # the old checkpoint


@pytest.mark.parametrize("fmt", FORMATS)
def test_the_next_save_removes_what_a_killed_writer_left(fmt, tmp_path):
    path = tmp_path / f"model.{fmt}"
    process = start_writer(path)
    stop_in_the_middle_of_the_save(process, tmp_path)
    os.kill(process.pid, signal.SIGKILL)  # no handler runs: the temporary file stays
    process.wait(timeout=60)
    left = temporaries(tmp_path)
    assert len(left) == 1 and left[0].startswith(f".{path.name}.mt-tmp-{process.pid}-")
    np.testing.assert_array_equal(load(path)["w"].numpy(), np.ones(3))
    # temporary files that are not stale stay: a live writer's (this process's parent), one from
    # another host (its pid means nothing here), and one for another file name
    alive = tmp_path / f".{path.name}.mt-tmp-{os.getppid()}-00000000-{_host()}"
    elsewhere = tmp_path / f".{path.name}.mt-tmp-{process.pid}-00000000-otherhost"
    other_name = tmp_path / f".other.{fmt}.mt-tmp-{process.pid}-00000000-{_host()}"
    for keep in (alive, elsewhere, other_name):
        keep.write_bytes(b"partial")
    save({"w": mt.full((2,), 5.0)}, path)
    assert temporaries(tmp_path) == sorted(p.name for p in (alive, elsewhere, other_name))
    np.testing.assert_array_equal(load(path)["w"].numpy(), [5.0, 5.0])


# A writer that may not write more than 1 MB (RLIMIT_FSIZE): a disk that fills up mid-save.
FULL_DISK = textwrap.dedent("""
    import resource, signal, sys
    import minitorch_lite as mt
    path = sys.argv[1]
    mt.save({"w": mt.ones(3)}, path)
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # the write fails with EFBIG instead of a kill
    resource.setrlimit(resource.RLIMIT_FSIZE, (1 << 20, 1 << 20))
    try:
        mt.save({"a": mt.zeros(100_000), "b": mt.zeros(1_000_000)}, path)
    except OSError as error:
        print("OSError", error.errno)
    """)


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_disk_full_mid_save_leaves_the_old_checkpoint(fmt, tmp_path):
    path = tmp_path / f"model.{fmt}"
    result = subprocess.run([sys.executable, "-c", FULL_DISK, str(path)], capture_output=True,
                            text=True, timeout=120, env={**os.environ, "PYTHONPATH": str(REPO)})
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["OSError", str(errno.EFBIG)]
    assert os.listdir(tmp_path) == [path.name]
    np.testing.assert_array_equal(load(path)["w"].numpy(), np.ones(3))


# ---- symbolic links, directories -------------------------------------------------------------------

@pytest.mark.parametrize("fmt", FORMATS)
def test_saving_through_a_symlink_writes_its_target(fmt, tmp_path):
    (tmp_path / "real").mkdir()
    for saver, loader in [(torch.save, torch.load), (save, load)]:  # torch.save first: the spec
        target = tmp_path / "real" / f"model.{fmt}"
        link, chain = tmp_path / f"link.{fmt}", tmp_path / f"chain.{fmt}"
        for p in (target, link, chain):
            p.unlink(missing_ok=True)
        value = torch.ones(2) if saver is torch.save else mt.ones(2)
        if fmt == "safetensors" and saver is torch.save:
            continue
        saver({"w": value}, target)
        link.symlink_to(os.path.relpath(target, tmp_path))
        chain.symlink_to(link.name)  # a link to a link
        saver({"w": value * 3}, chain)
        assert link.is_symlink() and chain.is_symlink()
        assert loader(target)["w"].tolist() == [3.0, 3.0]
        assert temporaries(tmp_path) == [] and temporaries(tmp_path / "real") == []


def test_saving_through_a_dangling_symlink_creates_its_target(tmp_path):
    (tmp_path / "real").mkdir()
    for saver, name in [(torch.save, "torch.pth"), (save, "mt.pth")]:
        link = tmp_path / f"link-{name}"
        link.symlink_to(tmp_path / "real" / name)
        saver({"epoch": 1}, link)
        assert link.is_symlink() and (tmp_path / "real" / name).is_file()
        assert load(tmp_path / "real" / name) == {"epoch": 1}


def test_a_missing_directory_is_named_as_torch_names_it(tmp_path):
    for path in ["no_such_dir/model.pth", str(tmp_path / "missing" / "sub" / "m.pth")]:
        with pytest.raises(RuntimeError) as theirs:
            torch.save({"a": 1}, path)
        with pytest.raises(RuntimeError) as ours:
            save({"a": 1}, path)
        assert str(ours.value) == str(theirs.value)  # "Parent directory ... does not exist."
        assert os.path.dirname(path) in str(ours.value)
    with pytest.raises(RuntimeError, match="Parent directory"):
        save({"a": 1}, tmp_path / "nope" / "x.safetensors")


def test_a_directory_as_the_path(tmp_path):
    with pytest.raises(RuntimeError):
        torch.save({"a": 1}, tmp_path)
    with pytest.raises(RuntimeError, match=r"it is a directory \(give a file name, e.g\. '.*model.pth'\)"):
        save({"a": 1}, tmp_path)


@pytest.mark.skipif(hasattr(os, "geteuid") and os.geteuid() == 0, reason="root may write anywhere")
def test_no_permission_names_the_path_given(tmp_path):
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    try:
        with pytest.raises(PermissionError) as info:
            save({"a": 1}, locked / "m.pth")
        assert info.value.filename == str(locked / "m.pth")
    finally:
        locked.chmod(0o700)


def test_a_long_file_name_still_gets_a_temporary_file(tmp_path):
    path = tmp_path / ("n" * 240 + ".pth")
    save({"w": mt.ones(1)}, path)
    assert load(path)["w"].tolist() == [1.0] and temporaries(tmp_path) == []
