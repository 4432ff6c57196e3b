"""The bench's report: rows of what is compared, ours, the peer, the RATIO and its target."""

import statistics
from typing import NamedTuple


class Row(NamedTuple):
    """One line of the report: what is compared, ours and the peer's measurement (text, with
    the spread), the RATIO, and the target it must meet: ``ratio <= limit`` when ``at_most``,
    else ``ratio >= limit``; no limit for a row that only informs."""

    name: str
    ours: str
    peer: str
    ratio: float
    limit: float | None = None
    at_most: bool = True

    @property
    def target(self) -> str:
        return "—" if self.limit is None else f"{'<=' if self.at_most else '>='} {self.limit:g}"

    @property
    def met(self) -> str:
        if self.limit is None:
            return "—"
        ok = self.ratio <= self.limit if self.at_most else self.ratio >= self.limit
        return "met" if ok else "MISSED"


def table(rows: list[Row]) -> list[str]:
    """The rows as a Markdown table: measure, ours, peer, ratio, target, met."""
    lines = [
        "| measure | ours | peer | ratio | target | met |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for r in rows:
        lines.append(f"| {r.name} | {r.ours} | {r.peer} | {r.ratio:.2f} | {r.target} | {r.met} |")
    return lines


def spread(seconds: list[float], scale: float = 1000, unit: str = "ms") -> str:
    """'median unit (min-max)' of repeated measurements."""
    low, mid, high = (scale * v for v in (min(seconds), statistics.median(seconds), max(seconds)))
    return f"{mid:,.3g} {unit} ({low:,.3g}-{high:,.3g})"
