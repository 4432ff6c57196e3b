"""`nntui train`: the same training as the app, without it.

On a terminal it shows a progress bar (epoch, cost, accuracy, epochs/s, time left); piped, it
prints a plain line every few seconds. It ends with a summary table and the training-health
warnings (``engine.health.findings``) of the last recorded epoch. Ctrl+C, SIGTERM and
SIGHUP stop after the epoch in progress and still write the files asked for; a second one
stops at once, undoes the unfinished epoch and writes them too. Output that cannot be shown
(``| head``, a full disk, an encoding without "·") is dropped; training and the files go on.
The output files are checked before training: none may be an input or another output.
``--load MODEL.npz --rewind-to K`` first goes back to the model's latest checkpoint at or
before epoch K (``Session.rewind``) and says which epoch that is.

Exit codes: 0 trained, 1 diverged (the last finite weights are saved), 2 bad input (a file
that cannot be read or written), 130 stopped by Ctrl+C, 143 by SIGTERM, 129 by SIGHUP (the
files are written).
"""

import argparse
import errno
import math
import os
import signal
import sys
import time
from typing import Any, TextIO

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

from engine.trainer import DivergedError, EpochStats, EpochStoppedError
from nntui.options import DESCRIPTION, INPUT_ERRORS, add_setup_options, fail, session_from_args
from nntui.session import Session

PLAIN_LINE_SECONDS = 2.0
EXIT = {"trained": 0, "diverged": 1}  # stopped by a signal: 128 + its number
SIGNALS = {signal.SIGINT: "Ctrl+C", signal.SIGTERM: "SIGTERM", signal.SIGHUP: "SIGHUP"}
EXIT_CODES = (
    "Exit codes: 0 trained, 1 diverged (the last finite weights are saved), 2 bad input "
    "(a file that cannot be read or written), 130 stopped by Ctrl+C, 143 by SIGTERM, 129 by "
    "SIGHUP (the files are written)."
)


def build_train_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="nntui train",
        description=DESCRIPTION + " This trains without the app.",
        epilog=EXIT_CODES,
    )
    parser.add_argument("--epochs", type=int, metavar="N",
                        help="epochs to train (or epochs = N in the config file)")  # fmt: skip
    parser.add_argument("--save", metavar="MODEL.npz", help="save the model here at the end")
    parser.add_argument("--history", metavar="FILE.csv", help="write the per-epoch history here")
    parser.add_argument(
        "--rewind-to", type=epoch_number, metavar="K",
        help="with --load: go on from the model's latest checkpoint at or before epoch K "
        "(the history after it is dropped); it says which epoch it used",
    )  # fmt: skip
    add_setup_options(parser)
    return parser


def epoch_number(text: str) -> int:
    """An epoch for --rewind-to: a whole number >= 0."""
    try:
        value = int(text)
    except ValueError:
        value = -1
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be a whole number >= 0, got {text!r}")
    return value


def rewind(session: Session, args: argparse.Namespace) -> None:
    """Go back to the checkpoint --rewind-to asks for, and say which; a ValueError if the
    model has none at or before it."""
    latest = session.epoch
    used = session.rewind(args.rewind_to)
    which = "" if used == args.rewind_to else f" (the latest at or before {args.rewind_to})"
    after = f"{latest - used} epochs after it are dropped" if used < latest else "it is the latest"
    print(f"rewound to the checkpoint of epoch {used}{which}; {after}")


def _fmt(value: float, pct: bool = False) -> str:
    if not math.isfinite(value):
        return "—"
    return f"{100 * value:.1f}%" if pct else f"{value:.4g}"


def _score(stats: EpochStats, test: bool = True) -> str:
    """'acc 97.5% (test 95.0%)' for classification, 'R² 0.512 (test 0.47)' for regression."""
    regression = math.isnan(stats.train_acc) and not math.isnan(stats.train_r2)
    name, train, tested = ("R²", stats.train_r2, stats.test_r2) if regression else (
        "acc", stats.train_acc, stats.test_acc)  # fmt: skip
    text = f"{name} {_fmt(train, not regression)}"
    return text + (f" (test {_fmt(tested, not regression)})" if test else "")


def _line(stats: EpochStats, total: int, rate: float) -> str:
    return (
        f"epoch {stats.epoch}/{total}  cost {_fmt(stats.train_cost)} (test "
        f"{_fmt(stats.test_cost)})  {_score(stats)}  {rate:,.0f} epochs/s"
    )


def check_outputs(session: Session, args: argparse.Namespace) -> None:
    """A ValueError unless --save and --history can be written, before any training: not
    over an input, not over each other (a model may be saved over the one it continues)."""
    if args.save is not None:
        session.check_output(args.save, "model")
    if args.history is not None:
        also = {"the --save file": args.save} if args.save else {}
        session.check_output(args.history, "history", also)


class StopOnSignals:
    """Ctrl+C, SIGTERM or SIGHUP asks to stop after the epoch in progress; a second one asks
    to stop inside it (the trainer undoes that epoch). Nothing is raised: files still get
    written, so the handlers stay for as long as the files are being written."""

    def __init__(self) -> None:
        self.signum: int | None = None
        self.again = False

    def __enter__(self) -> "StopOnSignals":
        self._previous = {signum: signal.signal(signum, self._handle) for signum in SIGNALS}
        return self

    def __exit__(self, *exc: object) -> None:
        for signum, handler in self._previous.items():
            signal.signal(signum, handler)

    def _handle(self, signum: int, frame: object) -> None:
        self.again = self.signum is not None
        if not self.again:
            self.signum = signum
            # os.write, not print: a handler may run while the main code is inside print.
            os.write(2, f"nntui: {self.name}: stopping after the epoch in progress "
                        "(again: at once, undoing it)\n".encode())  # fmt: skip

    def stop_now(self) -> bool:
        """Whether a second signal came: the epoch in progress is to be undone."""
        return self.again

    @property
    def name(self) -> str:
        return SIGNALS[self.signum] if self.signum else ""

    @property
    def exit_code(self) -> int:
        return 128 + (self.signum or 0)


class ForgivingStdout:
    """Standard output that never stops training: once it cannot be written (its reader went
    away, as with ``| head``, or the disk is full) the rest goes to /dev/null, so no error
    and no "Exception ignored" at exit. Characters its encoding lacks come out as "?"."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="replace")

    def write(self, text: str) -> int:
        try:
            return self._stream.write(text)
        except OSError as err:
            self._lose(err)
            return len(text)

    def flush(self) -> None:
        try:
            self._stream.flush()
        except OSError as err:
            self._lose(err)

    def _lose(self, err: OSError) -> None:
        """Point the file descriptor at /dev/null; say why unless the reader just left."""
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, self._stream.fileno())
        os.close(devnull)
        if err.errno != errno.EPIPE:
            print(f"nntui: standard output lost ({err.strerror}); training goes on",
                  file=sys.stderr)  # fmt: skip

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


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


def train(
    session: Session, epochs: int, console: Console, signals: StopOnSignals
) -> tuple[str, str]:
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
    with progress:
        task = progress.add_task("training", total=target, completed=start, metrics="")
        while session.epoch < target:
            if signals.signum:
                outcome = "stopped"
                message = f"stopped by {signals.name} after epoch {session.epoch}"
                break
            try:
                stats = session.step_epoch(signals.stop_now)
            except DivergedError as err:
                outcome, message = "diverged", str(err)
                break
            except EpochStoppedError as err:
                outcome = "stopped"
                message = f"stopped by {signals.name} twice: {err}"
                break
            rate = (stats.epoch - start) / max(time.perf_counter() - began, 1e-9)
            if console.is_terminal:
                metrics = f"cost {_fmt(stats.train_cost)}  {_score(stats, test=False)}  "
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
    cost = "cost J (standardised target)" if facts.regression else "cost J"
    table.add_row(cost, _fmt(h.last(h.train_cost)), _fmt(h.last(h.test_cost)))
    if facts.regression:
        table.add_row("R²", _fmt(h.last(h.train_r2)), _fmt(h.last(h.test_r2)))
        table.add_row(f"RMSE ({facts.target_name})", _fmt(h.last(h.train_rmse)),
                      _fmt(h.last(h.test_rmse)))  # fmt: skip
    else:
        table.add_row("accuracy", _fmt(h.last(h.train_acc), True), _fmt(h.last(h.test_acc), True))
    rate = epochs_run / seconds if seconds > 0 else math.nan
    table.add_row("epochs", f"{epochs_run} run, {session.epoch} in all", "")
    table.add_row("time", f"{seconds:.2f} s ({rate:,.0f} epochs/s)", "")
    return table


def load(args: argparse.Namespace, parser: argparse.ArgumentParser, console: Console):
    """(Session, extras), as ``session_from_args``; KeyboardInterrupt if Ctrl+C stops it."""
    with LoadingReport(console) as loading:
        return session_from_args(args, parser, loading.update)


def write_files(session: Session, args: argparse.Namespace) -> None:
    """Save the model and the history asked for; OSError or ValueError if one cannot be."""
    if args.save:
        session.save(args.save)
        print(f"saved the model to {args.save}")
    if args.history:
        session.export_history(args.history)
        print(f"wrote the history to {args.history}")


def main(argv: list[str]) -> int:
    parser = build_train_parser()
    args = parser.parse_args(argv)
    if args.rewind_to is not None and not args.load:
        parser.error("--rewind-to K goes with --load MODEL.npz (a saved model's checkpoint)")
    sys.stdout = ForgivingStdout(sys.stdout)
    console = Console(stderr=False)
    try:
        session, extras = load(args, parser, console)
    except INPUT_ERRORS as err:
        return fail(err)
    except KeyboardInterrupt:
        print("nntui: stopped by Ctrl+C while loading the data", file=sys.stderr)
        return 128 + signal.SIGINT
    for note in session.dataset.notes:
        print(f"nntui: {note}", file=sys.stderr)
    if args.rewind_to is not None:
        try:
            rewind(session, args)
        except ValueError as err:
            return fail(f"{args.load}: {err}")
    with StopOnSignals() as signals:
        epochs = args.epochs if args.epochs is not None else extras.get("epochs")
        if epochs is None or epochs < 1:
            parser.error("give the number of epochs: --epochs N (N >= 1), or epochs = N in the "
                         "config")  # fmt: skip
        try:
            check_outputs(session, args)
        except ValueError as err:
            return fail(err)
        began, first = time.perf_counter(), session.epoch
        outcome, message = train(session, epochs, console, signals)
        seconds = time.perf_counter() - began
        if message:
            print(f"nntui: {message}", file=sys.stderr)
        try:
            write_files(session, args)
        except (OSError, ValueError) as err:
            return fail(f"cannot write: {err}")
    console.print(summary(session, seconds, session.epoch - first))
    for finding in session.health_findings():
        console.print(f"warning: {finding.message}; {finding.hint}", markup=False)
    return signals.exit_code if outcome == "stopped" else EXIT[outcome]
