"""The app driven headlessly with Pilot: keys, fields, panes, and what they do to the model."""

import gc
import re
from pathlib import Path

import numpy as np
import pytest
from textual.widgets import Input

from engine.names import ArrayName, LayerKind
from engine.trainer import Trainer
from nntui.app import NNTuiApp
from nntui.config import FIELDS, Config, format_field
from nntui.panes import build_frame
from nntui.screens import HelpScreen
from nntui.session import Session
from nntui.views import UiState
from nntui.widgets.choice import ChoiceField
from nntui.widgets.diagram import LayerDiagram
from nntui.widgets.form import FieldLabels
from nntui.widgets.shapes import ShapesTable
from nntui.widgets.status import StatusBar

from .app_helpers import answer_confirm, make_app, settle, terminal_keys

SIZE = (120, 40)


def status(app: NNTuiApp) -> str:
    return str(app.query_one(StatusBar).render())


def table_rows(app: NNTuiApp) -> list[list[str]]:
    table = app.query_one(ShapesTable)
    return [[str(c) for c in table.get_row_at(r)] for r in range(table.row_count)]


async def test_opens_paused_on_the_untrained_network_with_its_shapes():
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert not app.running and app.session.epoch == 0
        assert "paused" in status(app) and "epoch 0" in status(app)
        rows = table_rows(app)
        t = {str(name): shape for name, shape in app.session.shapes().items()}
        assert rows[0][:7] == ["1", "tanh", f"X {t['A[0]']}".replace("'", ""),
                               str(t["W[1]"]), str(t["b[1]"]),
                               str(t["Z[1]"]), str(t["A[1]"])]  # fmt: skip
        assert rows[0][2] == "X (2, 320)" and rows[1][3] == "(1, 4)"
        assert rows[0][7:] == ["—", "—", "—"]  # no backward pass yet


async def test_n_steps_one_epoch_and_fills_the_gradient_shapes():
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("n")
        await settle(pilot)
        assert app.session.epoch == 1
        assert "epoch 1" in status(app)
        assert table_rows(app)[0][7:] == ["(4, 320)", "(4, 2)", "(4, 1)"]


async def test_stepping_in_the_app_equals_the_engine_trainer_stepped_directly():
    app = make_app(dataset="iris", hidden=(6,), activation="relu", learning_rate=0.1,
                   batch_size=32, optimizer="adam", seed=3)  # fmt: skip
    async with app.run_test(size=SIZE) as pilot:
        for _ in range(5):
            await pilot.press("n")
            await settle(pilot)
        session = app.session
        p = session.prepared
        direct = Trainer(
            p.X_train, p.Y_train, [4, 6, 3], activations=["relu", "softmax"], cost="ce",
            X_test=p.X_test, Y_test=p.Y_test, learning_rate=0.1, batch_size=32,
            optimizer="adam", init="xavier", seed=3,
        )  # fmt: skip
        for _ in range(5):
            direct.step_epoch()
        assert session.epoch == 5
        for key, value in direct.params.items():
            np.testing.assert_array_equal(session.params()[key], value)


async def test_play_then_pause_really_stops():
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("space")
        await pilot.pause(0.3)
        assert app.running and "running" in status(app)
        await pilot.press("space")
        await settle(pilot)
        stopped_at = app.session.epoch
        assert stopped_at > 0 and not app.running
        await pilot.pause(0.3)
        assert app.session.epoch == stopped_at
        assert "paused" in status(app) and f"epoch {stopped_at}" in status(app)


async def test_reset_reinitialises_from_the_seed():
    app = make_app(seed=5)
    async with app.run_test(size=SIZE) as pilot:
        W1 = app.session.params()["W1"].copy()
        for _ in range(3):
            await pilot.press("n")
        await settle(pilot)
        assert not np.array_equal(app.session.params()["W1"], W1)
        await pilot.press("r")
        assert await answer_confirm(pilot, "y") == "epoch 3 of circles 2-4-1, not saved"
        assert app.session.epoch == 0
        np.testing.assert_array_equal(app.session.params()["W1"], W1)
        assert "epoch 0" in status(app)


async def test_l_selects_layers_in_diagram_and_table():
    app = make_app(hidden=(5, 3))
    async with app.run_test(size=SIZE) as pilot:
        diagram, table = app.query_one(LayerDiagram), app.query_one(ShapesTable)
        assert diagram.selected == 1 and table.cursor_row == 0
        await pilot.press("l")
        assert diagram.selected == 2 and table.cursor_row == 1
        await pilot.press("l", "l")
        assert diagram.selected == 1  # wraps around after L = 3
        await pilot.press(*terminal_keys("L"))
        assert diagram.selected == 3 and table.cursor_row == 2


async def test_moving_the_table_cursor_selects_the_layer_in_the_diagram():
    app = make_app(hidden=(5, 3))
    async with app.run_test(size=SIZE) as pilot:
        app.query_one(ShapesTable).focus()
        await pilot.press("down", "down")
        await pilot.pause()
        assert app.query_one(LayerDiagram).selected == 3
        await pilot.press("up")
        await pilot.pause()
        assert app.query_one(LayerDiagram).selected == 2


async def test_help_opens_and_closes():
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, HelpScreen)


async def test_g_toggles_the_log_scale():
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        plot = app.query_one("#cost-plot")
        await pilot.press("g")
        assert plot.log_scale
        await pilot.press("g")
        assert not plot.log_scale


async def test_startup_objects_sit_out_full_collections_until_the_app_exits():
    """Full garbage collections stalled key presses by up to ~90 ms while training; the
    objects the app starts with are frozen out of them, and given back when it exits."""
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert gc.get_freeze_count() > 10_000
    assert gc.get_freeze_count() == 0


async def test_q_quits():
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("q")
        await pilot.pause()
    assert app.return_code == 0


def test_every_key_bound_is_one_a_terminal_sends():
    """A terminal sends shift and a letter as the capital letter ("T"), never as "shift+t"
    (only terminals with the kitty keyboard protocol do): a binding to "shift+t" would
    never fire. Every single-character key of the app is checked against what Textual's
    own terminal parser makes of that character."""
    for binding in NNTuiApp.BINDINGS:
        for key in binding.key.split(","):
            assert not re.fullmatch(r"shift\+[a-z]", key), f"{key}: bind {key[-1].upper()}"
            if len(key) == 1:
                assert terminal_keys(key) == [key]


async def test_every_binding_is_in_the_command_palette():
    app = make_app()
    async with app.run_test(size=SIZE):
        titles = {c.title for c in app.get_system_commands(app.screen)}
        for binding in app.BINDINGS:
            if binding.action != "quit":
                assert binding.description in titles
        assert "Quit" in titles


# -- the form -------------------------------------------------------------------------------


async def edit(pilot, name: str, text: str) -> None:
    field = pilot.app.query_one(f"#field-{name}", Input)
    field.focus()
    field.value = text
    await pilot.press("enter")
    await settle(pilot)


def form_message(app: NNTuiApp) -> str:
    return str(app.query_one("#form-message").render())


LIVE_EDITS = [("learning_rate", "0.05", 0.05), ("lambd", "0.01", 0.01), ("batch_size", "32", 32)]


@pytest.mark.parametrize(("name", "text", "value"), LIVE_EDITS)
async def test_live_fields_apply_to_the_running_model_and_keep_the_weights(name, text, value):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("n")
        await settle(pilot)
        W1 = app.session.params()["W1"].copy()
        await edit(pilot, name, text)
        live = app.session.live_settings()
        assert live[name] == value and getattr(app.session.config, name) == value
        assert app.session.epoch == 1
        np.testing.assert_array_equal(app.session.params()["W1"], W1)
        assert "applied to the running model" in form_message(app)


REBUILD_EDITS = [
    ("hidden", "8,4", lambda s: s.facts().layer_dims == (2, 8, 4, 1)),
    ("seed", "7", lambda s: s.config.seed == 7),
    ("test_ratio", "0.5", lambda s: s.facts().m_train == 200),
]


@pytest.mark.parametrize(("name", "text", "check"), REBUILD_EDITS)
async def test_rebuild_fields_rebuild_the_network(name, text, check):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("n")
        await settle(pilot)
        await edit(pilot, name, text)
        await answer_confirm(pilot, "y")
        assert check(app.session)
        assert app.session.epoch == 0
        assert "network rebuilt" in form_message(app)
        assert len(table_rows(app)) == app.session.facts().L


async def test_typing_says_whether_enter_will_apply_or_rebuild():
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()  # the form's text fields are built just after the first frame
        field = app.query_one("#field-learning_rate", Input)
        field.focus()
        await pilot.press("backspace", "2")
        await pilot.pause()
        assert "applies" in form_message(app) and "running model" in form_message(app)
        field = app.query_one("#field-hidden", Input)
        field.focus()
        await pilot.press("end", "0")
        await pilot.pause()
        assert "rebuilds the network" in form_message(app)


async def test_each_label_sits_beside_its_field_and_hovering_it_shows_the_fields_help():
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        labels, form = app.query_one(FieldLabels), app.query_one("#form")
        lines = labels.render().plain.splitlines()
        shown = 0
        for row, (name, field) in enumerate(FIELDS.items()):
            mark = "●" if field.kind == "live" else "↻"
            assert lines[row] == f"{mark} {field.label}"
            assert app.query_one(f"#field-{name}").region.y == labels.region.y + row
            if labels.region.y + row < form.scrollable_content_region.bottom:  # in view
                await pilot.hover(FieldLabels, offset=(1, row))
                assert labels.tooltip == field.help, name
                shown += 1
        assert shown >= 10


BAD_VALUES = [
    ("learning_rate", "abc", "is not a number"),
    ("learning_rate", "-1", "above 0"),
    ("learning_rate", "1e309", "not a finite number"),
    ("learning_rate", "", "is not a number"),
    ("hidden", "8,x", "not a whole number"),
    ("hidden", "0", "1 to 1024 units"),
    ("batch_size", "0", "whole number of examples"),
    ("lambd", "-2", "between 0 and 1e6"),
    ("seed", "-1", "whole number from 0"),
    ("test_ratio", "0.95", "between 0 and 0.9"),
]


JUNK = ["", "   ", "abc", "-3", "NaN", "inf", "1e309", "9" * 40, "9" * 5000, "🙂", "½"]
MEANINGFUL = {"hidden": {""}, "batch_size": {""}}  # no hidden layer; the full batch
TYPED_FIELDS = ["hidden", "learning_rate", "batch_size", "lambd", "seed", "test_ratio"]


@pytest.mark.parametrize("name", TYPED_FIELDS)
async def test_every_field_refuses_junk_in_place_and_the_app_keeps_working(name):
    """Empty, letters, negative, NaN, infinite, huge and unicode text, and each field's own
    out-of-range values: each is refused with a message, the model and setup stay as they
    were, escape puts the value in use back, and the app still trains."""
    own = [(text, message) for field, text, message in BAD_VALUES if field == name]
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("n")
        await settle(pilot)
        params = {k: v.copy() for k, v in app.session.params().items()}
        config = app.session.config
        field = app.query_one(f"#field-{name}", Input)
        field.focus()
        for text, message in [(junk, "") for junk in JUNK] + own:
            if text.strip() in MEANINGFUL.get(name, ()):
                continue
            field.value = text
            await pilot.press("enter")
            said = form_message(app)
            assert message in said and "nothing changed" in said, (text, said)
            assert len(said) < 300  # a message, not the junk echoed back
            assert field.has_class("-invalid"), text
            assert app.session.config == config and app.session.epoch == 1
            field.value = format_field(config, name)  # as typed back by hand: valid again
            await pilot.pause()
            assert not field.has_class("-invalid") and "nothing changed" not in form_message(app)
        for key, value in params.items():
            np.testing.assert_array_equal(app.session.params()[key], value)
        field.value = "abc"
        await pilot.press("escape")  # reverts the field and leaves the form
        assert field.value == format_field(config, name) and not field.has_class("-invalid")
        await pilot.press("n")
        await settle(pilot)
        assert app.session.epoch == 2 and "epoch 2" in status(app)


async def test_choosing_a_dataset_rebuilds_for_its_shape_and_task():
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)  # the form is mounted and shows the current setup
        app.query_one("#field-dataset", ChoiceField).value = "iris"
        await settle(pilot)
        facts = app.session.facts()
        assert facts.layer_dims == (4, 4, 3) and facts.cost_title == "softmax cross-entropy"
        assert table_rows(app)[-1][1] == "softmax"
        assert "softmax cross-entropy" in str(app.query_one("#output-line").render())


async def test_choosing_an_optimiser_is_live():
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("n")
        await settle(pilot)
        app.query_one("#field-optimizer", ChoiceField).value = "adam"
        await settle(pilot)
        assert app.session.live_settings()["optimizer"] == "adam" and app.session.epoch == 1


async def test_an_error_in_the_training_thread_is_shown_and_the_app_keeps_running(monkeypatch):
    app = make_app()

    def broken(self):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(Session, "step_epoch", broken)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("n")
        await settle(pilot)
        assert "disk on fire" in status(app) and not app.running
        monkeypatch.undo()
        await pilot.press("n")
        await settle(pilot)
        assert app.session.epoch == 1


async def test_usable_at_80x24():
    app = make_app(dataset="digits", hidden=(32, 16), activation="relu")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("n")
        await settle(pilot)
        assert app.session.epoch == 1
        assert "epoch 1" in status(app)
        assert table_rows(app)[0][2] == f"X {app.session.shapes()[ArrayName('A', 0)]}"


def test_config_defaults_are_the_articles_network():
    c = Config()
    assert (c.dataset, c.hidden, c.activation) == ("circles", (4,), ("tanh",))


@pytest.mark.parametrize(
    ("name", "value", "check"),
    [
        ("activation", "relu", lambda s: s.facts().activations == ("relu", "sigmoid")),
        (
            "activation",
            "relu,tanh",
            lambda s: s.config.hidden == (4,) and s.facts().activations == ("tanh", "sigmoid"),
        ),
        (
            "init",
            "small",
            lambda s: s.config.init == "small" and abs(s.params()["W1"]).max() < 0.05,
        ),
    ],
)
async def test_rebuild_selects_rebuild_the_network(name, value, check):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("n")
        await settle(pilot)
        widget = app.query_one(f"#field-{name}")
        if isinstance(widget, ChoiceField):
            widget.value = value
        else:  # a typed field applies on Enter
            widget.value = value
            widget.focus()
            await pilot.press("enter")
        await settle(pilot)
        if "," in value:  # two activations for one hidden layer: refused, nothing changes
            assert check(app.session)
            assert app.session.epoch == 1 and "2 activations" in form_message(app)
        else:
            await answer_confirm(pilot, "y")
            assert check(app.session) and app.session.epoch == 0
            assert "network rebuilt" in form_message(app)


async def test_tab_and_shift_tab_move_between_panes():
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert app.focused is app.query_one(ShapesTable)
        seen = set()
        for _ in range(25):  # more than the focusable widgets: round the whole app
            await pilot.press("tab")
            seen.add(app.focused.id)
        assert {"diagram", "shapes", "field-learning_rate", "field-dataset"} <= seen
        before = app.focused
        await pilot.press("tab", "shift+tab")
        assert app.focused is before


# -- files from the app -----------------------------------------------------------------------


async def answer_prompt(pilot, path) -> None:
    from nntui.screens import PathPrompt

    await pilot.pause()
    assert isinstance(pilot.app.screen, PathPrompt)
    pilot.app.screen.query_one(Input).value = str(path)
    await pilot.press("enter")
    await pilot.pause()


async def test_s_saves_and_o_opens_a_model(tmp_path):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        for _ in range(3):
            await pilot.press("n")
        await settle(pilot)
        await pilot.press("s")
        await answer_prompt(pilot, tmp_path / "m.npz")
        saved = app.session.params()
        await pilot.press("r")
        await settle(pilot)
        assert app.session.epoch == 0
        await pilot.press("o")
        await answer_prompt(pilot, tmp_path / "m.npz")
        assert app.session.epoch == 3 and len(app.frame.views["training"].history.train_cost) == 3
        for key, value in saved.items():
            np.testing.assert_array_equal(app.session.params()[key], value)
        assert "epoch 3" in status(app)


def bad_model_files(folder) -> dict[str, Path]:
    """One file for each way a model file can be bad, made from a real saved model."""
    from .test_persist import GOOD_BYTES, replaced

    files = {name: folder / f"{name}.npz" for name in
             ("text", "truncated", "byte flipped", "pickle", "ints", "wrong shape")}  # fmt: skip
    files["text"].write_text("not a model")
    files["truncated"].write_bytes(GOOD_BYTES[: len(GOOD_BYTES) // 2])
    flipped = bytearray(GOOD_BYTES)
    flipped[GOOD_BYTES.index("layer_dims".encode("utf-32-le"))] ^= 0x20  # meta: L
    files["byte flipped"].write_bytes(bytes(flipped))
    for name, member, array in [
        ("pickle", "params/W1.npy", np.array([{"evil": 1}], dtype=object)),
        ("ints", "params/W2.npy", np.ones((1, 4), np.int64)),
        ("wrong shape", "optimizer/v_W1.npy", np.ones((9, 9), np.float32)),
    ]:
        files[name].write_bytes(GOOD_BYTES)
        replaced(files[name], member, array)
    return files


async def test_opening_a_bad_file_keeps_the_current_model(tmp_path, monkeypatch):
    app = make_app()
    said: list[str] = []
    monkeypatch.setattr(app, "notify", lambda message, **kw: said.append(message))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("n")
        await settle(pilot)
        session, params = app.session, app.session.params()
        for name, path in bad_model_files(tmp_path).items():
            await pilot.press("o")
            await answer_prompt(pilot, path)
            assert str(path) in said[-1] and "current model is untouched" in said[-1], name
            assert app.session is session and app.session.epoch == 1
            for key, value in params.items():
                np.testing.assert_array_equal(app.session.params()[key], value)
        await pilot.press("n")  # and it still trains
        await settle(pilot)
        assert app.session.epoch == 2


async def test_w_writes_the_setup_and_e_exports_the_history(tmp_path):
    from nntui.config import read_config

    app = make_app(dataset="iris", hidden=(7,))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("n", "n")
        await settle(pilot)
        await pilot.press("w")
        await answer_prompt(pilot, tmp_path / "run.toml")
        await pilot.press("e")
        await answer_prompt(pilot, tmp_path / "h.csv")
    assert read_config(tmp_path / "run.toml")[0] == app.session.config
    assert len((tmp_path / "h.csv").read_text().splitlines()) == 3


async def test_saving_mid_epoch_is_refused_in_the_app(tmp_path):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("full_stop")
        await pilot.press("s")
        await pilot.pause()
        from nntui.screens import PathPrompt

        assert not isinstance(app.screen, PathPrompt)  # no prompt: the save was refused
        assert not list(tmp_path.iterdir())


def test_a_long_history_reaches_the_panes_thinned_but_ends_on_the_last_epoch():
    from nntui.session import HISTORY_POINTS, history_sample

    kept = history_sample(123_457)
    assert len(kept) <= HISTORY_POINTS and kept[0] == 0 and kept[-1] == 123_456
    assert kept == sorted(set(kept))
    assert history_sample(5) == [0, 1, 2, 3, 4]
    session = Session(Config())
    for _ in range(1500):
        session.step_epoch()
    history = session.history()
    assert len(history.train_cost) <= HISTORY_POINTS and history.epochs[-1] == 1500
    assert history.last(history.train_cost) == session.history(10**9).train_cost[-1]


def test_the_frame_holds_the_views_on_screen_only_and_the_chosen_tensor():
    """Choosing a tensor is the app's state (UiState), never the Session's: the frame built
    for it inspects that tensor, and costly views off screen are not computed."""
    session = Session(Config())
    frame = build_frame(session, UiState(view="inspector", selected=2, kind=LayerKind("Z")))
    assert frame.views["inspector"].inspection.name == "Z[2]" == str(frame.views["inspector"].name)
    assert {"boundary", "report", "training"}.isdisjoint(frame.views)


async def test_what_loading_the_data_decided_is_shown(tmp_path, monkeypatch):
    rows = [f"{i},{i % 3},{'ab'[i % 2]}" for i in range(12)] + ["1,,c"]
    (tmp_path / "d.csv").write_text("x1,x2,label\n" + "\n".join(rows))
    app = NNTuiApp(Session(Config(data_path=str(tmp_path / "d.csv"), target="label",
                                  drop_missing=True)))  # fmt: skip
    said: list[str] = []
    monkeypatch.setattr(app, "notify", lambda message, **kw: said.append(message))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
    assert said == ["dropped 1 of 13 rows with missing values; class(es) gone with them: 'c'"]


async def test_x_exports_the_open_model_as_a_numpy_script(tmp_path):
    import subprocess
    import sys

    from nntui.export import export_model

    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("n", "n")
        await settle(pilot)
        await pilot.press("x")
        await answer_prompt(pilot, tmp_path / "net.py")
        app.session.save(str(tmp_path / "saved.npz"))
    export_model(str(tmp_path / "saved.npz"), "numpy", str(tmp_path / "same.py"))
    rows = tmp_path / "rows.csv"
    rows.write_text("x2,x1\n0.5,-1\n2,0.25\n")
    outputs = [
        subprocess.run([sys.executable, str(tmp_path / script), str(rows)], capture_output=True,
                       text=True, timeout=120, check=True).stdout
        for script in ("net.py", "same.py")
    ]  # fmt: skip
    assert outputs[0] == outputs[1]
    assert outputs[0].startswith("predicted,p_class 0,p_class 1\n")


async def test_the_hidden_views_mount_after_the_first_frame_and_each_draws_on_its_first_visit(
    monkeypatch,
):
    """Views 2-6 are not in the opening screen's DOM (a sooner first frame); once mounted,
    each gets the frame of its own view model the first time its key shows it."""
    from nntui.panes import VIEWS

    at_mount: list[str] = []
    mount = NNTuiApp.on_mount

    def recording(app: NNTuiApp) -> None:
        mount(app)
        at_mount.extend(pane.id for pane in VIEWS if app.query(f"#{pane.widget_id}"))

    monkeypatch.setattr(NNTuiApp, "on_mount", recording)
    shown: list[tuple[str, type]] = []
    for pane in VIEWS:
        drawn = pane.widget.show
        monkeypatch.setattr(pane.widget, "show", lambda self, view, drawn=drawn: (
            shown.append((self.id, type(view))), drawn(self, view))[1])  # fmt: skip
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert at_mount == [VIEWS[0].id]
        for pane in VIEWS[1:]:
            shown.clear()
            await pilot.press(pane.key)
            await settle(pilot)
            expected = type(pane.build(app.session, app.ui))
            assert (pane.widget_id, expected) in shown, (pane.id, shown)


async def test_a_view_chosen_before_the_hidden_views_are_mounted_gets_its_frame_then(
    monkeypatch,
):
    """The health view chosen at mount, before it exists: handed its frame once mounted."""
    from nntui.widgets.health import HealthPane, HealthView

    mount = NNTuiApp.on_mount

    def choosing(app: NNTuiApp) -> None:
        mount(app)
        app.action_view("health")

    shown: list[object] = []
    drawn = HealthPane.show
    monkeypatch.setattr(HealthPane, "show", lambda self, view: (shown.append(view),
                                                                 drawn(self, view))[1])  # fmt: skip
    monkeypatch.setattr(NNTuiApp, "on_mount", choosing)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app.ui.view == "health" and app.query_one(HealthPane).display
        assert [type(view) for view in shown] == [HealthView]
