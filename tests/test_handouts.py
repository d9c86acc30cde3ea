"""Handouts (`e`, `train --export`): loss, decision boundary with the data, neuron maps,
branches compared without colour, full titles, handout.md; sweep figures read in grey."""
from pathlib import Path

import numpy as np
import pytest

from tui.view import handout
from tui.core.config import RunConfig, build
from tui.core.session import Session


@pytest.fixture(scope="module")
def spiral_two_branches():
    s = Session(build(RunConfig(task="spiral", seed=3)))
    s.play_chunk(40, breakpoints=False)
    s.fork()
    s.set_lr(s.config.lr * 3)
    s.play_chunk(30, breakpoints=False)
    return s


@pytest.fixture
def drawn(monkeypatch):
    """Figures are checked as Matplotlib objects (titles, lines, legends), not pixels."""
    figures = {}

    def keep(fig, path):
        figures[Path(path).name] = fig
        Path(path).write_bytes(b"\x89PNG fake")
        return Path(path)

    monkeypatch.setattr(handout, "_save", keep)
    return figures


def titles(fig) -> str:
    parts = [ax.get_title() for ax in fig.axes]
    if fig._suptitle is not None:
        parts.append(fig._suptitle.get_text())
    return "\n".join(parts).replace("\n", " ")


@pytest.mark.slow
def test_spiral_with_two_branches_writes_every_figure_with_full_titles(
        spiral_two_branches, drawn, tmp_path, monkeypatch):
    from tui.view import plots as export

    monkeypatch.setattr(export, "_save_png", lambda fig, path: drawn.setdefault(
        Path(path).name, fig) and Path(path))
    data = handout.snapshot(spiral_two_branches)
    written = handout.write_handout(tmp_path, data)
    assert [p.name for p in written] == ["loss.png", "boundary.png", "neurons.png",
                                         "compare.png", "handout.md"]
    for name in ("loss.png", "boundary.png", "neurons.png", "compare.png"):
        text = titles(drawn[name])
        for part in ("spiral", "2–16–16–1", "lr 1.5", "gradient descent", "seed 3",
                     "epoch 70", "branch B (forked from A at epoch 40)"):
            assert part in text, (name, part, text)


def test_the_boundary_shows_train_and_test_points_by_shape(drawn, tmp_path):
    s = Session(build(RunConfig(task="circle", test_fraction=0.25)))
    s.play_chunk(20, breakpoints=False)
    d = handout.snapshot(s)
    assert d.points_test is not None and len(d.points_test)
    handout.boundary_figure(d, tmp_path / "b.png")
    ax = drawn["b.png"].axes[0]
    labels = sorted(t.get_text() for t in ax.get_legend().get_texts())
    assert labels == ["test: class 0", "test: class 1", "train: class 0", "train: class 1"]
    n = sum(len(c.get_offsets()) for c in ax.collections if hasattr(c, "get_offsets")
            and c.get_label().startswith(("train", "test")))
    assert n == len(d.points) + len(d.points_test)
    markers = {c.get_label(): c.get_paths()[0].vertices.round(3).tobytes()
               for c in ax.collections if c.get_label().startswith("train")}
    assert len(set(markers.values())) == 2                    # shapes, not just colours
    assert len(drawn["b.png"].axes) == 2                      # the colour bar


def test_compare_tells_branches_apart_without_colour(spiral_two_branches, drawn, tmp_path):
    d = handout.snapshot(spiral_two_branches)
    handout.compare_figure(d, tmp_path / "c.png")
    ax = drawn["c.png"].axes[0]
    lines = [l for l in ax.get_lines() if l.get_label().startswith(("A:", "B:"))]
    assert len(lines) == 2
    assert len({(l.get_linestyle(), l.get_marker()) for l in lines}) == 2
    assert [t.get_text() for t in ax.texts] == ["A", "B"]     # labelled at their ends
    assert "forked at epoch 40" in lines[1].get_label()


def test_neuron_maps_cover_every_neuron_with_names(spiral_two_branches, drawn, tmp_path):
    d = handout.snapshot(spiral_two_branches)
    handout.neurons_figure(d, tmp_path / "n.png")
    names = [ax.get_title() for ax in drawn["n.png"].axes if ax.get_title()]
    assert len(names) == 33 and names[0] == "h¹₁ (layer 1)" and names[-1] == "ŷ (layer 3)"


def test_handout_md_lists_settings_and_figures_printable(spiral_two_branches, tmp_path):
    d = handout.snapshot(spiral_two_branches)
    d.task = "evil\x1b]0;x\x07"
    text = handout.handout_markdown(d, [tmp_path / "loss.png", tmp_path / "compare.png"])
    assert "\x1b" not in text and "\x07" not in text and "evil␛" in text
    for row in ("| learning rate | 1.5 |", "| seed | 3 |", "| epoch | 70 |",
                "| optimizer | gradient descent |", "(forked from A at epoch 40)"):
        assert row in text
    assert "![compare](compare.png)" in text


def test_train_export_writes_the_handout(tmp_path, capsys):
    from tui.cli.main import main

    assert main(["train", "--task", "xor", "--epochs", "30", "--quiet",
                 "--export", str(tmp_path / "ex")]) == 0
    names = sorted(p.name for p in (tmp_path / "ex").iterdir())
    assert names == ["boundary.png", "handout.md", "loss.png", "neurons.png"]
    assert (tmp_path / "ex" / "boundary.png").read_bytes()[:4] == b"\x89PNG"
    assert "| epoch | 30 |" in (tmp_path / "ex" / "handout.md").read_text()


def test_sweep_figures_have_legends_and_read_in_greyscale(tmp_path, monkeypatch):
    from tui.core import sweep as sw

    figures = []
    import matplotlib.figure

    real = matplotlib.figure.Figure.savefig
    monkeypatch.setattr(matplotlib.figure.Figure, "savefig",
                        lambda self, *a, **k: (figures.append(self), real(self, *a, **k))[1])
    result = sw.run_grid(RunConfig(task="xor"), list(range(6)), [0.5, 5.0], epochs=400)
    from tui.cli.sweep import export

    export(result, sw.setting_rows(result), tmp_path)
    heatmap, seeds = figures[0], figures[1]
    assert len(heatmap.axes) == 2 and heatmap.axes[1].get_ylabel() == "success rate"
    assert heatmap.axes[0].images[0].get_cmap().name == "cividis"
    legend = [t.get_text() for t in seeds.axes[0].get_legend().get_texts()]
    assert legend == ["success", "not yet", "stuck", "diverged"]
    # the four states are four different greys (luminance), light to dark
    cmap = seeds.axes[0].images[0].get_cmap()
    grey = [float(np.dot(cmap(k)[:3], [0.299, 0.587, 0.114])) for k in range(4)]
    assert grey == sorted(grey, reverse=True) and min(np.diff(grey[::-1])) > 0.15


def test_every_figure_is_closed_whether_or_not_it_was_written(tmp_path):
    """pyplot keeps each open figure: ``_save_png`` closes the one it saves, written or not
    (the exports, the digit pictures and the handout all save through it)."""
    import matplotlib.pyplot as plt

    from tui.view.plots import loss_curve
    from tui.view.plots_digits import confusion_png, weights_png

    plt.close("all")
    loss_curve([1.0, 0.5, 0.25], tmp_path / "loss.png")
    weights_png(np.eye(4), (2, 2), tmp_path / "w.png")
    assert (tmp_path / "loss.png").exists() and (tmp_path / "w.png").exists()
    assert plt.get_fignums() == []
    (tmp_path / "a-file").write_text("x")
    with pytest.raises(OSError):  # a "folder" that is a file: nothing written …
        confusion_png(np.eye(3, dtype=int), tmp_path / "a-file" / "c.png")
    assert plt.get_fignums() == []  # … and the figure closed all the same
