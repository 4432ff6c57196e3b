"""The form's choice fields (optimiser, init, data set): opened, moved in and picked from with
the keyboard or the mouse, and what the form then applies to the model; and its text fields,
shown as values on the opening screen, then made Inputs in place."""

from textual import events
from textual.app import App
from textual.widgets import Input

from nntui.config import FIELDS, Config, format_field
from nntui.widgets.choice import ChoiceField, ChoiceList, best_match
from nntui.widgets.form import FieldValue, HyperForm, dataset_prompt

from .app_helpers import make_app, settle

SIZE = (120, 40)
DATASETS = FIELDS["dataset"].choices


def test_best_match_is_the_prompt_holding_the_query_earliest():
    prompts = ["gd", "momentum", "adam"]
    assert best_match(prompts, "m") == 1  # "momentum" starts with m, "adam" has it third
    assert best_match(prompts, "DA") == 2  # case-blind
    assert best_match(prompts, "d") == 0  # gd and adam both at 1: the first one
    assert best_match(prompts, "z") is None


def shown_list(field: ChoiceField) -> ChoiceList | None:
    """The field's list if it is open (shown), else None."""
    lists = field.query(ChoiceList)
    return lists.first() if lists and lists.first().display else None


async def test_the_keyboard_opens_moves_and_picks_and_the_form_applies_the_optimiser():
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("n")
        await settle(pilot)
        field = app.query_one("#field-optimizer", ChoiceField)
        assert not field.query(ChoiceList)  # no list is built before it is first opened
        field.focus()
        await pilot.press("enter")
        await pilot.pause()
        choices = shown_list(field)
        assert choices is not None and app.focused is choices and choices.highlighted == 0
        assert "▲" in field.render().plain
        await pilot.press("down", "down", "enter")
        await settle(pilot)
        assert shown_list(field) is None and app.focused is field
        assert field.value == "adam" and "adam" in field.render().plain
        assert app.session.live_settings()["optimizer"] == "adam" and app.session.epoch == 1


async def test_escape_closes_the_list_unchanged_and_typing_searches_instead_of_app_keys():
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        field = app.query_one("#field-optimizer", ChoiceField)
        field.focus()
        await pilot.press("space")
        await pilot.pause()
        choices = shown_list(field)
        assert "n" not in app.screen.active_bindings  # the footer offers no letter keys
        await pilot.press("a", "d")  # "ad": adam; not the app's d (show the data)
        await pilot.pause()
        assert choices.highlighted == 2 and app.focused is choices
        await pilot.press("escape")
        await settle(pilot)
        assert shown_list(field) is None and app.focused is field
        assert field.value == "gd" and app.session.live_settings()["optimizer"] == "gd"


async def click_open_init(pilot) -> tuple[ChoiceField, ChoiceList]:
    """Click the init field once the app has started; the field and the list it opened."""
    await pilot.pause()
    field = pilot.app.query_one("#field-init", ChoiceField)
    await pilot.click(field)
    await pilot.pause()
    choices = shown_list(field)
    assert choices is not None
    return field, choices


async def test_the_mouse_opens_the_list_and_picks_the_init():
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        field, choices = await click_open_init(pilot)
        assert choices.region.y == field.region.y + 1  # the list opens under the field
        await pilot.click(choices, offset=(1, 3))  # the third option (under the border): small
        await settle(pilot)
        assert shown_list(field) is None and field.value == "small"
        assert app.session.config.init == "small" and app.session.epoch == 0


async def test_a_click_elsewhere_closes_the_list_unchanged():
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        field, _ = await click_open_init(pilot)
        await pilot.click("#legend")
        await settle(pilot)
        assert shown_list(field) is None and field.value == "xavier"
        assert app.session.config.init == "xavier"


async def test_the_data_set_list_says_rows_and_features_and_reopens_on_the_set_in_use():
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f", "enter")  # f focuses the data set field
        await pilot.pause()
        field = app.query_one("#field-dataset", ChoiceField)
        choices = shown_list(field)
        assert [str(choices.get_option_at_index(i).prompt) for i in range(len(DATASETS))] == [
            dataset_prompt(name) for name in DATASETS
        ]
        assert choices.region.width == 54  # wider than the field: the rows and features
        await pilot.press("i", "r", "enter")  # typed: iris
        await settle(pilot)
        assert app.session.config.dataset == "iris" and field.value == "iris"
        assert field.render().plain.startswith(dataset_prompt("iris")[:10])
        await pilot.press("enter")
        await pilot.pause()
        assert shown_list(field).highlighted == DATASETS.index("iris")


async def test_the_text_fields_show_their_values_first_then_become_inputs_in_place():
    config = Config(hidden=(8, 4), learning_rate=0.3)

    class Host(App):
        def compose(self):
            yield HyperForm(config, id="form")

    async with Host().run_test(size=SIZE) as pilot:
        form = pilot.app.query_one(HyperForm)
        typed = [name for name, field in FIELDS.items() if not field.choices]
        shown = {value.name: str(value.render()) for value in form.query(FieldValue)}
        assert shown == {name: format_field(config, name) for name in typed}
        assert not form.query(Input)  # no Input before the app asks for them
        await form.build_inputs()
        fields = form.query_one("#fields").children[1:]  # the labels' column comes first
        assert [field.id for field in fields] == [f"field-{name}" for name in FIELDS]
        inputs = {field.id.removeprefix("field-"): field.value for field in form.query(Input)}
        assert inputs == shown and not form.query(FieldValue)


async def test_new_options_redraw_the_field_and_keep_its_value_while_it_is_offered():
    class Host(App):
        def compose(self):
            yield ChoiceField([("gd", "gd"), ("adam", "adam")], value="adam", id="field-x")

    async with Host().run_test() as pilot:
        field = pilot.app.query_one(ChoiceField)
        await pilot.pause()
        assert field.render_line(0).text.startswith("adam")
        field.set_options([("gradient descent", "gd"), ("Adam, β₁ 0.9", "adam")])
        await pilot.pause()
        assert field.value == "adam" and field.render_line(0).text.startswith("Adam, β₁ 0.9")
        field.set_options([("momentum", "momentum")])
        await pilot.pause()
        assert field.value == "momentum" and field.render_line(0).text.startswith("momentum")


async def test_keys_typed_in_one_burst_are_applied_in_the_order_they_were_typed():
    """A fast typist (or a terminal replaying keys) can send backspace, digits and Enter
    before the app has handled the first: the field must end as typed, and Enter must
    apply that value. Textual runs an Input's own bindings (backspace, enter, ...) only
    once the key has bubbled up to the app, after later printable keys were inserted."""
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        field = app.query_one("#field-learning_rate", Input)
        field.focus()
        field.cursor_position = len(field.value)
        await pilot.pause()
        burst = ["backspace"] * len(field.value) + ["0", ".", "0", "5", "backspace", "7", "enter"]
        for key in burst:
            char = key if len(key) == 1 else None
            app.post_message(events.Key(key, char))
        await settle(pilot)
        assert field.value == "0.07"
        assert app.session.live_settings()["learning_rate"] == 0.07


async def test_tabs_typed_in_one_burst_after_f_move_on_from_the_first_field():
    """f focuses the data set field at once: Tabs typed right after it (before the app has
    handled f) move on from there, so the fourth field, α, gets what is typed next."""
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        for key in ["f", "tab", "tab", "tab"]:
            app.post_message(events.Key(key, "f" if key == "f" else None))
        await settle(pilot)
        assert app.focused is app.query_one("#field-learning_rate", Input)
