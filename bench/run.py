"""nntui's engine against PyTorch CPU and scikit-learn, on the same networks, in one run.

    python bench/run.py            # everything; about five minutes on 2 cores
    python bench/run.py --quick    # fewer repeats, for a first look
    python bench/run.py --readme   # also write the table into README.md

Every case runs ours and the peers interleaved, repeat after repeat, and reports the median
epoch time of each and the RATIO ours / theirs (below 1: ours is faster). Needs the bench
extra: pip install -e ".[bench]" (torch==2.13.0 and scikit-learn).
"""

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import date
from itertools import pairwise
from pathlib import Path

import numpy as np

os.environ.setdefault("OMP_NUM_THREADS", "2")
sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # tests.app_helpers

from app import app_line, app_measures, first_frame, first_frame_line
from peers import sklearn_epoch, torch_epoch

from engine.toy import one_hot
from engine.trainer import Trainer

ROOT = Path(__file__).resolve().parent.parent
THREADS = 2
M = 10_000
LR = 0.01

#: (name, layer_dims, hidden activation, batch size)
CASES = [
    ("784-256-128-10 relu/softmax, full batch", [784, 256, 128, 10], "relu", None),
    ("784-256-128-10 relu/softmax, batch 128", [784, 256, 128, 10], "relu", 128),
    ("784-256-128-1 sigmoid, full batch", [784, 256, 128, 1], "sigmoid", None),
    ("784-256-128-1 sigmoid, batch 128", [784, 256, 128, 1], "sigmoid", 128),
]


def data(dims: list[int], m: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """X (n_x, m) float32, labels (m,), Y in our layout (float32)."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((dims[0], m)).astype(np.float32)
    k = max(dims[-1], 2)
    labels = rng.integers(0, k, m)
    Y = labels[None].astype(np.float32) if dims[-1] == 1 else one_hot(labels, k).astype(np.float32)
    return X, labels, Y


def ours_epoch(X, labels, Y, dims, hidden, lr, batch) -> Callable[[], object]:
    output = "sigmoid" if dims[-1] == 1 else "softmax"
    trainer = Trainer(
        X, Y, dims, activations=[hidden] * (len(dims) - 2) + [output],
        cost="bce" if dims[-1] == 1 else "ce", learning_rate=lr, batch_size=batch, seed=0,
    )  # fmt: skip
    return trainer.step_epoch


def timed(epoch: Callable[[], object], epochs: int) -> float:
    """Seconds per epoch over ``epochs`` epochs."""
    start = time.perf_counter()
    for _ in range(epochs):
        epoch()
    return (time.perf_counter() - start) / epochs


def interleaved(runners: dict[str, Callable[[], object]], repeats: int, epochs: int) -> dict:
    """Median seconds per epoch of each runner, running them in turn, ``repeats`` times."""
    for run in runners.values():  # warm up: first-touch memory, BLAS threads, caches
        run()
    times: dict[str, list[float]] = {name: [] for name in runners}
    for _ in range(repeats):
        for name, run in runners.items():
            times[name].append(timed(run, epochs))
    return {name: statistics.median(t) for name, t in times.items()}


def gemm_peak(repeats: int) -> float:
    """This machine's float32 GEMM rate in GFLOP/s: the best of square products."""
    best = 0.0
    for n in (1024, 2048, 3072):
        a = np.random.default_rng(0).standard_normal((n, n), dtype=np.float32)
        b = a.T.copy()
        a @ b
        for _ in range(repeats):
            start = time.perf_counter()
            a @ b
            best = max(best, 2 * n**3 / (time.perf_counter() - start) / 1e9)
    return best


def epoch_flops(dims: list[int], m: int) -> float:
    """The GEMMs one full-batch epoch executes: Z = W·A for every layer, dW = dZ·Aᵀ for
    every layer, dA = Wᵀ·dZ for every layer but the first (no dX is computed)."""
    pairs = list(pairwise(dims))
    forward = sum(2 * m * n_in * n_out for n_in, n_out in pairs)
    return 2 * forward + sum(2 * m * n_in * n_out for n_in, n_out in pairs[1:])


def tiny_network(repeats: int, epochs: int) -> dict:
    """The article's 2-4-1 (sigmoid everywhere) on m = 400, full batch: epochs per second."""
    from engine.toy import circles

    X, labels = circles(400, seed=0)
    X = X.astype(np.float32)
    Y = labels[None].astype(np.float32)
    runners = {
        "ours": ours_epoch(X, labels, Y, [2, 4, 1], "sigmoid", 0.5, None),
        "torch": torch_epoch(X, labels, [2, 4, 1], "sigmoid", 0.5, None),
    }
    return interleaved(runners, repeats, epochs)


def health_cost(repeats: int, epochs: int) -> dict:
    """The 2-4-1 on circles, full batch, with and without health recording: seconds per
    epoch of each (``Trainer.step_epoch`` in a loop, interleaved, medians). Keep
    repeats * epochs under HEALTH_LIMIT: then every epoch's health is computed (the worst
    case; past it the record thins and off-stride epochs are never computed)."""
    from engine.toy import circles

    X, labels = circles(400, seed=0)
    X, Y = X.astype(np.float32), labels[None].astype(np.float32)
    runners = {
        f"health {on}": Trainer(X, Y, [2, 4, 1], activations="sigmoid", learning_rate=0.5,
                                health=on).step_epoch
        for on in ("on", "off")
    }  # fmt: skip
    return interleaved({"on": runners["health on"], "off": runners["health off"]}, repeats, epochs)


# -- memory: each framework trains in a process of its own --------------------------------


def rss_kib(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


def memory_child(framework: str, epochs: int) -> None:
    """Train in this process; print the peak resident set during training and overall."""
    dims, hidden, batch = CASES[0][1], CASES[0][2], CASES[0][3]
    X, labels, Y = data(dims, M)
    if framework == "ours":
        epoch = ours_epoch(X, labels, Y, dims, hidden, LR, batch)
    else:
        epoch = torch_epoch(X, labels, dims, hidden, LR, batch)
    before = rss_kib("VmRSS")
    Path("/proc/self/clear_refs").write_text("5")  # restart the peak (VmHWM) from here
    for _ in range(epochs):
        epoch()
    print(json.dumps({"peak_total": rss_kib("VmHWM"), "before": before}))


def memory(epochs: int) -> dict:
    results = {}
    for framework in ("ours", "torch"):
        out = subprocess.run(
            [sys.executable, __file__, "--memory-child", framework, "--epochs", str(epochs)],
            capture_output=True, text=True, check=True,
        )  # fmt: skip
        r = json.loads(out.stdout)
        results[framework] = {"peak_mib": r["peak_total"] / 1024,
                              "training_mib": (r["peak_total"] - r["before"]) / 1024}  # fmt: skip
    return results


# -- report -------------------------------------------------------------------------------


def row(name: str, ours: float, theirs: dict[str, float]) -> str:
    cells = [f"{1000 * ours:8.2f} ms"]
    for peer in ("torch", "sklearn"):
        t = theirs.get(peer)
        cells += [f"{1000 * t:8.2f} ms", f"{ours / t:5.2f}"] if t else ["—", "—"]
    return f"| {name} | " + " | ".join(cells) + " |"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer repeats")
    parser.add_argument("--readme", action="store_true", help="write the table into README.md")
    parser.add_argument("--memory-child", choices=["ours", "torch"], help=argparse.SUPPRESS)
    parser.add_argument("--epochs", type=int, default=5, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.memory_child:
        memory_child(args.memory_child, args.epochs)
        return

    import torch

    torch.set_num_threads(THREADS)
    repeats = 5 if args.quick else 7
    lines = [
        f"Measured {date.today()} on {platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}, NumPy {np.__version__}, PyTorch "
        f"{torch.__version__} ({THREADS} threads); median of {repeats} interleaved repeats.",
        "",
        "| case (m = 10 000, float32, plain gradient descent) | ours | PyTorch | ratio "
        "| scikit-learn | ratio |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    print(lines[0], flush=True)
    peak = gemm_peak(repeats)
    results = {}
    for name, dims, hidden, batch in CASES:
        X, labels, Y = data(dims, M)
        runners = {
            "ours": ours_epoch(X, labels, Y, dims, hidden, LR, batch),
            "torch": torch_epoch(X, labels, dims, hidden, LR, batch),
            "sklearn": sklearn_epoch(X, labels, dims, hidden, LR, batch),
        }
        epochs = 3 if batch is None else 1
        t = interleaved(runners, repeats, epochs)
        results[name] = t
        lines.append(row(name, t["ours"], t))
        print(lines[-1], flush=True)
    tiny = tiny_network(repeats, 400)
    health = health_cost(repeats, 500)
    full = results[CASES[0][0]]["ours"]
    achieved = epoch_flops(CASES[0][1], M) / full / 1e9
    mem = memory(5)
    app = app_measures(1.0, repeats, {})
    digits = {"dataset": "digits", "hidden": (32,), "activation": "relu"}
    app_digits = app_measures(1.0, repeats, digits)
    frames = first_frame(repeats)
    lines += [
        "",
        f"- 2-4-1 (the article's, sigmoid, m = 400, full batch): ours {1 / tiny['ours']:,.0f} "
        f"epochs/s, PyTorch {1 / tiny['torch']:,.0f} epochs/s: "
        f"RATIO {tiny['torch'] / tiny['ours']:.2f}x",
        f"- health recording on the 2-4-1 (circles, full batch, first {repeats * 500} epochs, "
        f"every one recorded): {1e6 * health['on']:.1f} µs "
        f"an epoch with it, {1e6 * health['off']:.1f} µs without: RATIO "
        f"{health['on'] / health['off']:.3f}",
        f"- GEMM: this machine's float32 peak {peak:.0f} GFLOP/s; our full-batch 784-256-128-10 "
        f"epoch runs its GEMMs at {achieved:.0f} GFLOP/s: RATIO {achieved / peak:.2f} of peak",
        f"- memory, peak resident set while training 784-256-128-10 full batch: ours "
        f"{mem['ours']['peak_mib']:.0f} MiB (+{mem['ours']['training_mib']:.0f} MiB for training), "
        f"PyTorch {mem['torch']['peak_mib']:.0f} MiB (+{mem['torch']['training_mib']:.0f} MiB): "
        f"RATIO {mem['ours']['peak_mib'] / mem['torch']['peak_mib']:.2f}",
        app_line("2-4-1 circles", app),
        app_line("digits 64-32-10", app_digits),
        first_frame_line(frames),
    ]
    print("\n".join(lines[-8:]))
    if args.readme:
        readme = ROOT / "README.md"
        text = readme.read_text()
        start, end = "<!-- bench:start -->", "<!-- bench:end -->"
        head, rest = text.split(start)
        _, tail = rest.split(end)
        readme.write_text(head + start + "\n" + "\n".join(lines) + "\n" + end + tail)
        print(f"wrote the results into {readme}")


if __name__ == "__main__":
    main()
