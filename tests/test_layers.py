"""The layers hold: import-linter's contracts in pyproject.toml ([tool.importlinter]) are kept.

`catalog`, `quiz` and `store` never import `discord`, the cogs, the views or the command tree
(directly or through another module); `ui` imports neither the tree nor the cogs; only `store`
imports the database drivers; only `playground` imports simcord and rich (the `play` extra).
"""

from __future__ import annotations

import shutil
import sys
import tomllib
from pathlib import Path

from importlinter.cli import lint_imports

ROOT = Path(__file__).resolve().parent.parent
PYPROJECT = ROOT / "pyproject.toml"


def test_every_import_contract_is_kept(capsys):
    status = lint_imports(config_filename=str(PYPROJECT), no_cache=True, no_logo=True)
    report = capsys.readouterr().out
    assert status == 0, report
    contracts = tomllib.loads(PYPROJECT.read_text(encoding="utf-8"))["tool"]["importlinter"]["contracts"]
    assert report.count(" KEPT") == len(contracts) == 4


def test_a_forbidden_import_breaks_a_contract(tmp_path, monkeypatch):
    """The check can fail: the same contracts on a copy of the package where the domain imports discord."""
    copy = tmp_path / "bot"
    shutil.copytree(ROOT / "bot", copy, ignore=shutil.ignore_patterns("__pycache__", "migrations"))
    text = copy / "catalog" / "text.py"
    text.write_text(text.read_text(encoding="utf-8") + "\nimport discord  # noqa\n", encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.chdir(tmp_path)
    for name in [m for m in sys.modules if m == "bot" or m.startswith("bot.")]:  # so the copy is the one found
        monkeypatch.delitem(sys.modules, name)
    assert lint_imports(config_filename=str(PYPROJECT), no_cache=True, no_logo=True) != 0
