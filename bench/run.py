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

from app import app_measures, app_rows, first_frame, first_frame_row
from peers import sklearn_epoch, torch_epoch
from report import Row, spread, table

from engine.toy import one_hot
from engine.trainer import Trainer
from nntui.session import HEALTH_BUDGET

ROOT = Path(__file__).resolve().parent.parent
THREADS = 2
M = 10_000
LR = 0.01
PEERS = {"torch": "PyTorch", "sklearn": "scikit-learn", "floor": "GEMM floor"}
#: ratio limits ours / peer, full batch and mini-batch 128
TARGETS = {"full": {"torch": 0.75, "sklearn": 0.85, "floor": 1.20},
           "batch": {"torch": 0.55, "sklearn": 0.60}}  # fmt: skip

BUDGET_ROUND = 2000  # epochs a round in the budgeted health row
DIGITS = {"dataset": "digits", "hidden": (32,), "activation": "relu"}
#: (name, layer_dims, hidden activation, batch size)
CASES = [
    ("784-256-128-10 relu/softmax, full batch", [784, 256, 128, 10], "relu", None),
    ("784-256-128-10 relu/softmax, batch 128", [784, 256, 128, 10], "relu", 128),
    ("784-256-128-1 sigmoid, full batch", [784, 256, 128, 1], "sigmoid", None),
    ("784-256-128-1 sigmoid, batch 128", [784, 256, 128, 1], "sigmoid", 128),
]


# -- report: one row per target ----------------------------------------------------------


def data(dims: list[int], m: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """X (n_x, m) float32, labels (m,), Y in our layout (float32)."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((dims[0], m)).astype(np.float32)
    k = max(dims[-1], 2)
    labels = rng.integers(0, k, m)
    Y = labels[None].astype(np.float32) if dims[-1] == 1 else one_hot(labels, k).astype(np.float32)
    return X, labels, Y


def ours_epoch(X, labels, Y, dims, hidden, lr, batch, health="off") -> Callable[[], object]:
    """One epoch of our Trainer; like the peers it records no health unless asked (the
    health rows measure what recording costs): ``health`` is "off", "every" (every epoch,
    the engine's default) or "budget" (as the app and nntui train record it)."""
    output = "sigmoid" if dims[-1] == 1 else "softmax"
    trainer = Trainer(
        X, Y, dims, activations=[hidden] * (len(dims) - 2) + [output],
        cost="bce" if dims[-1] == 1 else "ce", learning_rate=lr, batch_size=batch, seed=0,
        health=health != "off", health_budget=HEALTH_BUDGET if health == "budget" else None,
    )  # fmt: skip
    return trainer.step_epoch


def timed(epoch: Callable[[], object], epochs: int) -> float:
    """Seconds per epoch over ``epochs`` epochs."""
    start = time.perf_counter()
    for _ in range(epochs):
        epoch()
    return (time.perf_counter() - start) / epochs


def interleaved(runners: dict[str, Callable[[], object]], repeats: int, epochs: int) -> dict:
    """Seconds per epoch of each runner, ``repeats`` of them, running the runners in turn."""
    for run in runners.values():  # warm up: first-touch memory, BLAS threads, caches
        run()
    times: dict[str, list[float]] = {name: [] for name in runners}
    for _ in range(repeats):
        for name, run in runners.items():
            times[name].append(timed(run, epochs))
    return times


def ratio(times: dict[str, list[float]], ours: str, peer: str) -> float:
    """The median of the repeats' ratios ours / peer: each pair ran side by side."""
    return statistics.median(a / b for a, b in zip(times[ours], times[peer], strict=True))


def gemm_floor(X: np.ndarray, dims: list[int]) -> Callable[[], None]:
    """The GEMMs one full-batch epoch executes, alone, into preallocated outputs, with the
    epoch's shapes, dtype and layouts: Z[l] = W[l]·A[l-1] for every layer, dW[l] = dZ[l]·A[l-1]ᵀ
    for every layer, dA[l-1] = W[l]ᵀ·dZ[l] for l > 1 (no dX is computed)."""
    rng = np.random.default_rng(0)
    m, dtype = X.shape[1], X.dtype
    A = [X] + [rng.standard_normal((n, m), dtype=dtype) for n in dims[1:]]
    W = [None] + [rng.standard_normal((n, n_prev), dtype=dtype) for n_prev, n in pairwise(dims)]
    dZ = [None] + [rng.standard_normal((n, m), dtype=dtype) for n in dims[1:]]
    dW = [None] + [np.empty_like(W[l]) for l in range(1, len(dims))]
    dA = [np.empty_like(a) for a in A]
    L = len(dims) - 1

    def epoch() -> None:
        for l in range(1, L + 1):
            np.matmul(W[l], A[l - 1], out=A[l])
        for l in range(L, 0, -1):
            np.matmul(dZ[l], A[l - 1].T, out=dW[l])
            if l > 1:
                np.matmul(W[l].T, dZ[l], out=dA[l - 1])

    return epoch


def large_rows(repeats: int) -> list[Row]:
    """Each 784-256-128 case against PyTorch and scikit-learn, and a full batch's against
    its GEMM floor, all interleaved."""
    rows = []
    for name, dims, hidden, batch in CASES:
        X, labels, Y = data(dims, M)
        runners = {
            "ours": ours_epoch(X, labels, Y, dims, hidden, LR, batch),
            "torch": torch_epoch(X, labels, dims, hidden, LR, batch),
            "sklearn": sklearn_epoch(X, labels, dims, hidden, LR, batch),
        }
        if batch is None:
            runners["floor"] = gemm_floor(X, dims)
        t = interleaved(runners, repeats, 3 if batch is None else 1)
        limits = TARGETS["full" if batch is None else "batch"]
        for peer, title in PEERS.items():
            if peer in t:
                rows.append(Row(f"{name}: ours / {title}", spread(t["ours"]), spread(t[peer]),
                                ratio(t, "ours", peer), limits[peer]))  # fmt: skip
                print(table(rows[-1:])[-1], flush=True)
    return rows


def sigmoid_row(repeats: int) -> Row:
    """784-256-128-10 full batch, sigmoid hidden layers against relu ones (softmax output)."""
    dims = CASES[0][1]
    X, labels, Y = data(dims, M)
    runners = {g: ours_epoch(X, labels, Y, dims, g, LR, None) for g in ("sigmoid", "relu")}
    t = interleaved(runners, repeats, 3)
    name = "784-256-128-10 full batch: sigmoid / relu hidden layers (ours)"
    return Row(name, spread(t["sigmoid"]), spread(t["relu"]), ratio(t, "sigmoid", "relu"), 1.0)


def circles_data() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The article's data for the 2-4-1: circles, m = 400, float32."""
    from engine.toy import circles

    X, labels = circles(400, seed=0)
    return X.astype(np.float32), labels, labels[None].astype(np.float32)


def tiny_rows(repeats: int, epochs: int) -> list[Row]:
    """The article's 2-4-1 (sigmoid everywhere) on m = 400, full batch: epochs per second
    against PyTorch's, and the NumPy calls and µs one of our epochs takes."""
    X, labels, Y = circles_data()
    trainer = Trainer(X, Y, [2, 4, 1], activations="sigmoid", learning_rate=0.5, health=False)
    runners = {
        "ours": trainer.step_epoch,
        "torch": torch_epoch(X, labels, [2, 4, 1], "sigmoid", 0.5, None),
    }
    t = interleaved(runners, repeats, epochs)
    rate = [f"{1 / statistics.median(t[k]):,.0f} epochs/s" for k in ("ours", "torch")]
    calls = numpy_calls(trainer)
    return [
        Row("2-4-1 sigmoid, m = 400, full batch: epochs/s, ours / PyTorch", rate[0], rate[1],
            ratio(t, "torch", "ours"), 5.0, at_most=False),
        Row(f"2-4-1: µs per epoch of ours, {calls} NumPy calls (ratio: µs a call)",
            spread(t["ours"], 1e6, "µs"), "—", statistics.median(t["ours"]) * 1e6 / calls),
    ]  # fmt: skip


class Counted(np.ndarray):
    """An array that counts the NumPy operations made on it (and on the arrays made from
    it) from outside NumPy: ufuncs (operators included) and array functions. NumPy's own
    calls inside one of those are part of it, not counted again."""

    calls = 0

    def __array_ufunc__(self, ufunc, method, *inputs, out=None, **kwargs):
        Counted.calls += _outside_numpy(sys._getframe(1))
        if out is not None:
            kwargs["out"] = tuple(x.view(np.ndarray) for x in out)
        result = getattr(ufunc, method)(*(_plain(x) for x in inputs), **kwargs)
        if out is not None:
            return out[0] if len(out) == 1 else out
        return result.view(Counted) if isinstance(result, np.ndarray) else result

    def __array_function__(self, func, types, args, kwargs):
        Counted.calls += _outside_numpy(sys._getframe(1))
        result = super().__array_function__(func, types, args, kwargs)
        return result.view(Counted) if type(result) is np.ndarray else result  # np.where's


def _plain(x: object) -> object:
    return x.view(np.ndarray) if isinstance(x, Counted) else x


def _outside_numpy(frame) -> bool:
    """A call from code that is neither NumPy's nor Counted's own."""
    own = frame.f_code.co_filename == __file__ and frame.f_code.co_qualname.startswith(
        ("Counted.", "_plain")
    )
    return not (own or frame.f_globals.get("__name__", "").startswith("numpy"))


def numpy_calls(trainer: Trainer) -> int:
    """The NumPy calls one epoch of ``trainer.step_epoch`` makes: ufuncs and array functions
    on its arrays (through Counted) plus the ndarray methods and NumPy builtins it calls
    (a profile hook on C calls), each counted where code outside NumPy calls it."""
    methods = 0

    def hook(frame, event, fn) -> None:
        nonlocal methods
        if (
            event == "c_call"
            and _outside_numpy(frame)
            and not isinstance(getattr(fn, "__self__", None), np.ufunc)
        ):
            owner = getattr(fn, "__self__", None)
            methods += isinstance(owner, np.ndarray) or (
                getattr(fn, "__module__", "") or ""
            ).startswith("numpy")

    trainer.step_epoch()  # the first epoch makes the arrays the next ones write into
    _count_on(trainer)
    trainer.step_epoch()  # and the first on the counted arrays what the next ones reuse
    Counted.calls = 0
    sys.setprofile(hook)
    trainer.step_epoch()
    sys.setprofile(None)
    return Counted.calls + methods


def _count_on(trainer: Trainer) -> None:
    """View the trainer's data, weight and gradient buffers and the arrays its epochs write
    into (``_works``) as Counted, so every call on them or on what is made from them counts."""
    for name in ("X", "Y", "_flat", "_before_flat", "_good_flat", "_dflat"):
        setattr(trainer, name, getattr(trainer, name).view(Counted))
    trainer._works = {
        m: [type(w)(*(None if a is None else a.view(Counted) for a in w)) for w in works]
        for m, works in trainer._works.items()
    }


def health_rows(repeats: int, epochs: int) -> list[Row]:
    """Epochs with health recording against epochs without, interleaved: the 2-4-1 on
    circles with the budget the app and nntui train give it, in rounds of BUDGET_ROUND
    epochs (the budget times the record against the time between epochs, so each round
    must be long next to the record's 64-epoch checks: the other runners' turns count as
    time between epochs), and with every epoch recorded (keep repeats * epochs under
    HEALTH_LIMIT, so every epoch is); the 784-256-128-10 full batch with the budget."""
    X, labels, Y = circles_data()
    tiny = {mode: ours_epoch(X, labels, Y, [2, 4, 1], "sigmoid", 0.5, None, health=mode)
            for mode in ("budget", "every", "off")}  # fmt: skip
    budget = interleaved({k: tiny[k] for k in ("budget", "off")}, repeats, BUDGET_ROUND)
    every = interleaved({k: tiny[k] for k in ("every", "off")}, repeats, epochs)
    name, dims, hidden, _ = CASES[0]
    X, labels, Y = data(dims, M)
    runners = {mode: ours_epoch(X, labels, Y, dims, hidden, LR, None, health=mode)
               for mode in ("budget", "off")}  # fmt: skip
    large = interleaved(runners, repeats, 3)
    share = f"{HEALTH_BUDGET:.0%} budget"
    return [
        Row(f"2-4-1: epoch with health recording ({share}, as the app and nntui train) / "
            f"without ({BUDGET_ROUND} epochs a round)", spread(budget["budget"], 1e6, "µs"),
            spread(budget["off"], 1e6, "µs"), ratio(budget, "budget", "off"), 1.05),
        Row(f"2-4-1: epoch with health recorded every epoch / without ({repeats * epochs} "
            "epochs)", spread(every["every"], 1e6, "µs"), spread(every["off"], 1e6, "µs"),
            ratio(every, "every", "off")),
        Row(f"{name}: epoch with health recording ({share}) / without",
            spread(large["budget"]), spread(large["off"]), ratio(large, "budget", "off")),
    ]  # fmt: skip


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
        epoch = ours_epoch(X, labels, Y, dims, hidden, LR, batch, health="budget")
    else:
        epoch = torch_epoch(X, labels, dims, hidden, LR, batch)
    before = rss_kib("VmRSS")
    Path("/proc/self/clear_refs").write_text("5")  # restart the peak (VmHWM) from here
    for _ in range(epochs):
        epoch()
    print(json.dumps({"peak_total": rss_kib("VmHWM"), "before": before}))


def memory_row(epochs: int) -> Row:
    """Peak resident set while training 784-256-128-10 full batch, each framework in a process
    of its own."""
    peak = {}
    for framework in ("ours", "torch"):
        out = subprocess.run(
            [sys.executable, __file__, "--memory-child", framework, "--epochs", str(epochs)],
            capture_output=True, text=True, check=True,
        )  # fmt: skip
        r = json.loads(out.stdout)
        peak[framework] = (r["peak_total"] / 1024, (r["peak_total"] - r["before"]) / 1024)
    ours, torch = (
        f"{total:.0f} MiB (+{training:.0f} training)" for total, training in peak.values()
    )
    return Row("784-256-128-10 full batch: peak resident set, ours / PyTorch", ours, torch,
               peak["ours"][0] / peak["torch"][0], 1.0)  # fmt: skip


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
    head = (
        f"Measured {date.today()} on {platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}, NumPy {np.__version__}, PyTorch "
        f"{torch.__version__} ({THREADS} threads), load average {os.getloadavg()[0]:.1f} at "
        f"the start. m = 10 000, float32, plain gradient "
        f"descent; each cell: median (min-max) of {repeats} interleaved repeats; ratio: the "
        "median of the repeats' ratios."
    )
    print(head, flush=True)
    rows = large_rows(repeats)
    rows.append(sigmoid_row(repeats))
    rows += tiny_rows(repeats, 400)
    rows += health_rows(repeats, 500)
    rows.append(memory_row(5))
    for network, config in (("2-4-1 circles", {}), ("digits 64-32-10", DIGITS)):
        rows += app_rows(network, app_measures(1.0, repeats, config))
    rows.append(first_frame_row(first_frame(repeats)))
    lines = [head, "", *table(rows)]
    print("\n".join(lines[2:]))
    if args.readme:
        readme = ROOT / "README.md"
        text = readme.read_text()
        start, end = "<!-- bench:start -->", "<!-- bench:end -->"
        before, rest = text.split(start)
        _, after = rest.split(end)
        readme.write_text(before + start + "\n" + "\n".join(lines) + "\n" + end + after)
        print(f"wrote the results into {readme}")


if __name__ == "__main__":
    main()
