"""The app never exits because of a file it was given or a pane that failed to draw: the
pane shows the error in place, the other panes draw, training and keys go on."""

import os

import numpy as np
from textual.geometry import Region
from textual.widgets import Input, OptionList, Static

from nntui.session import Session
from nntui.widgets import diagram
from nntui.widgets.diagram import LayerDiagram
from nntui.widgets.form import HyperForm
from nntui.widgets.shapes import ShapesTable

from .app_helpers import make_app, settle
from .test_app import SIZE, answer_prompt, status
from .test_model_files import BIG, HEADER_CLAIMS, npy_claiming, rng
from .test_persist import adam_file, members_of, npy, rewrite, with_meta


def drawn(pane) -> str:
    """The pane's text as Textual renders it."""
    return "\n".join(strip.text for strip in pane.render_lines(Region(0, 0, *pane.outer_size)))


def broken(*args, **kwargs):
    raise IndexError("index 5 is out of bounds for axis 0 with size 4")


async def test_a_pane_that_raises_while_rendering_shows_the_error_and_the_app_goes_on(
    monkeypatch,
):
    app = make_app()
    monkeypatch.setattr(diagram, "diagram_rows", broken)
    async with app.run_test(size=SIZE) as pilot:
        for _ in range(2):
            await pilot.press("n")
            await settle(pilot)
        pane = app.query_one(LayerDiagram)
        assert pane.failure == "IndexError: index 5 is out of bounds for axis 0 with size 4"
        assert "could not be drawn: IndexError: index 5 is out of bounds" in drawn(pane)
        assert "epoch 2" in status(app) and app.is_running
        monkeypatch.undo()
        await pilot.press("n")
        await settle(pilot)
        assert pane.failure == "" and "could not be drawn" not in drawn(pane)
        assert app.session.epoch == 3


async def test_a_pane_that_raises_when_handed_its_view_shows_the_error_in_place(monkeypatch):
    app = make_app()
    monkeypatch.setattr(ShapesTable, "show", broken)
    monkeypatch.setattr(HyperForm, "show", lambda self, view: {}["no such key"])
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("space")  # train on while two panes fail on every frame
        await pilot.pause(0.3)
        await pilot.press("space")
        await settle(pilot)
        shapes, form = app.query_one(ShapesTable), app.query_one(HyperForm)
        assert shapes.failure.startswith("IndexError: index 5")
        assert form.failure == "KeyError: 'no such key'"
        assert "could not be drawn: KeyError" in drawn(form)
        assert not any(child.display for child in form.children)  # the error, not the fields
        assert app.session.epoch > 0 and "paused" in status(app)
        monkeypatch.undo()
        await pilot.press("n")
        await settle(pilot)
        assert shapes.failure == form.failure == ""
        shown = [child for child in form.children if child.id != "field-help"]  # focus only
        assert all(child.display for child in shown)


def damaged_models(folder) -> dict[str, object]:
    """A sample of the damaged files the model-file tests build, one of each kind."""
    files = {name: adam_file(folder / name) for name in
             ("rng", "config", "float32", "header", "nested")}  # fmt: skip
    with_meta(files["rng"], lambda m: m.update(rng=rng(state={"state": str(BIG), "inc": "3"})))
    with_meta(files["config"], lambda m: m.update(config=["lr", 0.5]))
    members = members_of(files["float32"])
    members["params/W1.npy"] = npy(np.full((4, 2), 1e300))
    rewrite(files["float32"], members)
    name, shape, dtype, n_bytes = HEADER_CLAIMS["history claims 2^40 values"]
    members = members_of(files["header"])
    members[name] = npy_claiming(shape, dtype, b"\0" * n_bytes)
    rewrite(files["header"], members)
    members = members_of(files["nested"])
    members["meta.npy"] = npy(np.array("[" * 100_000 + "]" * 100_000))
    rewrite(files["nested"], members)
    files["folder"] = folder / "folder.npz"
    files["folder"].mkdir()
    files["fifo"] = folder / "fifo.npz"
    os.mkfifo(files["fifo"])
    return files


async def test_opening_a_damaged_model_keeps_the_open_one(tmp_path, monkeypatch):
    for sub in ("rng", "config", "float32", "header", "nested"):
        (tmp_path / sub).mkdir()
    app = make_app()
    said: list[str] = []
    monkeypatch.setattr(app, "notify", lambda message, **kw: said.append(message))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("n")
        await settle(pilot)
        session = app.session
        for name, path in damaged_models(tmp_path).items():
            await pilot.press("o")
            await answer_prompt(pilot, path)
            assert said[-1].startswith(str(path)) and "current model is untouched" in said[-1], name
            assert app.session is session and app.session.epoch == 1
        monkeypatch.setattr(Session, "from_file", broken)  # a bug a file might set off
        await pilot.press("o")
        await answer_prompt(pilot, tmp_path / "rng" / "adam.npz")
        assert said[-1].startswith(f"{tmp_path / 'rng' / 'adam.npz'}: IndexError: index 5")
        await pilot.press("n")
        await settle(pilot)
        assert app.session is session and app.session.epoch == 2


async def test_brackets_in_a_typed_path_or_a_file_name_are_shown_as_written(tmp_path):
    """A path or a file name is the user's text, not markup: typing a folder path holding
    "[/]" in the open prompt stopped the app (Textual's markup error, unsaved work lost),
    and "m[b].npz" was listed as "m.npz" in bold."""
    app = make_app()
    (tmp_path / "m[b].npz").write_bytes(b"")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("o")
        await settle(pilot)
        path = app.screen.query_one("#path", Input)
        path.value = f"{tmp_path}/"
        await settle(pilot)
        files = app.screen.query_one("#files", OptionList)
        assert "m[b].npz" in str(files.get_option_at_index(0).prompt)
        assert "m[b].npz" in str(files.render_line(0).text)
        path.value = f"{tmp_path}/gone[/]/x.npz"
        await settle(pilot)
        title = str(app.screen.query_one("#files-title", Static).render())
        assert f"{tmp_path}/gone[/]" in title
        assert app.is_running
