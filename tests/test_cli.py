"""The `ostbot` command line, run as a real process from another folder."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from bot import __main__ as cli


def run(args, cwd, env_extra=None):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DISCORD_", "OST_"))}
    env.update(env_extra or {})
    return subprocess.run([sys.executable, "-m", "bot", *args], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=120)


def test_db_check_from_another_folder_seeds_and_counts(tmp_path):
    result = run(["db", "check"], cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "integrity: ok" in result.stdout
    for line in ("songs:     19", "dramas:    11", "artists:   28"):
        assert line in result.stdout
    assert "cards:     0 of 19 songs kept ready (the running bot writes the rest" in result.stdout
    assert (tmp_path / "data" / "ost.db").exists()


def test_run_without_a_token_explains_and_exits_2(tmp_path):
    result = run(["run"], cwd=tmp_path)
    assert result.returncode == 2
    assert "DISCORD_TOKEN" in result.stderr and ".env" in result.stderr


def test_bad_setting_is_named(tmp_path):
    result = run(["db", "check"], cwd=tmp_path, env_extra={"OST_DEV_GUILD_ID": "nope"})
    assert result.returncode == 2 and "OST_DEV_GUILD_ID" in result.stderr


def test_export_import_backup(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    for key in [k for k in os.environ if k.startswith(("DISCORD_", "OST_"))]:
        monkeypatch.delenv(key)
    db = str(tmp_path / "cli.db")
    assert cli.main(["--database", db, "db", "export", "all.json"]) == 0
    exported = json.loads((tmp_path / "all.json").read_text())["songs"]
    assert len(exported) == 19
    assert cli.main(["--database", db, "db", "export", "all.csv"]) == 0

    (tmp_path / "new.csv").write_text("title,artists,drama,year\nSnowfall,Ailee,Goblin,2017\n")
    assert cli.main(["--database", db, "db", "import", "new.csv"]) == 0
    assert "1 added" in capsys.readouterr().out
    assert cli.main(["--database", db, "db", "import", "all.csv"]) == 0  # re-importing changes nothing
    assert "0 added, 19 updated" in capsys.readouterr().out

    (tmp_path / "bad.csv").write_text("title,artists,drama\n,Ailee,Goblin\n")
    assert cli.main(["--database", db, "db", "import", "bad.csv"]) == 1
    assert "line 2, title" in capsys.readouterr().err

    assert cli.main(["--database", db, "db", "backup", "copy.db"]) == 0
    assert cli.main(["--database", str(tmp_path / "copy.db"), "db", "check"]) == 0
    assert "songs:     20" in capsys.readouterr().out


@pytest.mark.parametrize("argv", [["db"], ["nonsense"]])
def test_usage_errors_exit_with_argparse_status(argv):
    with pytest.raises(SystemExit) as caught:
        cli.main(argv)
    assert caught.value.code == 2


def test_the_playground_never_uses_the_real_database(tmp_path, monkeypatch):
    for key in [k for k in os.environ if k.startswith("OST_") or k == "DISCORD_TOKEN"]:
        monkeypatch.delenv(key)
    monkeypatch.chdir(tmp_path)
    real = tmp_path / "data" / "real.db"

    def settings(*argv: str, playground: bool):
        return cli._settings(cli.build_parser().parse_args(list(argv)), playground=playground)

    assert settings("--database", str(real), "run", playground=False).database_path == real
    # `make run` without a token, and `play`, with the real database named on the command line
    assert settings("--database", str(real), "start", playground=True).database_path == real.with_name("playground.db")
    assert settings("--database", str(real), "play", playground=True).database_path == real.with_name("playground.db")
    own = tmp_path / "mine.db"
    assert settings("play", "--playground-db", str(own), playground=True).database_path == own


@pytest.mark.parametrize("blocked", [("simcord",), ("rich",), ("simcord", "rich")])
def test_the_playground_without_the_play_extra_says_what_to_install(tmp_path, blocked):
    """A production install (`pip install .`) has neither simcord nor rich: `ostbot start` without a
    token says there is no token, then how to get the playground, and exits 2 without a traceback."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DISCORD_", "OST_"))}
    block = "; ".join(f"sys.modules[{name!r}] = None" for name in blocked)  # as if not installed
    code = f"import sys; {block}; from bot.__main__ import main; sys.exit(main(['start']))"
    result = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env=env, capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 2, result.stderr
    assert "No DISCORD_TOKEN is set" in result.stdout
    assert "pip install 'ost-ballad-bot[play]'" in result.stderr and " and ".join(blocked) in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "data" / "playground.db").exists()  # nothing was opened
