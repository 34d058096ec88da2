"""Every package under bot/ is listed for installation, and data ships with it."""

from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_every_bot_package_is_listed_in_pyproject():
    listed = set(tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"])
    found = {".".join(p.parent.relative_to(ROOT).parts) for p in (ROOT / "bot").rglob("__init__.py")}
    assert found <= listed, found - listed


def test_top_level_layout():
    for name in ("pyproject.toml", "README.md", "bot", "data", "tests", ".env.example", "Makefile", ".ci/run"):
        assert (ROOT / name).exists(), name


def test_env_example_documents_every_variable():
    import re

    source = (ROOT / "bot" / "config.py").read_text()
    used = set(re.findall(r'^\s+"([A-Z][A-Z_]+)": \(', source, re.M))  # the table of variables `from_env` reads
    documented = set(re.findall(r"^([A-Z_]+)=", (ROOT / ".env.example").read_text(), re.M))
    assert {"DISCORD_TOKEN", "OST_DATABASE_URL", "OST_MUSICBRAINZ_TIMEOUT"} <= used, "the table was not found"
    assert used <= documented, used - documented


def test_a_production_install_has_no_discord_simulator():
    """simcord and rich serve the playground only: the `play` extra (`make run` installs it), not `pip install .`."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    names = {dep.split("[")[0].split("=")[0].split(">")[0].split("<")[0].strip() for dep in project["dependencies"]}
    assert not names & {"simcord", "rich"}
    play = project["optional-dependencies"]["play"]
    assert any(d.startswith("simcord") for d in play) and any(d.startswith("rich") for d in play)
    assert "'.[play]'" in (ROOT / "Makefile").read_text()
