"""Turning a run into something to read: the table (text and Markdown), JSON, plots, and a comparison.

    >>> from benchmarks.report import format_time
    >>> format_time(0.00123)
    '1.23 ms'

The run is a dict (`results.json` holds exactly this): `machine`, `settings`, `targets` (each with
`key`, `label`, `available`, `reason`), `notes`, and `rows`, one per workload, whose `cells` map a
target key ("torch:cpu") to its measurement: `status` ("ok", "n/a", "error"), and for "ok" the
median, quartiles (q1, q3), min, max, samples, number (iterations per sample) and `rate`.
Every table is derived from that dict, so a saved JSON can be re-rendered or compared later.
"""
import json
import math
import os

from .targets import SHORT

GROUP_TITLES = {
    "elementwise": "Elementwise (forward; +grad = forward and backward)",
    "reduction": "Reductions",
    "matmul": "Matrix multiply (square, n x n)",
    "conv2d": "conv2d (course shapes)",
    "layers": "ViT-Base layers, forward + backward (batch 8 x 197 tokens x 768)",
    "autograd": "Autograd overhead (1,000 elements, inputs require grad)",
    "optim": "Optimizer step (10M parameters in 20 tensors, gradients given)",
    "train": "Training step (forward, loss, zero_grad, backward, step)",
    "inference": "Inference latency (one image, inference_mode)",
    "epoch": "One training epoch of chapter 03 (Fashion-MNIST stand-in, 60,000 images, DataLoader batch 32)",
    "memory": "Peak extra memory of one training step",
}


# ---------------------------------------------------------------- formatting numbers

def format_time(seconds):
    for unit, scale in (("s", 1), ("ms", 1e-3), ("us", 1e-6), ("ns", 1e-9)):
        if seconds >= scale or unit == "ns":
            value = seconds / scale
            return f"{value:.3g} {unit}" if value < 100 else f"{value:.0f} {unit}"
    return "?"


def format_bytes(n):
    for unit, scale in (("GiB", 1024 ** 3), ("MiB", 1024 ** 2), ("KiB", 1024)):
        if abs(n) >= scale:
            return f"{n / scale:.3g} {unit}"
    return f"{n:.0f} B"


def format_ratio(r):
    return f"{r:.3g}x" if r < 100 else f"{r:.0f}x"


def _spread(cell):
    """Half the interquartile range, relative to the median: '±2%'."""
    if cell["median"] <= 0 or cell.get("samples", 1) < 2:
        return ""
    return f" ±{50 * (cell['q3'] - cell['q1']) / cell['median']:.0f}%"


# ---------------------------------------------------------------- do both frameworks compute the same?

CHECK_RTOL = {"float32": 1e-3, "float64": 1e-6}


def check_results(run):
    """Add row["check"][device] = {"agree", "rel_diff"} comparing the fingerprints (what the first
    step returned) of minitorch_lite and torch: a workload timed on different work is worthless.

    rel_diff = |sum_mt - sum_torch| / max(abs_sum): float32 sums of many terms differ in the last
    bits, and a training epoch drifts a little (different BLAS rounding compounds over 1,875 steps),
    hence a loose tolerance; a wrong input, model or op is off by far more.
    """
    rtol = CHECK_RTOL.get(run["settings"]["dtype"], 1e-3)
    for row in run["rows"]:
        row["check"] = {}
        for device in ("cpu", "cuda"):
            a = row["cells"].get(f"minitorch_lite:{device}") or {}
            b = row["cells"].get(f"torch:{device}") or {}
            fa, fb = a.get("fingerprint"), b.get("fingerprint")
            if not fa or not fb:
                continue
            scale = max(fa["abs_sum"], fb["abs_sum"], 1e-30)
            rel = max(abs(fa["sum"] - fb["sum"]), abs(fa["abs_sum"] - fb["abs_sum"])) / scale
            row["check"][device] = {"agree": fa["n"] == fb["n"] and rel <= rtol, "rel_diff": rel}


def _check_mark(row, device, notes):
    check = row.get("check", {}).get(device)
    if check is None or check["agree"]:
        return ""
    return " " + notes.ref(f"{row['id']} on {device}: minitorch_lite and torch returned different results "
                           f"(relative difference {check['rel_diff']:.2g})")


# ---------------------------------------------------------------- building the table

class Notes:
    """Numbered footnotes for n/a and error cells, so the table itself stays narrow."""

    def __init__(self):
        self.texts = []

    def ref(self, text):
        if text not in self.texts:
            self.texts.append(text)
        return f"[{self.texts.index(text) + 1}]"


def _cell_text(cell, metric, notes):
    if cell is None:
        return ""
    if cell["status"] != "ok":
        return f"{cell['status']} {notes.ref(cell.get('reason') or 'no reason given')}"
    if metric == "memory":
        return format_bytes(cell["median"])
    return format_time(cell["median"]) + _spread(cell)


def _ratio(a, b):
    if a and b and a["status"] == "ok" and b["status"] == "ok" and b["median"] > 0:
        return a["median"] / b["median"]
    return None


def _rate_text(cells, keys):
    """'mt 5.1 / torch 9.8 GB/s' for the targets in `keys` that have a rate."""
    parts, unit = [], None
    for key in keys:
        cell = cells.get(key)
        if cell and cell["status"] == "ok" and cell.get("rate"):
            value, unit = cell["rate"]
            parts.append(f"{SHORT[key.split(':')[0]]} {value:.3g}")
    return f"{' / '.join(parts)} {unit}" if parts else ""


def table_columns(run):
    """The column layout for this run: which devices have columns, which keys they use."""
    devices = []
    for target in run["targets"]:
        device = target["key"].split(":")[1]
        if device not in devices:
            devices.append(device)
    frameworks = []
    for target in run["targets"]:
        fw = target["key"].split(":")[0]
        if fw not in frameworks:
            frameworks.append(fw)
    gpu_ran = any(t["available"] for t in run["targets"] if t["key"].endswith(":cuda"))
    if not gpu_ran and "cuda" in devices:
        devices.remove("cuda")  # no GPU here: a note says so instead of empty columns
    return devices, frameworks


def build_table(run):
    """(header, sections, notes): sections are (title, rows of cell strings)."""
    devices, frameworks = table_columns(run)
    both = len(frameworks) == 2
    header = ["workload", "size"]
    for device in devices:
        header += [f"{SHORT[fw]} {device}" for fw in frameworks]
        if both:
            header.append(f"mt/torch {device}")
    if "cuda" in devices and "cpu" in devices:
        header += [f"GPU speed-up {SHORT[fw]}" for fw in frameworks]
    header += [f"achieved {device}" for device in devices]

    notes = Notes()
    sections = []
    for group in GROUP_TITLES:
        rows = [r for r in run["rows"] if r["group"] == group]
        if not rows:
            continue
        lines = []
        for row in rows:
            cells = row["cells"]
            line = [row["name"], row["size"]]
            for device in devices:
                keys = [f"{fw}:{device}" for fw in frameworks]
                line += [_cell_text(cells.get(k), row["metric"], notes) for k in keys]
                if both:
                    r = _ratio(cells.get(keys[0]), cells.get(keys[1]))
                    line.append((format_ratio(r) if r else "") + _check_mark(row, device, notes))
            if "cuda" in devices and "cpu" in devices:
                for fw in frameworks:
                    r = _ratio(cells.get(f"{fw}:cpu"), cells.get(f"{fw}:cuda"))
                    line.append(format_ratio(r) if r and row["metric"] == "time" else "")
            for device in devices:
                line.append(_rate_text(cells, [f"{fw}:{device}" for fw in frameworks]))
            lines.append(line)
        sections.append((GROUP_TITLES[group], lines))
    return header, sections, notes


def _check_summary(run):
    checks = [c for row in run["rows"] for c in row.get("check", {}).values()]
    if not checks:
        return "results: no workload ran in both frameworks, nothing to compare"
    differ = sum(not c["agree"] for c in checks)
    worst = max(c["rel_diff"] for c in checks)
    return (f"results: the first step's output of mt and torch compared on {len(checks)} rows: "
            f"{len(checks) - differ} agree, {differ} differ (largest relative difference {worst:.2g})")


def _legend(run):
    settings = run["settings"]
    lines = [
        f"suite: {settings['suite']}  |  dtype: {settings['dtype']}  |  threads: {settings['threads']} "
        f"(torch and NumPy BLAS)  |  TF32: {'on' if settings['tf32'] else 'off'}  |  "
        f"up to {settings['repeat']} samples, {settings['max_time']} s per cell",
        "time = median per iteration, ±x% = half the interquartile range relative to the median; "
        "mt/torch > 1 means minitorch_lite is slower; "
        "GPU speed-up = CPU time / GPU time of the same framework; memory rows: peak extra bytes.",
        _check_summary(run),
    ]
    return lines


def render_text(run):
    from .machine import summary_lines
    header, sections, notes = build_table(run)
    widths = [len(h) for h in header]
    for _, lines in sections:
        for line in lines:
            widths = [max(w, len(c)) for w, c in zip(widths, line)]

    def fmt(line):
        return "  ".join(c.ljust(w) if i < 2 else c.rjust(w) for i, (c, w) in enumerate(zip(line, widths)))

    out = summary_lines(run["machine"]) + _legend(run) + [""]
    out.append(fmt(header))
    out.append("-" * len(fmt(header)))
    for title, lines in sections:
        out.append(f"== {title}")
        out += [fmt(line) for line in lines]
    out += [""] + [f"note: {n}" for n in run["notes"]]
    out += [f"[{i}] {text}" for i, text in enumerate(notes.texts, 1)]
    return "\n".join(out)


def render_markdown(run, heading_level=3):
    from .machine import summary_lines
    header, sections, notes = build_table(run)
    h = "#" * heading_level
    out = [f"- {line}" for line in summary_lines(run["machine"]) + _legend(run)]
    out.append(f"- command: `{run['settings'].get('command', 'python -m benchmarks')}`, "
               f"run time {run.get('elapsed_s', 0):.0f} s")
    for title, lines in sections:
        out += ["", f"{h} {title}", "", "| " + " | ".join(header) + " |",
                "|" + "|".join(["---"] * 2 + ["---:"] * (len(header) - 2)) + "|"]
        out += ["| " + " | ".join(c.replace("|", "\\|") for c in line) + " |" for line in lines]
    if run["notes"] or notes.texts:
        out.append("")
        out += [f"- note: {n}" for n in run["notes"]]
        out += [f"- [{i}] {text}" for i, text in enumerate(notes.texts, 1)]
    return "\n".join(out) + "\n"


# ---------------------------------------------------------------- comparing two runs

def compare(new, old):
    """Rows (workload, size, target, old, new, change, verdict) for cells measured in both runs."""
    old_cells = {(row["id"], key): (row["metric"], cell) for row in old["rows"]
                 for key, cell in row["cells"].items() if cell["status"] == "ok"}
    labels = {t["key"]: t["label"] for t in new["targets"]}
    out = []
    for row in new["rows"]:
        for key, cell in row["cells"].items():
            previous = old_cells.get((row["id"], key))
            if cell["status"] != "ok" or previous is None or previous[0] != row["metric"]:
                continue
            before = previous[1]
            change = cell["median"] / before["median"] if before["median"] else math.inf
            if cell["q3"] < before["q1"]:
                verdict = "faster" if row["metric"] == "time" else "less"
            elif cell["q1"] > before["q3"]:
                verdict = "slower" if row["metric"] == "time" else "more"
            else:
                verdict = "within noise"
            show = format_bytes if row["metric"] == "memory" else format_time
            out.append([row["name"], row["size"], labels.get(key, key), show(before["median"]),
                        show(cell["median"]), f"{change:.2f}x ({100 * (change - 1):+.0f}%)", verdict])
    return out


COMPARE_HEADER = ["workload", "size", "target", "old", "new", "new/old", "verdict"]


def render_compare_text(rows, old):
    if not rows:
        return "No workload was measured in both runs."
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(COMPARE_HEADER)]
    fmt = lambda line: "  ".join(c.ljust(w) for c, w in zip(line, widths))  # noqa: E731
    machine = old["machine"]
    lines = [f"Change vs {machine.get('date')} (commit {machine.get('commit')}, {machine.get('cpu_model')}); "
             "verdict 'faster'/'slower' only when the interquartile ranges do not overlap.",
             fmt(COMPARE_HEADER)]
    return "\n".join(lines + [fmt(r) for r in rows])


def render_compare_markdown(rows, old):
    if not rows:
        return ""
    machine = old["machine"]
    out = ["", f"### Change vs {machine.get('date')} (commit {machine.get('commit')})", "",
           "| " + " | ".join(COMPARE_HEADER) + " |", "|" + "|".join(["---"] * len(COMPARE_HEADER)) + "|"]
    out += ["| " + " | ".join(r) + " |" for r in rows]
    return "\n".join(out) + "\n"


# ---------------------------------------------------------------- plots

def _import_pyplot():
    import matplotlib
    matplotlib.use("Agg")  # files only, no display needed
    import matplotlib.pyplot as plt
    return plt


def plot_ratios(run, path):
    """Horizontal bars: minitorch_lite time / torch time per workload, one colour per device."""
    plt = _import_pyplot()
    devices, frameworks = table_columns(run)
    if len(frameworks) < 2:
        return False
    bars = []  # (label, device, ratio)
    for row in run["rows"]:
        if row["metric"] != "time":
            continue
        for device in devices:
            r = _ratio(row["cells"].get(f"minitorch_lite:{device}"), row["cells"].get(f"torch:{device}"))
            if r:
                bars.append((f"{row['name']} [{row['size']}]", device, r))
    if not bars:
        return False
    labels = list(dict.fromkeys(b[0] for b in bars))
    height = 0.8 / len(devices)
    fig, ax = plt.subplots(figsize=(9, 1.5 + 0.28 * len(labels)))
    ax.set_xscale("log")
    for j, device in enumerate(devices):
        ys = [labels.index(b[0]) + j * height for b in bars if b[1] == device]
        xs = [b[2] for b in bars if b[1] == device]
        # bars grow from 1 (parity) to the ratio: right = minitorch_lite slower, left = faster
        ax.barh(ys, [x - 1 for x in xs], left=1, height=height, label=device,
                color=("tab:blue", "tab:orange")[j % 2])
        for x, y in zip(xs, ys):
            ax.annotate(format_ratio(x), (x, y), xytext=(3 if x >= 1 else -3, 0), textcoords="offset points",
                        ha="left" if x >= 1 else "right", va="center", fontsize=7)
    ratios = [b[2] for b in bars]
    ax.set_xlim(min(min(ratios), 1) / 4, max(max(ratios), 1) * 4)  # room for the labels
    ax.axvline(1.0, color="black", linewidth=1)
    ax.set_yticks([i + height * (len(devices) - 1) / 2 for i in range(len(labels))])
    ax.set_yticklabels(labels, fontsize=8)
    ax.invert_yaxis()
    ax.set_xlabel("minitorch_lite time / torch time (log scale; > 1: minitorch_lite is slower)")
    ax.set_title(f"minitorch_lite vs torch, {run['settings']['dtype']}, "
                 f"{run['settings']['threads']} threads")
    ax.legend(title="device")
    ax.grid(axis="x", which="both", alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return True


def crossover(points_cpu, points_gpu):
    """The smallest size from which the GPU is faster at every measured larger size, or None."""
    common = sorted(set(points_cpu) & set(points_gpu))
    for i, x in enumerate(common):
        if all(points_gpu[c] < points_cpu[c] for c in common[i:]):
            return x
    return None


def plot_time_vs_size(run, path):
    """One panel per op family: median time against size, per target; the CPU/GPU crossover marked."""
    plt = _import_pyplot()
    families = {}
    for row in run["rows"]:
        if row["metric"] == "time" and row.get("family") and row.get("x"):
            families.setdefault(row["family"], []).append(row)
    families = {f: rows for f, rows in families.items() if len(rows) >= 2}
    if not families:
        return False
    cols = min(4, len(families))
    nrows = math.ceil(len(families) / cols)
    fig, axes = plt.subplots(nrows, cols, figsize=(4 * cols, 3.2 * nrows), squeeze=False)
    styles = {"minitorch_lite:cpu": ("tab:blue", "-"), "torch:cpu": ("tab:orange", "-"),
              "minitorch_lite:cuda": ("tab:blue", "--"), "torch:cuda": ("tab:orange", "--")}
    labels = {t["key"]: t["label"] for t in run["targets"]}
    for ax, (family, rows) in zip(axes.flat, families.items()):
        curves = {}
        for row in rows:
            for key, cell in row["cells"].items():
                if cell["status"] == "ok":
                    curves.setdefault(key, {})[row["x"]] = cell["median"]
        for key, points in curves.items():
            xs = sorted(points)
            color, style = styles.get(key, ("gray", ":"))
            ax.plot(xs, [points[x] for x in xs], style, marker="o", markersize=3, color=color,
                    label=labels.get(key, key))
        for fw, color in (("minitorch_lite", "tab:blue"), ("torch", "tab:orange")):
            cpu, gpu = curves.get(f"{fw}:cpu"), curves.get(f"{fw}:cuda")
            x = crossover(cpu, gpu) if cpu and gpu else None
            if x:
                ax.axvline(x, color=color, linestyle=":", linewidth=1)
                ax.annotate(f"{SHORT[fw]}: GPU faster\nfrom {x:g}", (x, ax.get_ylim()[1]), fontsize=7,
                            va="top", color=color)
        ax.set_xscale("log")
        ax.set_yscale("log")
        sizes = sorted({row["x"] for row in rows})
        ax.set_xticks(sizes, [f"{x:g}" for x in sizes], fontsize=7)
        ax.minorticks_off()
        ax.set_title(family, fontsize=10)
        ax.set_xlabel("matrix side n" if family.startswith("matmul") else "elements")
        ax.set_ylabel("time per iteration (s)")
        ax.grid(which="both", alpha=0.3)
        ax.legend(fontsize=7)
    for ax in list(axes.flat)[len(families):]:
        ax.set_visible(False)
    gpu = any(t["available"] for t in run["targets"] if t["key"].endswith(":cuda"))
    fig.suptitle("time vs size" + ("" if gpu else " (CPU only: no GPU on this machine)"))
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return True


# ---------------------------------------------------------------- files

def write_outputs(run, out_dir, compare_rows=None, old=None):
    """results.json, results.md, results.txt and the PNG plots in `out_dir`; returns the paths."""
    os.makedirs(out_dir, exist_ok=True)
    written = []

    def save(name, text):
        path = os.path.join(out_dir, name)
        with open(path, "w") as f:
            f.write(text)
        written.append(path)

    save("results.json", json.dumps(run, indent=1))
    markdown = render_markdown(run)
    text = render_text(run)
    if compare_rows is not None:
        markdown += render_compare_markdown(compare_rows, old)
        text += "\n\n" + render_compare_text(compare_rows, old)
    save("results.md", markdown)
    save("results.txt", text + "\n")
    try:
        for name, plot in (("ratio_bars.png", plot_ratios), ("time_vs_size.png", plot_time_vs_size)):
            path = os.path.join(out_dir, name)
            if plot(run, path):
                written.append(path)
    except ImportError as err:
        run["notes"].append(f"no plots: matplotlib is not installed ({err})")
    return written


# ---------------------------------------------------------------- README

README_MARKERS = {"cpu": ("<!-- cpu-table:start -->", "<!-- cpu-table:end -->"),
                  "gpu": ("<!-- gpu-table:start -->", "<!-- gpu-table:end -->")}


def insert_into_readme(run, readme_path):
    """Replace the text between the CPU (or, for a run with a GPU, the GPU) markers with the table."""
    gpu = any(t["available"] for t in run["targets"] if t["key"].endswith(":cuda"))
    if any(info.get("fake_cuda") for info in run["machine"].get("workers", {}).values()):
        raise ValueError("this run's cuda column ran on the fake_cupy stand-in (MINITORCH_LITE_FAKE_CUDA=1): "
                         "its numbers are CPU numbers and never go into the README")
    start, end = README_MARKERS["gpu" if gpu else "cpu"]
    with open(readme_path) as f:
        text = f.read()
    if start not in text or end not in text:
        raise ValueError(f"{readme_path} lacks the markers {start} ... {end}")
    head, rest = text.split(start, 1)
    _, tail = rest.split(end, 1)
    note = ("<!-- generated by `python -m benchmarks --write-readme` (or --readme-from a saved "
            "results.json); do not edit by hand -->")
    block = f"{start}\n{note}\n" + render_markdown(run, heading_level=4) + end
    with open(readme_path, "w") as f:
        f.write(head + block + tail)
    return "gpu" if gpu else "cpu"
