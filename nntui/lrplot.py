"""The learning-rate finder's picture, for `nntui lr-find` and the app's finder screen: the
cost J and its smoothed curve against log10 α, the suggested rate as a vertical line.

``draw`` takes any plotext figure (the module for the terminal, a ``Chart``'s ``.plt``
in the app); the x axis is log10 α, ticked at powers of ten and labelled 1e-6 .. 1e1.
"""

import math
from typing import Any

import numpy as np

from engine.lrfind import LRFind

RGB = tuple[int, int, int]
LEGEND = "⠤⠤ J per step  •• smoothed  │ suggested"
TOP = 2.0  # the y axis reaches TOP times the first smoothed cost: the blow-up goes off the top


def hint(found: LRFind) -> str:
    """The option to paste: '--lr 0.0923'."""
    return f"--lr {found.suggested:g}"


def draw(plt: Any, found: LRFind, colours: tuple[RGB, RGB, RGB] | None = None) -> None:
    """Plot J (n,) and S (n,) over log10 α (n,); colours: J, smoothed, the suggested line."""
    plt.clear_data()
    plt.clear_figure()
    if not len(found.costs):
        return
    J_colour, S_colour, mark = colours or ("blue", "orange", "green")
    x = np.log10(found.rates).tolist()
    top = TOP * float(found.smoothed[0])
    low = float(min(found.costs.min(), found.smoothed.min()))
    plt.plot(x, np.minimum(found.costs, 2 * top).tolist(), marker="braille", color=J_colour)
    plt.plot(x, np.minimum(found.smoothed, 2 * top).tolist(), marker="dot", color=S_colour)
    plt.vertical_line(math.log10(found.suggested), color=mark)
    ticks = list(range(math.floor(x[0]), math.ceil(max(x[-1], math.log10(found.suggested))) + 1))
    plt.xticks(ticks, [f"1e{t}" for t in ticks])
    plt.xlim(ticks[0], ticks[-1])
    plt.ylim(max(0.0, low - 0.05 * (top - low)), top)
    plt.xlabel("learning rate α (log scale)")
    plt.ylabel("cost J")
    plt.title(LEGEND)


def table(found: LRFind, rows: int = 20) -> str:
    """The plot as plain text: about ``rows`` log-spaced steps, then the last, one a line."""
    n = len(found.costs)
    picked = sorted({*np.linspace(0, n - 1, min(rows, n)).astype(int).tolist()}) if n else []
    lines = [f"{'rate':>10}  {'cost J':>10}  {'smoothed':>10}"]
    lines += [f"{found.rates[i]:>10.3g}  {found.costs[i]:>10.4g}  {found.smoothed[i]:>10.4g}"
              for i in picked]  # fmt: skip
    return "\n".join(lines)
