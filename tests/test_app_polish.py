"""What a new user meets at 80x24 and 120x40: where the focus goes, what fits, what is said."""

from dataclasses import replace

import numpy as np
import pytest
from rich.text import Text
from textual import events
from textual.widgets import Input

from nntui.config import FIELDS, Config, format_field
from nntui.messages import FrameReady
from nntui.panes import build_frame
from nntui.screens import ConfirmScreen
from nntui.widgets.choice import ChoiceField, ChoiceList
from nntui.widgets.diagram import LayerDiagram
from nntui.widgets.explain import Explainer
from nntui.widgets.form import NOT_APPLYING, HyperForm
from nntui.widgets.inspector import Heatmap, Histogram, Inspector

from .app_helpers import answer_confirm, make_app, settle

SMALL, LARGE = (80, 24), (120, 40)


# -- 1. choosing a view gives it the focus ----------------------------------------------------


@pytest.mark.parametrize("size", [SMALL, LARGE])
async def test_a_view_key_moves_the_focus_to_the_views_widget(size):
    """2 then an arrow moves the heatmap's cursor, whatever had the focus (the diagram at
    80x24, the shapes table at 120x40); 5 then gives the focus to Explain."""
    app = make_app()
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        await pilot.press("2")
        await settle(pilot)
        heatmap = app.query_one(Heatmap)
        assert app.focused is heatmap
        await pilot.press("down")
        assert heatmap.cursor == (1, 0)
        await pilot.press("5")
        await settle(pilot)
        assert isinstance(app.focused, Explainer)


async def test_arrows_typed_in_one_burst_after_2_move_the_heatmaps_cursor():
    """The view takes the focus at once: arrows typed right after 2 (before the app has
    handled it) go to the heatmap, not to the pane that had the focus."""
    app = make_app()
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        for key in ["2", "down", "right"]:
            app.post_message(events.Key(key, "2" if key == "2" else None))
        await settle(pilot)
        assert app.query_one(Heatmap).cursor == (1, 1)


async def test_a_click_on_a_tab_moves_the_focus_to_the_views_widget():
    app = make_app()
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        await pilot.click("#--content-tab-inspector")
        await settle(pilot)
        assert app.focused is app.query_one(Heatmap)


async def test_the_command_palette_view_command_moves_the_focus_to_the_view():
    app = make_app()
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        assert isinstance(app.focused, LayerDiagram)
        await pilot.press("ctrl+p")
        await pilot.press(*"tensor inspector")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert app.query_one("#views").active == "inspector"
        assert app.focused is app.query_one(Heatmap)


async def test_a_digit_in_a_form_field_is_typed_not_a_view_choice():
    app = make_app()
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        field = app.query_one("#field-learning_rate", Input)
        field.focus()
        await pilot.press("end", "2")
        await settle(pilot)
        assert field.value == "0.52" and app.focused is field
        assert app.query_one("#views").active == "training"


# -- 2, 3. the inspector fits, its histogram has one bin a column ------------------------------


@pytest.mark.parametrize("size", [SMALL, LARGE])
async def test_the_inspectors_histogram_is_whole_on_screen_after_a_phase(size):
    """After a forward phase (the tallest phase text) the histogram, its title and its axis
    labels lie inside the inspector, at 80x24 and 120x40."""
    app = make_app(dataset="digits")
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        await pilot.press("2", "full_stop")
        await settle(pilot)
        inspector, histogram = app.query_one(Inspector), app.query_one(Histogram)
        assert histogram.region.height >= 3
        assert inspector.region.contains_region(histogram.region)
        lines = str(histogram.render()).splitlines()
        assert len(lines) == histogram.size.height
        assert lines[0].startswith("values of A[1]") and lines[-1].startswith("-1")


@pytest.mark.parametrize("size", [SMALL, LARGE])
async def test_the_histogram_has_one_bin_a_column_counted_from_the_live_array(size):
    """The bins follow the histogram's width, one a column, so the bars span it from the
    lowest value's column to the highest's; the counts are the live W[1]'s own, binned
    again here with NumPy."""
    app = make_app(dataset="digits", seed=3)
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        await pilot.press("2")
        await settle(pilot)
        histogram = app.query_one(Histogram)
        width = histogram.size.width
        inspection = app.frame.views["inspector"].inspection
        W1 = app.session.params()["W1"]
        counts, edges = np.histogram(W1, bins=width)
        assert len(inspection.hist_counts) == width
        np.testing.assert_array_equal(inspection.hist_counts, counts)
        np.testing.assert_allclose(inspection.hist_edges, edges, rtol=1e-6)
        bars = str(histogram.render()).splitlines()[1:-1]
        assert all(len(line) == width for line in bars)
        assert bars[-1][0] != " " and bars[-1][-1] != " "  # the min's bin and the max's


# -- 4. the focused field stays in view above its help line ------------------------------------


async def test_each_focused_field_is_in_view_above_its_help_line():
    """f, then tab through every field at 80x24: the field with the focus is drawn inside the
    form, above the help line, which says that field's meaning whole (not cut at its last
    row)."""
    app = make_app()
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        await pilot.press("f")
        form, help_line = app.query_one(HyperForm), app.query_one("#field-help")
        for name, field in FIELDS.items():
            await settle(pilot)
            focused = app.focused
            assert focused.id == f"field-{name}"
            text = str(help_line.render())
            assert text.endswith(f"{field.label}: {field.help}")
            lines = Text(text).wrap(app.console, help_line.content_size.width)
            assert len(lines) <= help_line.content_size.height  # whole, not cut
            assert form.content_region.y <= focused.region.y
            assert focused.region.bottom <= help_line.region.y
            await pilot.press("tab")


# -- 5. a choice list has its own border, inside the screen, one line a row --------------------


async def open_data_set_list(pilot) -> ChoiceList:
    """f, then enter: the data set field's list, open."""
    await settle(pilot)
    await pilot.press("f", "enter")
    await settle(pilot)
    return pilot.app.query_one("#field-dataset").query_one(ChoiceList)


@pytest.mark.parametrize("size", [SMALL, LARGE])
async def test_the_data_set_list_is_bordered_on_screen_with_one_line_a_row(size):
    app = make_app()
    async with app.run_test(size=size) as pilot:
        choices = await open_data_set_list(pilot)
        assert app.focused is choices
        assert app.screen.region.contains_region(choices.region)
        assert choices.styles.border_top[0] == "round" and choices.styles.border_left[0] == "round"
        assert choices.virtual_size.height == choices.option_count  # no row wraps
        for y in range(choices.scrollable_content_region.height):
            name = choices.prompts[y].split()[0]
            assert choices.render_line(y).text.startswith(name)


# -- 6. a letter typed again cycles through the options starting with it -----------------------


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("w", "wine"),
        ("d", "digits"),
        ("dd", "diabetes"),
        ("ddd", "digits"),  # round past the end
        ("pp", "pg-xor"),
        ("dia", "diabetes"),  # more letters: the prefix, as before
        ("bre", "breast-cancer"),
    ],
)
async def test_typing_in_the_data_set_list_cycles_on_a_repeated_letter(typed, expected):
    app = make_app()
    async with app.run_test(size=LARGE) as pilot:
        choices = await open_data_set_list(pilot)
        await pilot.press(*typed)
        assert choices.prompts[choices.highlighted].split()[0] == expected


# -- 7. a generated set's own fields say they do not apply to a table --------------------------

GENERATED_ONLY = ("features", "noise", "points", "data_seed")


def test_only_the_generated_sets_own_fields_depend_on_the_data():
    assert {name for name, field in FIELDS.items() if field.generated_only} == set(GENERATED_ONLY)
    assert all(Config(dataset="circles").applies(name) for name in FIELDS)
    digits = Config(dataset="digits")
    assert [name for name in FIELDS if not digits.applies(name)] == list(GENERATED_ONLY)


async def test_a_tables_form_disables_the_generated_sets_fields_until_one_is_chosen():
    """With digits the four fields are disabled, empty, and say '2-D sets only' (tab passes
    them by); choosing circles gives them back with the values in use."""
    app = make_app(dataset="digits")
    async with app.run_test(size=LARGE) as pilot:
        await settle(pilot)
        for name in GENERATED_ONLY:
            field = app.query_one(f"#field-{name}", Input)
            assert field.disabled and field.value == "" and field.placeholder == NOT_APPLYING
            assert not field.focusable
        app.query_one("#field-dataset", ChoiceField).value = "circles"
        await settle(pilot)
        assert app.session.config.dataset == "circles"
        for name in GENERATED_ONLY:
            field = app.query_one(f"#field-{name}", Input)
            assert not field.disabled and field.placeholder == ""
            assert field.value == format_field(app.session.config, name)


# -- 8. a live change says what changed and from which epoch -----------------------------------


async def test_a_live_change_is_told_with_the_epoch_it_applies_from():
    """After 3 epochs, α and the optimiser changed in the form: each says so in a toast, from
    epoch 4, the first epoch that uses it."""
    app = make_app()
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        for _ in range(3):
            await pilot.press("n")
            await settle(pilot)
        field = app.query_one("#field-learning_rate", Input)
        field.focus()
        field.value = "0.07"
        await pilot.press("enter")
        await settle(pilot)
        app.query_one("#field-optimizer", ChoiceField).value = "adam"
        await settle(pilot)
        said = [n.message for n in app._notifications]
        assert "α (lr) = 0.07 from epoch 4" in said
        assert "optimiser = adam from epoch 4" in said
        assert app.session.config.learning_rate == 0.07 and app.session.epoch == 3


# -- 9. the undo confirm after a rewind says what is lost and what is kept ---------------------


async def test_the_undo_confirm_after_a_rewind_says_what_is_lost_and_what_comes_back():
    """10 epochs, [ to epoch 9, B and y: back to epoch 9, then 2 epochs more (epoch 11, not
    saved). u asks: the rewind's model (epoch 10) comes back, the model now (epoch 11) is
    lost unless saved first."""
    app = make_app()
    for _ in range(10):
        app.session.step_epoch()
    async with app.run_test(size=SMALL) as pilot:
        await pilot.press("left_square_bracket", "B")
        await answer_confirm(pilot, "y")
        for _ in range(2):
            await pilot.press("n")
            await settle(pilot)
        await pilot.press("u")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ConfirmScreen)
        assert screen.question == "Undo the rewind to epoch 9, back to epoch 10 of circles 2-4-1?"
        assert screen.lost == "epoch 11 of circles 2-4-1, not saved"
        assert screen.after == (
            "Comes back: epoch 10 of circles 2-4-1, as it was before the rewind to epoch 9.\n"
            "Lost: the model now (undo has no redo); to keep it, cancel (n), then save it (s)."
        )
        await pilot.press("y")
        await settle(pilot)
        assert app.session.epoch == 10


# -- a frame built for a UI that changed meanwhile ---------------------------------------------


async def test_a_frame_built_for_an_older_ui_is_followed_by_one_for_the_ui_now():
    """The training thread builds a frame for the UI as it was; if the UI changed since (here
    the histogram's width: 11 columns), the app draws a frame for the UI now after it, so
    the histogram is not left with the older frame's bins."""
    app = make_app(seed=3)
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        await pilot.press("2")
        await settle(pilot)
        old = app.ui
        app.ui = replace(old, histogram_bins=11)
        app.post_message(FrameReady(build_frame(app.session, old), old))
        await settle(pilot)
        assert len(app.frame.views["inspector"].inspection.hist_counts) == 11


# -- notices are shown as written -----------------------------------------------------------------


async def test_a_notice_shows_brackets_as_written():
    """A notice names keys ([ and ]), arrays (W[l]) and the user's own paths, which Textual
    would read as markup: "[ and ]" vanished from the time-travel refusal, and a path
    holding "[/]" failed to draw. Every notice is plain text (a toast draws it as written)."""
    app = make_app()
    async with app.run_test(size=LARGE) as pilot:
        await settle(pilot)
        await pilot.press("n", "full_stop")  # mid-epoch: no travel until it ends
        await settle(pilot)
        await pilot.press("left_square_bracket")
        app.notify("cannot open /tmp/a[/]b[l].npz")
        await settle(pilot)
        notices = list(app._notifications)
        assert not any(notice.markup for notice in notices)  # a toast shows it as written
        shown = [notice.message for notice in notices]
        assert any("then [ and ] travel" in text for text in shown), shown
        assert "cannot open /tmp/a[/]b[l].npz" in shown
