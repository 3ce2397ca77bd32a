"""Help is the documentation: every command shows an example and every option explains itself.

The command tree is walked the way ``khepri --help`` sees it, loading every
lazily imported group. A group whose module cannot be imported fails
``test_every_command_group_loads`` by name.
"""

from __future__ import annotations

import inspect
import re
import subprocess
import sys

import pytest
import typer
import typer.core
import typer.main

from khepri_cli.cli import main
from khepri_cli.cli.main import LAZY_COMMANDS, LISTED, app


def command_tree() -> list[tuple[tuple[str, ...], object]]:
    """(path, click command) for the root and every command and subcommand below it."""
    found: list[tuple[tuple[str, ...], object]] = []

    def walk(command, path: tuple[str, ...], ctx) -> None:
        found.append((path, command))
        if not hasattr(command, "list_commands"):
            return
        for name in command.list_commands(ctx):
            try:
                sub = command.get_command(ctx, name)
            except Exception:  # reported by test_every_command_group_loads
                continue
            if sub is not None:
                walk(sub, (*path, name), typer.Context(sub, parent=ctx, info_name=name))

    root = typer.main.get_command(app)
    walk(root, (), typer.Context(root, info_name="khepri"))
    return found


TREE = command_tree()
PATHS = [path for path, _ in TREE]


def name_of(path: tuple[str, ...]) -> str:
    return " ".join(("khepri", *path))


@pytest.mark.parametrize("name", list(LAZY_COMMANDS))
def test_every_command_group_loads(name):
    root = typer.main.get_command(app)
    command = root.get_command(typer.Context(root, info_name="khepri"), name)
    assert command is not None
    assert name in {path[0] for path in PATHS if path}


def test_the_tree_has_the_commands_of_the_interface():
    for expected in [
        ("init",),
        ("profile",),
        ("profile", "set"),
        ("checkin",),
        ("checkins",),
        ("goals", "add"),
        ("goals", "list"),
        ("constraints", "add"),
        ("constraints", "list"),
        ("export",),
        ("import",),
        ("sync",),
    ]:
        assert expected in PATHS, name_of(expected)


EXAMPLE = re.compile(r"Example:\s*\n\s*\n?(?:\x08\n)?\s+khepri[ \n]")  # \b: lines kept


@pytest.mark.parametrize(("path", "command"), TREE, ids=[name_of(p) for p in PATHS])
def test_every_command_has_an_example(path, command):
    text = command.help or ""
    assert text.strip(), f"{name_of(path)} has no help text"
    first = text.strip().splitlines()[0]
    assert first and not first.startswith(("Example", " ")), first
    assert EXAMPLE.search(text), f"{name_of(path)}: no 'Example:' followed by a khepri command"


@pytest.mark.parametrize(("path", "command"), TREE, ids=[name_of(p) for p in PATHS])
def test_every_option_and_argument_has_help(path, command):
    for param in command.params:
        assert (getattr(param, "help", None) or "").strip(), f"{name_of(path)}: {param.name}"


@pytest.mark.parametrize("path", PATHS, ids=[name_of(p) for p in PATHS])
def test_help_renders_with_its_example(khepri, path):
    run = khepri(*path, "--help")
    assert run.exit_code == 0, run.output
    assert "Example" in run.stdout
    assert run.stderr == ""
    assert not khepri.db_path.exists()  # asking for help never creates a journal


def example_lines(text: str) -> list[str]:
    """The lines of a help text's examples: each command and its continuation lines."""
    _, _, examples = text.partition("Example:")
    return [line.strip() for line in examples.splitlines() if line.strip(" \x08")]


@pytest.mark.parametrize(("path", "command"), TREE, ids=[name_of(p) for p in PATHS])
def test_examples_fit_80_columns_unbroken(khepri, path, command, monkeypatch):
    monkeypatch.setenv("COLUMNS", "80")
    shown = [line.strip() for line in khepri.ok(*path, "--help").stdout.splitlines()]
    for line in example_lines(command.help or ""):
        assert line in shown, f"{name_of(path)}: example wrapped at 80 columns: {line!r}"


@pytest.mark.parametrize(("path", "command"), TREE, ids=[name_of(p) for p in PATHS])
def test_help_shows_no_python_names_or_type_names(khepri, path, command, monkeypatch):
    monkeypatch.setenv("COLUMNS", "80")
    shown = khepri.ok(*path, "--help").stdout
    assert "<str>" not in shown and "<int>" not in shown
    assert not re.search(r"\{[a-z_]+\}", shown), shown  # {day_text}: a parameter's Python name
    if path:
        assert "--install-completion" not in shown
        assert "--show-completion" not in shown


@pytest.mark.parametrize("group", ["goals", "constraints"])
def test_edit_shows_no_defaults_of_add(khepri, group):
    added = khepri.ok(group, "add", "--help").stdout
    edited = khepri.ok(group, "edit", "--help").stdout
    assert "default" in added.lower()
    assert "default" not in edited.lower()


def test_the_root_help_lists_every_command(khepri):
    shown = khepri.ok("--help").stdout
    for name in LAZY_COMMANDS:
        assert re.search(rf"^\W*{re.escape(name)}\s+\S", shown, re.MULTILINE), name


def test_the_root_help_lists_each_command_as_its_own_help_begins():
    """``khepri --help`` lists commands from LISTED, without importing them: the same words."""
    root = typer.main.get_command(app)
    ctx = typer.Context(root, info_name="khepri")
    for name, listed in LISTED.items():
        command = root.get_command(ctx, name)
        assert not command.hidden and not command.deprecated
        assert listed == inspect.cleandoc(command.short_help or command.help).split("\n\n")[0]
    assert set(LISTED) == set(LAZY_COMMANDS), "list the new command in LISTED too"


@pytest.mark.parametrize("rich", [True, False])
def test_the_root_help_is_the_same_with_every_command_loaded(khepri, monkeypatch, rich):
    monkeypatch.setattr(typer.core, "HAS_RICH", rich)  # rich panels, or click's plain help
    listed = khepri.ok("--help").stdout
    monkeypatch.setattr(main, "LISTED", {})
    assert khepri.ok("--help").stdout == listed


def test_the_root_help_imports_no_command():
    code = (
        "import sys; from khepri_cli.cli.main import main; sys.argv = ['khepri', '--help']\n"
        "try: main()\nexcept SystemExit: pass\n"
        "print(sorted(m for m in sys.modules if m.startswith('khepri_cli.cli.')), file=sys.stderr)"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert (
        run.stderr.strip()
        == "['khepri_cli.cli.lazy', 'khepri_cli.cli.main', 'khepri_cli.cli.readying', "
        "'khepri_cli.cli.state']"
    )
