"""The pace of play: how many epochs a second the app trains, and when the next one starts.

A speed is a whole number of epochs per second, or None for as fast as the machine goes
(shown "max"). ``-`` and ``+`` step through ``SPEEDS``. At a finite speed the training
thread sleeps between epochs until the next one is due; at max it never looks at a clock
for pacing. Up to ``EACH_EPOCH_UP_TO`` epochs a second every epoch is drawn, so that the
diagram, the boundary and the plots move epoch by epoch; faster, frames are throttled.
"""

SPEEDS: tuple[int | None, ...] = (1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, None)
#: The default network (circles 2-4-1, tanh, lr 0.5) passes 90% test accuracy near epoch
#: 120 and 100% near 200: at 20 epochs/s its boundary forms over 6-10 s of watching.
DEFAULT_SPEED = 20
EACH_EPOCH_UP_TO = 20  # epochs/s: up to here every epoch is drawn (a frame costs ~20-40 ms)
#: Faster, frames a second and seconds between redraws of the costly panes (diagram,
#: inspector, boundary, report: ~5-10 ms a redraw). At max the training thread never sleeps
#: and the UI's drawing is time it waits for the GIL: half as many frames gave the 2-4-1
#: ~2-7 % more epochs/s (alternating 1 s windows in one app).
FRAMES_PER_SECOND, HEAVY_PANE_SECONDS = 10, 0.25
FRAMES_PER_SECOND_AT_MAX, HEAVY_PANE_SECONDS_AT_MAX = 5, 0.5
MAX_SPEED = 100_000  # a typed speed beyond this is max in all but name
WAKE_SECONDS = 0.05  # a sleeping training thread looks for a pause or a new speed this often


def speed_label(speed: int | None) -> str:
    """'20/s', or 'max'."""
    return "max" if speed is None else f"{speed}/s"


def faster(speed: int | None) -> int | None:
    """The next speed up the ladder (max stays max)."""
    if speed is None:
        return None
    return next((s for s in SPEEDS if s is None or s > speed), None)


def slower(speed: int | None) -> int | None:
    """The next speed down the ladder (1 stays 1)."""
    if speed is None:
        return SPEEDS[-2]
    below = [s for s in SPEEDS[:-1] if s < speed]
    return below[-1] if below else SPEEDS[0]


def next_start(due: float, now: float, speed: int) -> float:
    """When the next epoch may start, given when the last one was due and the time now:
    1/speed after the last, so that a slow epoch is made up by a shorter wait; or now, if
    training fell a whole interval behind (it never bursts to catch up)."""
    return max(due + 1 / speed, now)


def draws_each_epoch(speed: int | None) -> bool:
    """Whether every epoch gets its own frame, heavy panes and plots included."""
    return speed is not None and speed <= EACH_EPOCH_UP_TO


def frame_seconds(speed: int | None) -> float:
    """The least time between two frames the training thread posts (0: every epoch)."""
    if draws_each_epoch(speed):
        return 0.0
    return 1 / (FRAMES_PER_SECOND_AT_MAX if speed is None else FRAMES_PER_SECOND)


def heavy_pane_seconds(speed: int | None) -> float:
    """The least time between two redraws of a costly pane while training (0: every frame)."""
    if draws_each_epoch(speed):
        return 0.0
    return HEAVY_PANE_SECONDS_AT_MAX if speed is None else HEAVY_PANE_SECONDS
