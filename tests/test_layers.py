"""The layers hold: import-linter's contracts in pyproject.toml ([tool.importlinter]) are kept.

`catalog`, `quiz` and `store` never import `discord`, the cogs, the views or the command tree
(directly or through another module); `ui` imports neither the tree nor the cogs; only `store`
imports the database drivers; only `playground` imports simcord and rich (the `play` extra).
import-linter runs in a child process: in-process it reconfigures logging, and every logger the
bot had made so far would stay disabled for the tests after this one.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYPROJECT = ROOT / "pyproject.toml"
LINT = "import sys; from importlinter.cli import lint_imports_command; sys.exit(lint_imports_command())"


def lint_imports(cwd: Path, pythonpath: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    if pythonpath is not None:
        env["PYTHONPATH"] = str(pythonpath)
    return subprocess.run([sys.executable, "-c", LINT, "--config", str(PYPROJECT), "--no-cache"], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=120)


def test_every_import_contract_is_kept():
    result = lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    contracts = tomllib.loads(PYPROJECT.read_text(encoding="utf-8"))["tool"]["importlinter"]["contracts"]
    assert result.stdout.count(" KEPT") == len(contracts) == 6


def test_a_forbidden_import_breaks_a_contract(tmp_path):
    """The check can fail: the same contracts on a copy of the package where the domain imports discord."""
    copy = tmp_path / "bot"
    shutil.copytree(ROOT / "bot", copy, ignore=shutil.ignore_patterns("__pycache__", "migrations"))
    text = copy / "catalog" / "text.py"
    text.write_text(text.read_text(encoding="utf-8") + "\nimport discord  # noqa\n", encoding="utf-8")
    result = lint_imports(tmp_path, pythonpath=tmp_path)  # the copy is found before the installed bot
    assert result.returncode != 0
    assert "bot.catalog.text -> discord" in result.stdout and "BROKEN" in result.stdout
