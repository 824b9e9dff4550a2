"""Every code block of README.md runs, in order, as a reader would run it from a copy of the
repository's examples and tables (one working directory, so the ledger the monthly run creates
is the one the receivables commands use).

- A shell block's `$ ...` lines are commands (a line ending in `\\` continues), run with bash
  in that directory with `pricing` on the PATH, as the login name dana; the lines after a
  command are output it must print (on stdout or stderr, runs of spaces read as one, `...` as
  any text, a line of its own `...` as lines left out). A command exits 0 unless its comment
  says otherwise (`# exit 1: ...`).
- A Python block is executed statement by statement; an expression whose comment starts with a
  value (`# 'Small'`, `# Decimal('20106270.25'), exact`) must equal it.
- A JSON block must be one of the bundled example files, as JSON.
- A block that cannot be run as written (an install, a server) says so on the line before it:
  `<!-- not run: why -->`. There are few.
"""

from __future__ import annotations

import ast
import json
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
README = REPO / "README.md"
FENCE = re.compile(r"^(?P<indent>[ ]*)```(?P<lang>[\w-]*)[ ]*\n(?P<body>.*?)^(?P=indent)```[ ]*$",
                   re.M | re.S)
NOT_RUN = re.compile(r"<!--\s*not run:\s*(?P<why>[^>]*?)\s*-->")
EXIT = re.compile(r"#.*?\bexit (\d+)\b")
MAX_NOT_RUN = 6


@dataclass(frozen=True)
class Block:
    """Attributes: line (of the opening fence), lang, body (the indent of the fence removed),
    not_run (the reason given, or None)."""

    line: int
    lang: str
    body: str
    not_run: str | None


def readme_blocks(text: str) -> list[Block]:
    found = []
    for match in FENCE.finditer(text):
        before = text[:match.start()].rstrip().splitlines()
        marked = NOT_RUN.search(before[-1]) if before else None
        indent = len(match["indent"])
        body = "".join(line[indent:] if line[:indent].isspace() else line
                       for line in match["body"].splitlines(keepends=True))
        found.append(Block(text.count("\n", 0, match.start()) + 1, match["lang"], body,
                           marked["why"] if marked else None))
    return found


BLOCKS = readme_blocks(README.read_text(encoding="utf-8"))


@dataclass(frozen=True)
class Command:
    line: int
    text: str
    expected: tuple[str, ...]
    exit_code: int


def commands(block: Block) -> list[Command]:
    """The `$` commands of a shell block with the output shown after each."""
    found: list[Command] = []
    lines = block.body.splitlines()
    index = 0
    while index < len(lines):
        line = lines[index]
        if not line.startswith("$ "):
            raise AssertionError(f"README.md:{block.line + 1 + index}: output before any command: "
                                 f"{line!r}")
        start, text = index, line[2:]
        while text.endswith("\\") and index + 1 < len(lines):
            index += 1
            text = text[:-1] + " " + lines[index].strip()
        index += 1
        expected = []
        while index < len(lines) and not lines[index].startswith("$ "):
            expected.append(lines[index])
            index += 1
        code = EXIT.search(text)
        found.append(Command(block.line + 1 + start, text, tuple(expected),
                             int(code.group(1)) if code else 0))
    return found


def pattern(expected: str) -> re.Pattern:
    """An output line shown in the README: spaces as any run of spaces, `...` as any text."""
    parts = [r"\s+".join(map(re.escape, part.split())) for part in expected.split("...")]
    return re.compile(r"\s*" + ".*".join(parts) + r"\s*")


@pytest.fixture(scope="module")
def workdir(tmp_path_factory) -> Path:
    """A copy of the repository's examples, tables and tools: where the reader stands."""
    root = tmp_path_factory.mktemp("readme")
    for name in ("examples", "tables", "tools"):
        shutil.copytree(REPO / name, root / name)
    return root


def environment() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PRICING_")}
    env.update(LOGNAME="dana", USER="dana", NO_COLOR="1", COLUMNS="200", PYTHONUNBUFFERED="1",
               PATH=f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}")
    return env


def run_shell(block: Block, workdir: Path) -> None:
    for command in commands(block):
        done = subprocess.run(["bash", "-c", command.text], cwd=workdir, env=environment(),
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                              timeout=600)
        where = f"README.md:{command.line}: $ {command.text}\n{done.stdout}"
        assert done.returncode == command.exit_code, where
        assert "Traceback" not in done.stdout, where
        printed = done.stdout.splitlines()
        for shown in command.expected:
            if shown.strip() in ("", "..."):
                continue
            wanted = pattern(shown)
            assert any(wanted.fullmatch(line) for line in printed), \
                f"{where}\nnot printed: {shown}"


def literal(comment: str):
    """The value a comment starts with (`'Small'`, `Decimal('1.00'), exact`), or None."""
    if not re.match(r"""['"(\[{\d-]|Decimal\(|True|False|None""", comment):
        return None
    cuts = [m.start() for m in re.finditer(", ", comment)] + [len(comment)]
    for cut in reversed(cuts):
        try:
            return ("value", eval(comment[:cut], {"Decimal": Decimal}))     # noqa: S307
        except Exception:
            continue
    return None


def run_python(block: Block, workdir: Path, monkeypatch) -> None:
    monkeypatch.chdir(workdir)
    tree = ast.parse(block.body)
    lines = block.body.splitlines()
    namespace = {"__name__": "__readme__"}
    name = f"README.md:{block.line}"
    for node in tree.body:
        if isinstance(node, ast.Expr):
            value = eval(compile(ast.Expression(node.value), name, "eval"), namespace)
            comment = lines[node.end_lineno - 1].partition("  #")[2].strip()
            shown = literal(comment)
            if shown is not None:
                assert value == shown[1], \
                    f"README.md:{block.line + node.end_lineno}: {value!r}, not {comment}"
        else:
            exec(compile(ast.Module([node], []), name, "exec"), namespace)       # noqa: S102


def check_json(block: Block, workdir: Path) -> None:
    shown = json.loads(block.body)
    files = [json.loads(path.read_text()) for path in sorted((workdir / "examples").glob("*.json"))]
    assert shown in files, f"README.md:{block.line}: the JSON is no bundled example file"


@pytest.mark.parametrize("block", BLOCKS, ids=[f"line{b.line}" for b in BLOCKS])
def test_readme_block_runs(block: Block, workdir, monkeypatch):
    if block.not_run is not None:
        pytest.skip(f"not run: {block.not_run}")
    if block.lang == "python":
        run_python(block, workdir, monkeypatch)
    elif block.lang == "json":
        check_json(block, workdir)
    else:
        assert block.lang in ("", "sh", "console"), f"README.md:{block.line}: {block.lang}?"
        run_shell(block, workdir)


def test_only_a_few_blocks_are_not_run():
    skipped = [(b.line, b.not_run) for b in BLOCKS if b.not_run is not None]
    assert len(BLOCKS) > 20 and len(skipped) <= MAX_NOT_RUN, skipped
    assert all(why for _, why in skipped)


def test_the_harness_can_fail(tmp_path, monkeypatch):
    """A wrong output line, a wrong exit code and a wrong value in a comment are caught."""
    (tmp_path / "examples").mkdir()
    wrong_output = Block(1, "", "$ pricing --version\npricing 99.0\n", None)
    wrong_exit = Block(1, "", "$ pricing level --gateway-elements x --slc 1\n", None)
    with pytest.raises(AssertionError, match="not printed: pricing 99.0"):
        run_shell(wrong_output, tmp_path)
    with pytest.raises(AssertionError, match="README.md:2"):
        run_shell(wrong_exit, tmp_path)
    assert pattern("issued 000001  KMC ... due 2001-05-20").fullmatch(
        "issued 000001   KMC Telecom II, Inc.   277,000.00  due 2001-05-20")
    wrong_value = Block(1, "python", "x = 1 + 1\nx                # 3\n", None)
    with pytest.raises(AssertionError, match="README.md:3: 2, not 3"):
        run_python(wrong_value, tmp_path, monkeypatch)
    assert literal("Decimal('1.50'), exact") == ("value", Decimal("1.50"))
    assert literal("a pandas DataFrame") is None
