"""`nntui train`: the same training as the app, without it.

On a terminal it shows a progress bar (epoch, cost, accuracy, epochs/s, time left); piped, it
prints a plain line every few seconds. It ends with a summary table. Ctrl+C stops after the
epoch in progress and still writes the files asked for.

Exit codes: 0 trained, 1 diverged (the last finite weights are saved), 2 bad input,
130 stopped by Ctrl+C (files written).
"""

import argparse
import math
import signal
import sys
import time
from pathlib import Path

from rich.console import Console
from rich.progress import (
    BarColumn,
    Progress,
    TaskID,
    TaskProgressColumn,
    TextColumn,
    TimeRemainingColumn,
)
from rich.table import Table

from engine.trainer import DivergedError, EpochStats
from nntui.options import DESCRIPTION, INPUT_ERRORS, add_setup_options, fail, session_from_args
from nntui.session import Session

PLAIN_LINE_SECONDS = 2.0
EXIT = {"trained": 0, "diverged": 1, "stopped": 130}


def build_train_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="nntui train",
        description=DESCRIPTION + " This trains without the app.",
        epilog="Exit codes: 0 trained, 1 diverged (the last finite weights are saved), "
        "2 bad input, 130 stopped by Ctrl+C (the files are written).",
    )
    parser.add_argument("--epochs", type=int, metavar="N",
                        help="epochs to train (or epochs = N in the config file)")  # fmt: skip
    parser.add_argument("--save", metavar="MODEL.npz", help="save the model here at the end")
    parser.add_argument("--history", metavar="FILE.csv", help="write the per-epoch history here")
    add_setup_options(parser)
    return parser


def _fmt(value: float, pct: bool = False) -> str:
    if not math.isfinite(value):
        return "—"
    return f"{100 * value:.1f}%" if pct else f"{value:.4g}"


def _line(stats: EpochStats, total: int, rate: float) -> str:
    return (
        f"epoch {stats.epoch}/{total}  cost {_fmt(stats.train_cost)} (test "
        f"{_fmt(stats.test_cost)})  acc {_fmt(stats.train_acc, True)} (test "
        f"{_fmt(stats.test_acc, True)})  {rate:,.0f} epochs/s"
    )


def _check_writable(path: str | None, parser: argparse.ArgumentParser) -> None:
    if path and not Path(path).resolve().parent.is_dir():
        parser.error(f"cannot write {path}: its folder does not exist")


class StopOnInterrupt:
    """Ctrl+C asks to stop after the epoch in progress; a second Ctrl+C stops at once."""

    def __init__(self) -> None:
        self.requested = False

    def __enter__(self) -> "StopOnInterrupt":
        self._previous = signal.signal(signal.SIGINT, self._handle)
        return self

    def __exit__(self, *exc: object) -> None:
        signal.signal(signal.SIGINT, self._previous)

    def _handle(self, signum: int, frame: object) -> None:
        if self.requested:
            raise KeyboardInterrupt
        self.requested = True


class LoadingReport:
    """How reading a user's CSV goes: a bar on a terminal; piped, a line when its rows are
    counted, one every few seconds, and one when it is done. Silent for shipped data."""

    def __init__(self, console: Console) -> None:
        self.console = console
        self.progress = Progress(
            TextColumn("loading the CSV"), BarColumn(), TextColumn("{task.completed:,.0f} rows"),
            TaskProgressColumn(), console=console, transient=True,
            disable=not console.is_terminal,
        )  # fmt: skip

    def __enter__(self) -> "LoadingReport":
        self.began = self.printed = time.perf_counter()
        self.task: TaskID | None = None
        return self

    def update(self, done: int, rows: int) -> None:
        if self.task is None:
            self.progress.start()
            self.task = self.progress.add_task("loading", total=rows)
        self.progress.update(self.task, completed=done)
        if self.console.is_terminal:
            return
        now = time.perf_counter()
        if done == rows:
            print(f"loaded {rows:,} rows in {now - self.began:.1f} s", flush=True)
        elif done == 0 or now - self.printed >= PLAIN_LINE_SECONDS:
            print(f"loading the CSV: {done:,} of {rows:,} rows", flush=True)
            self.printed = now

    def __exit__(self, *exc: object) -> None:
        self.progress.stop()


def train(session: Session, epochs: int, console: Console) -> tuple[str, str]:
    """Run up to ``epochs`` epochs; (outcome, message) with outcome trained/diverged/stopped."""
    start = session.epoch
    target = start + epochs
    began = time.perf_counter()
    outcome, message, printed = "trained", "", began
    progress = Progress(
        TextColumn("epoch {task.completed:.0f}/{task.total:.0f}"), BarColumn(),
        TaskProgressColumn(), TextColumn("{task.fields[metrics]}"), TimeRemainingColumn(),
        console=console, disable=not console.is_terminal,
    )  # fmt: skip
    with StopOnInterrupt() as interrupt, progress:
        task = progress.add_task("training", total=target, completed=start, metrics="")
        while session.epoch < target:
            if interrupt.requested:
                outcome = "stopped"
                message = f"stopped by Ctrl+C after epoch {session.epoch}"
                break
            try:
                stats = session.step_epoch()
            except DivergedError as err:
                outcome, message = "diverged", str(err)
                break
            rate = (stats.epoch - start) / max(time.perf_counter() - began, 1e-9)
            if console.is_terminal:
                metrics = f"cost {_fmt(stats.train_cost)}  acc {_fmt(stats.train_acc, True)}  "
                progress.update(task, completed=stats.epoch, metrics=f"{metrics}{rate:,.0f}/s")
            elif time.perf_counter() - printed >= PLAIN_LINE_SECONDS or stats.epoch == target:
                print(_line(stats, target, rate), flush=True)
                printed = time.perf_counter()
    return outcome, message


def summary(session: Session, seconds: float, epochs_run: int) -> Table:
    facts, h = session.facts(), session.history(2)
    table = Table(title=f"nntui train · {facts.dataset} · "
                  f"{'-'.join(map(str, facts.layer_dims))}", show_header=True)  # fmt: skip
    table.add_column("")
    table.add_column("train", justify="right")
    table.add_column("test", justify="right")
    table.add_row("cost", _fmt(h.last(h.train_cost)), _fmt(h.last(h.test_cost)))
    if facts.task != "regression":
        table.add_row("accuracy", _fmt(h.last(h.train_acc), True), _fmt(h.last(h.test_acc), True))
    rate = epochs_run / seconds if seconds > 0 else math.nan
    table.add_row("epochs", f"{epochs_run} run, {session.epoch} in all", "")
    table.add_row("time", f"{seconds:.2f} s ({rate:,.0f} epochs/s)", "")
    return table


def main(argv: list[str]) -> int:
    parser = build_train_parser()
    args = parser.parse_args(argv)
    _check_writable(args.save, parser)
    _check_writable(args.history, parser)
    console = Console(stderr=False)
    try:
        with LoadingReport(console) as loading:
            session, extras = session_from_args(args, parser, loading.update)
    except INPUT_ERRORS as err:
        return fail(err)
    epochs = args.epochs if args.epochs is not None else extras.get("epochs")
    if epochs is None or epochs < 1:
        parser.error("give the number of epochs: --epochs N (N >= 1), or epochs = N in the config")
    began, first = time.perf_counter(), session.epoch
    outcome, message = train(session, epochs, console)
    seconds = time.perf_counter() - began
    if message:
        print(f"nntui: {message}", file=sys.stderr)
    try:
        if args.save:
            session.save(args.save)
            print(f"saved the model to {args.save}")
        if args.history:
            session.export_history(args.history)
            print(f"wrote the history to {args.history}")
    except OSError as err:
        return fail(f"cannot write: {err}")
    console.print(summary(session, seconds, session.epoch - first))
    return EXIT[outcome]
