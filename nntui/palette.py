"""The app's colours, in one place, taken from the active Textual theme.

The panes that draw their own pixels (the diagram's links, the inspector's heatmap, the
decision boundary, the plots' curves) cannot use the stylesheet's ``$variables``, so they
read a ``Palette`` built from the theme: its background, foreground and accent, its success
and error colours for the forward and backward passes, and a colour-blind-safe blue and
orange (Okabe and Ito) for the sign of a number, darkened on light themes and lightened on
dark ones until they stand out from the background (contrast ratio >= MIN_CONTRAST).
"""

from dataclasses import dataclass

from textual.app import App
from textual.color import Color, ColorParseError
from textual.theme import Theme

RGB = tuple[int, int, int]

MIN_CONTRAST = 3.0  # WCAG's ratio for large text and graphics
#: Okabe and Ito's colour-blind-safe hues: blue (positive), orange (negative), then the rest
#: for classes beyond two.
BLUE, ORANGE = (86, 180, 233), (230, 159, 0)
MORE_HUES: tuple[RGB, ...] = (
    (0, 158, 115),  # bluish green
    (204, 121, 167),  # reddish purple
    (240, 228, 66),  # yellow
    (213, 94, 0),  # vermillion
    (0, 114, 178),  # blue
    (150, 150, 150),  # grey
)
#: Used where a theme gives a colour as an ANSI name, which has no RGB of its own.
FALLBACK = {True: {"background": (18, 18, 18), "foreground": (224, 224, 224)},
            False: {"background": (224, 224, 224), "foreground": (31, 31, 31)}}  # fmt: skip


@dataclass(frozen=True)
class Palette:
    """Every colour a pane draws with, as RGB."""

    dark: bool
    background: RGB
    foreground: RGB
    muted: RGB  # faint links, the zero of a diverging scale: a step from the background
    positive: RGB
    negative: RGB
    accent: RGB  # the selected layer, the heatmap's cursor
    forward: RGB  # the forward pass
    backward: RGB  # the backward pass
    classes: tuple[RGB, ...]  # class i's hue (class 0 negative, class 1 positive)

    @property
    def train(self) -> RGB:
        return self.positive

    @property
    def test(self) -> RGB:
        return self.negative

    def hue(self, i: int) -> RGB:
        return self.classes[i % len(self.classes)]


def style(c: RGB) -> str:
    """A rich style string for an RGB colour."""
    return f"rgb({c[0]},{c[1]},{c[2]})"


def blend(a: RGB, b: RGB, t: float) -> RGB:
    """The colour a fraction t of the way from a to b."""
    return tuple(int(x + (y - x) * t) for x, y in zip(a, b, strict=True))  # type: ignore[return-value]


def luminance(c: RGB) -> float:
    """WCAG relative luminance, 0 (black) to 1 (white)."""
    linear = [(v / 255) / 12.92 if v <= 10 else ((v / 255 + 0.055) / 1.055) ** 2.4 for v in c]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: RGB, b: RGB) -> float:
    """WCAG contrast ratio of two colours, 1 to 21."""
    la, lb = sorted((luminance(a), luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def readable(c: RGB, background: RGB) -> RGB:
    """c, moved towards black (light background) or white (dark) until it stands out."""
    target = (0, 0, 0) if luminance(background) > 0.4 else (255, 255, 255)
    for step in range(11):
        moved = blend(c, target, step / 10)
        if contrast(moved, background) >= MIN_CONTRAST:
            return moved
    return target


def _rgb(variables: dict[str, str], name: str, dark: bool) -> RGB:
    try:
        return Color.parse(variables[name]).rgb
    except (ColorParseError, KeyError):
        return FALLBACK[dark].get(name, FALLBACK[dark]["foreground"])


def palette_of_theme(theme: Theme) -> Palette:
    """The palette of a theme, from its generated colour system."""
    variables = {**theme.to_color_system().generate(), **theme.variables}
    dark = theme.dark
    background = _rgb(variables, "background", dark)
    foreground = _rgb(variables, "foreground", dark)
    positive, negative = readable(BLUE, background), readable(ORANGE, background)
    return Palette(
        dark=dark, background=background, foreground=foreground,
        muted=blend(background, foreground, 0.25), positive=positive, negative=negative,
        accent=readable(_rgb(variables, "accent", dark), background),
        forward=readable(_rgb(variables, "success", dark), background),
        backward=readable(_rgb(variables, "error", dark), background),
        classes=(negative, positive, *(readable(h, background) for h in MORE_HUES)),
    )  # fmt: skip


_CACHE: dict[str, tuple[Theme, Palette]] = {}  # by theme name: the theme and its palette


def palette(app: App) -> Palette:
    """The palette of the app's active theme (computed once per theme)."""
    theme = app.current_theme
    cached = _CACHE.get(theme.name)
    if cached is None or cached[0] is not theme:
        cached = _CACHE[theme.name] = (theme, palette_of_theme(theme))
    return cached[1]
