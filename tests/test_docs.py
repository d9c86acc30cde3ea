"""The docs cannot drift from the code.

* every key the app binds is in docs/app.md's key table and on the help screen, and nothing else is;
* every option of every subcommand is in docs/cli.md (in its subcommand's section), and every
  option docs/cli.md names exists;
* every `tinynet-tui …` line in a code block of the README or docs/ parses, and the cheap ones run;
* every relative link and #anchor resolves (GitHub's heading-slug rules);
* docs/engine.md runs as a doctest; the README stays short and opens with the lesson.
"""
from __future__ import annotations

import argparse
import doctest
import re
import shlex
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
#: the Markdown files whose links, anchors and command lines are checked
PAGES = sorted([ROOT / "README.md", ROOT / "CONTRIBUTING.md", ROOT / "CHANGELOG.md",
                *DOCS.glob("*.md")])
README_LIMIT = 8 * 1024


def _rel(path: Path) -> str:
    return str(path.relative_to(ROOT))


# ------------------------------------------------------------------ Markdown helpers
FENCE = re.compile(r"^\s*(```|~~~)")


def _lines_outside_code(text: str) -> list[tuple[int, str]]:
    """(line number from 1, line) of the lines outside fenced code blocks."""
    out, fenced = [], False
    for number, line in enumerate(text.splitlines(), 1):
        if FENCE.match(line):
            fenced = not fenced
            continue
        if not fenced:
            out.append((number, line))
    return out


def _code_blocks(text: str) -> list[tuple[int, list[str]]]:
    """(first line number, lines) of every fenced code block."""
    blocks, current, start = [], None, 0
    for number, line in enumerate(text.splitlines(), 1):
        if FENCE.match(line):
            if current is None:
                current, start = [], number + 1
            else:
                blocks.append((start, current))
                current = None
        elif current is not None:
            current.append(line)
    return blocks


def slug(heading: str) -> str:
    """GitHub's anchor for a heading: links become their text; lower case; everything but
    letters, digits, `_`, `-` and spaces dropped (backticks, `*`, `:`, `(`, …); spaces → `-`."""
    text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", heading)
    text = re.sub(r"<[^>]+>", "", text).strip().lower()
    text = re.sub(r"[^\w\- ]", "", text)
    return text.replace(" ", "-")


def anchors(path: Path) -> set[str]:
    """Every #anchor of a Markdown file (duplicates get -1, -2, … as on GitHub)."""
    seen: dict[str, int] = {}
    out = set()
    for _, line in _lines_outside_code(path.read_text(encoding="utf-8")):
        match = re.match(r"^(#{1,6})\s+(.*?)\s*#*\s*$", line)
        if not match:
            continue
        base = slug(match.group(2))
        count = seen.get(base, 0)
        seen[base] = count + 1
        out.add(base if count == 0 else f"{base}-{count}")
    return out


LINK = re.compile(r"!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")


def links(path: Path) -> list[tuple[int, str]]:
    """(line, target) of every Markdown link and image outside code."""
    out = []
    for number, line in _lines_outside_code(path.read_text(encoding="utf-8")):
        line = re.sub(r"`[^`]*`", "", line)  # inline code is not a link
        out += [(number, m.group(1)) for m in LINK.finditer(line)]
    return out


def section(path: Path, title_word: str) -> str:
    """The text of the `## …` section whose title's first word is ``title_word`` (backticks
    ignored), up to the next `## ` heading."""
    text = path.read_text(encoding="utf-8")
    parts = re.split(r"(?m)^## ", text)
    for part in parts[1:]:
        title = part.splitlines()[0].replace("`", "").strip()
        if title.split()[0].lower() == title_word.lower() or title.lower() == title_word.lower():
            return part
    raise AssertionError(f"{_rel(path)} has no '## {title_word}' section")


# ------------------------------------------------------------------ the slug rules themselves
@pytest.mark.parametrize("heading, expected", [
    ("The app: `tinynet-tui`", "the-app-tinynet-tui"),
    ("Over SSH: bytes on the wire (`bench/bench_pty.py`, `bench/bench_ssh.py`)",
     "over-ssh-bytes-on-the-wire-benchbench_ptypy-benchbench_sshpy"),
    ("Model files (.npz)", "model-files-npz"),
    ("**Bold** and [a link](x.md)", "bold-and-a-link"),
    ("Neuron maps (x₁, x₂)", "neuron-maps-x₁-x₂"),
])
def test_slug_follows_github(heading, expected):
    assert slug(heading) == expected


def test_duplicate_headings_get_numbered(tmp_path):
    page = tmp_path / "p.md"
    page.write_text("# A\n## Notes\n```\n## Notes\n```\n## Notes\n", encoding="utf-8")
    assert anchors(page) == {"a", "notes", "notes-1"}


# ------------------------------------------------------------------ links
def _link_cases():
    for page in PAGES:
        for number, target in links(page):
            yield pytest.param(page, number, target, id=f"{_rel(page)}:{number}:{target}")


@pytest.mark.parametrize("page, number, target", list(_link_cases()))
def test_link_resolves(page, number, target):
    if re.match(r"^[a-z][a-z0-9+.-]*:", target):  # https:, mailto: — not checked offline
        return
    where = f"{_rel(page)}:{number}: {target}"
    file_part, _, anchor = target.partition("#")
    dest = (page.parent / file_part).resolve() if file_part else page
    assert dest.exists(), f"{where}: no such file"
    assert ROOT in dest.parents or dest == ROOT, f"{where}: outside the repository"
    if anchor:
        assert dest.suffix == ".md", f"{where}: an anchor into a file that is not Markdown"
        assert anchor in anchors(dest), f"{where}: no heading with that anchor in {dest.name}"


def test_every_docs_page_is_linked_from_the_readme_or_the_index():
    linked = set()
    for page in (ROOT / "README.md", DOCS / "README.md"):
        linked |= {(page.parent / t.partition("#")[0]).resolve() for _, t in links(page)}
    missing = [p.name for p in DOCS.glob("*.md") if p.name != "README.md" and p not in linked]
    assert not missing, f"docs pages nobody links to: {missing}"


def test_link_checker_catches_a_bad_anchor(tmp_path):
    page = tmp_path / "p.md"
    page.write_text("# Title\n[ok](#title) [bad](#nope)\n", encoding="utf-8")
    found = {t for _, t in links(page)}
    assert found == {"#title", "#nope"}
    assert "title" in anchors(page) and "nope" not in anchors(page)


# ------------------------------------------------------------------ the README
def test_readme_is_short_and_starts_with_the_lesson():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    assert len(text.encode("utf-8")) <= README_LIMIT
    commands = [line for _, block in _code_blocks(text) for line in block
                if line.startswith("tinynet-tui")]
    assert commands and commands[0].split("#")[0].split() == ["tinynet-tui", "learn", "backprop"]


def test_readme_names_the_cpu_the_suite_ran_on():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    assert re.search(r"AVX-?512|AVX2", text)


# ------------------------------------------------------------------ keys
def _app_keys() -> set[str]:
    """Every key the main app binds, as the help screen and docs/app.md write it: the one key
    table, tui/app/keys.py."""
    from tui.app.keys import KEYS, display_key

    return {display_key(key.strip()) for row in KEYS for key in row.keys.split(",")}


def _doc_keys() -> set[str]:
    """The keys in the first column of docs/app.md's key table (each in backticks)."""
    keys = set()
    for line in section(DOCS / "app.md", "Keys").splitlines():
        cells = line.split("|")
        if len(cells) < 3 or set(cells[1].strip()) <= {"-", ":"} or cells[1].strip() == "key":
            continue
        keys |= set(re.findall(r"`([^`]+)`", cells[1]))
    return keys


def test_docs_app_lists_every_key_and_nothing_else():
    app, docs = _app_keys(), _doc_keys()
    assert not app - docs, f"bound but not in docs/app.md: {sorted(app - docs)}"
    assert not docs - app, f"in docs/app.md but not bound: {sorted(docs - app)}"


async def test_help_screen_lists_every_key_and_nothing_else():
    from tui.app.app import TinyNetApp
    from tui.core.config import RunConfig, build

    app = TinyNetApp(build(RunConfig(task="xor")))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("question_mark")
        await pilot.pause()
        table = app.screen.query_one("#help-keys").content
        cells = [str(c) for c in table.columns[0]._cells]
    shown = {key for cell in cells for key in cell.split(" / ")}
    assert shown == _app_keys()


# ------------------------------------------------------------------ CLI options
def _parsers() -> dict[str, argparse.ArgumentParser]:
    """'' for the app (the top-level parser), then every subcommand's parser, nested ones as
    "share learn" (documented in their first word's section)."""
    from tui.cli.main import make_parser

    found = {}

    def walk(name: str, parser: argparse.ArgumentParser) -> None:
        found[name] = parser
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                for sub, child in action.choices.items():
                    walk(f"{name} {sub}".strip(), child)

    walk("", make_parser())
    return found


def _options(parser: argparse.ArgumentParser) -> set[str]:
    return {opt for action in parser._actions for opt in action.option_strings
            if opt.startswith("--") and opt != "--help"}


def _cli_cases():
    parsers = _parsers()
    model = _options(parsers[""]) & _options(parsers["train"])  # the shared model options
    for name, parser in parsers.items():
        choices = {opt: tuple(map(str, action.choices or ())) for action in parser._actions
                   for opt in action.option_strings}
        for option in sorted(_options(parser)):
            yield pytest.param(name, option, option in model, choices[option],
                               id=f"{name or 'app'} {option}")


@pytest.mark.parametrize("command, option, shared, choices", list(_cli_cases()))
def test_every_option_is_in_docs_cli(command, option, shared, choices):
    """… in its subcommand's section (or the shared model options'), with every choice it has
    on the same line."""
    cli = DOCS / "cli.md"
    text = section(cli, command.split()[0] if command else "The app")
    if shared and "model options" in text.lower():
        text = section(cli, "Model")
    where = f"docs/cli.md: {option} of {'tinynet-tui ' + command if command else 'the app'}"
    lines = [line for line in text.splitlines() if re.search(rf"`{re.escape(option)}[ `=]", line)]
    assert lines, f"{where} is not documented in its section"
    missing = [c for c in choices if not any(re.search(rf"\b{re.escape(c)}\b", line)
                                             for line in lines)]
    assert not missing, f"{where}: the choices {missing} are not on its line"


def test_docs_cli_names_no_option_that_does_not_exist():
    known = set().union(*(_options(p) for p in _parsers().values())) | {"--help"}
    named = set(re.findall(r"`(--[a-z][a-z0-9-]*)", (DOCS / "cli.md").read_text(encoding="utf-8")))
    assert not named - known, f"docs/cli.md names unknown options: {sorted(named - known)}"


def test_every_subcommand_has_a_section():
    for name in _parsers():
        section(DOCS / "cli.md", name.split()[0] if name else "The app")


# ------------------------------------------------------------------ command lines
#: options whose value is a file the command writes (never created beforehand)
OUTPUT_OPTIONS = {"--save", "--export", "--worksheet", "--export-pytorch", "--record"}
INPUT_SUFFIXES = (".csv", ".npz", ".json", ".md", ".safetensors")
#: a lesson small enough to check at once (what a `my-lesson.md` in the docs stands for)
LESSON = """# Delta in two minutes

## The output's error signal
task: xor
position: epoch 0, backward, ŷ
wait: step

Press n to compute δ of ŷ.
"""


def _command_lines():
    for page in PAGES:
        for start, block in _code_blocks(page.read_text(encoding="utf-8")):
            pending, first = "", 0
            for offset, line in enumerate(block):
                if not pending and not re.match(r"^tinynet-tui(\s|$)", line):
                    continue
                first = first if pending else start + offset
                pending += line.rstrip()
                if pending.endswith("\\"):
                    pending = pending[:-1] + " "
                    continue
                slow = [pytest.mark.slow] if re.search(r"(train|sweep) .*--export\b", pending) else []
                yield pytest.param(pending, id=f"{_rel(page)}:{first}", marks=slow)
                pending = ""


def _argv(line: str) -> list[str]:
    words = shlex.split(line, comments=True)
    assert words[0] == "tinynet-tui"
    argv = []
    for word in words[1:]:  # `[--port 8765]`: optional parts are shown with their value
        if word in ("&&", "||", ";", "|", ">", "2>"):  # the rest is another command
            break
        word = word.removeprefix("[").removesuffix("]")
        if word:
            argv.append(word)
    return argv


def _make_inputs(argv: list[str], folder: Path) -> None:
    """Create the input files a documented command names (data, models, sessions, lessons)."""
    for k, word in enumerate(argv):
        if word.startswith("-") or not word.endswith(INPUT_SUFFIXES):
            continue
        if k and argv[k - 1] in OUTPUT_OPTIONS:
            continue
        path = folder / word
        if path.exists():
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        image = re.fullmatch(r"(\d+)[x×X](\d+)", argv[argv.index("--image") + 1]) \
            if "--image" in argv[:-1] else None
        if word.endswith(".csv") and image:  # rows of H·W pixels and a label
            pixels = int(image[1]) * int(image[2])
            rows = [",".join(str((r * 7 + c * 3) % 17) for c in range(pixels)) + f",{r % 3}"
                    for r in range(12)]
            path.write_text("\n".join(rows) + "\n", encoding="utf-8")
        elif word.endswith(".csv"):
            path.write_text("x1,x2,y\n0,0,0\n0,1,1\n1,0,1\n1,1,0\n", encoding="utf-8")
        elif word.endswith((".npz", ".safetensors")):
            _save_model_for(argv, k, path)
        elif word.endswith(".json"):
            from tui.core.config import RunConfig, build
            from tui.core.session import Session

            session = Session(build(RunConfig(task="xor")))
            session.step()
            session.save_session(path)
        else:
            path.write_text(LESSON, encoding="utf-8")


def _save_model_for(argv: list[str], k: int, path: Path) -> None:
    """A model for the ``--load`` at ``argv[k]``: the network the same command builds without
    it (so its task, sizes and activations fit), saved in the format its name asks for."""
    import nn
    from tui.cli.main import _resolve_task, make_parser
    from tui.cli.options import config_from_args
    from tui.core.config import build

    rest = argv[:k - 1] + argv[k + 1:] if k and argv[k - 1] == "--load" else list(argv)
    if rest and rest[0] in ("learn", "record", "follow", "sweep"):
        rest = []
    args = make_parser().parse_args([w for w in rest if w not in ("--help", "-h")])
    _resolve_task(args)
    problem = build(config_from_args(args))
    nn.save(problem.net, path, task=args.task, lr=problem.config.lr)


def _cheap(argv: list[str], args: argparse.Namespace) -> list[str] | None:
    """The command to run, made cheap (a few epochs, two seeds), or None for one that opens the
    app, a server or a connection (those are only parsed)."""
    if args.command in ("train", "sweep"):
        argv = list(argv)
        for option, value in (("--epochs", "3"), ("--seeds", "0-1")):
            if option == "--seeds" and args.command != "sweep":
                continue
            if option in argv:
                argv[argv.index(option) + 1] = value
            else:
                argv += [option, value]
        return argv + (["--quiet"] if "--quiet" not in argv else [])
    if args.command == "learn" and (args.lesson is None or args.check or args.worksheet):
        return argv
    if argv in (["--help"], ["-h"]):
        return argv
    return None


@pytest.mark.parametrize("line", list(_command_lines()))
def test_documented_command_parses_and_cheap_ones_run(line, tmp_path, monkeypatch, capsys):
    from tui.cli.main import _resolve_task, main, make_parser
    from tui.cli.options import UsageError, check_data_options, config_from_args
    from tui.core.config import build

    from tui.app.cast import take_record_option

    argv, _ = take_record_option(_argv(line))  # --record may stand anywhere, as main() allows
    assert not any("…" in w or "..." in w for w in argv), f"not a command one can run: {line}"
    monkeypatch.chdir(tmp_path)
    _make_inputs(argv, tmp_path)
    try:
        args = make_parser().parse_args(argv)
    except UsageError as exc:
        pytest.fail(f"{line}\n  does not parse: {exc}")
    except SystemExit as exc:  # --help
        assert exc.code == 0, line
        return
    if args.command in (None, "train", "share", "serve") and not getattr(args, "replay", None) \
            and not getattr(args, "follow", None):
        _resolve_task(args)
        check_data_options(args)  # the checks the command line makes before it starts
        build(config_from_args(args))
    run = _cheap(argv, args)
    if run is not None:
        status = main(run)
        assert status == 0, f"{line}\n  exit {status}: {capsys.readouterr().err.strip()}"


def test_command_lines_are_found_and_checked(tmp_path):
    """The collector sees continuation lines and comments; a wrong option fails."""
    from tui.cli.main import make_parser
    from tui.cli.options import UsageError

    assert _argv("tinynet-tui share --task xor [--port 8765]   # teacher") == \
        ["share", "--task", "xor", "--port", "8765"]
    with pytest.raises(UsageError):
        make_parser().parse_args(_argv("tinynet-tui train --epochz 5"))
    assert len(list(_command_lines())) >= 20


# ------------------------------------------------------------------ engine examples
def test_engine_examples_run_as_doctests():
    result = doctest.testfile(str(DOCS / "engine.md"), module_relative=False,
                              optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.attempted >= 20
    assert result.failed == 0


def test_the_csv_example_in_files_md_loads(tmp_path):
    from nn.datasets import load_csv

    text = section(DOCS / "files.md", "CSV")
    block = _code_blocks(text)[0][1]
    path = tmp_path / "example.csv"
    path.write_text("\n".join(block) + "\n", encoding="utf-8")
    X, y = load_csv(path)
    assert X.shape == (3, 2) and y.shape == (3, 1)


# ------------------------------------------------------------------ lesson examples
def _lesson_examples():
    """Code blocks of docs/*.md that are whole lesson files: a `# Title` line and a chapter."""
    for page in sorted(DOCS.glob("*.md")):
        for start, block in _code_blocks(page.read_text(encoding="utf-8")):
            lines = [line for line in block if line.strip()]
            if any("←" in line for line in lines):
                continue  # an annotated sketch of the format, not a file
            if lines and re.match(r"^# \S", lines[0]) and any(l.startswith("## ") for l in lines):
                yield pytest.param(block, id=f"{_rel(page)}:{start}")


@pytest.mark.parametrize("block", list(_lesson_examples()) or
                         [pytest.param(None, marks=pytest.mark.skip("no lesson examples yet"))])
def test_lesson_examples_pass_learn_check(block, tmp_path, capsys):
    from tui.cli.main import main

    path = tmp_path / "example.md"
    path.write_text("\n".join(block) + "\n", encoding="utf-8")
    status = main(["learn", "--check", str(path)])
    assert status == 0, capsys.readouterr().err


def test_a_broken_lesson_example_would_fail(tmp_path, capsys):
    from tui.cli.main import main

    path = tmp_path / "broken.md"
    path.write_text(LESSON.replace("task: xor", "task: nosuchtask"), encoding="utf-8")
    assert main(["learn", "--check", str(path)]) == 2
    path.write_text(LESSON, encoding="utf-8")
    assert main(["learn", "--check", str(path)]) == 0
