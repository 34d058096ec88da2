"""The command line never ends in a traceback, and never prints a database password: a damaged or
foreign SQLite file, a folder, a read-only file, a full disk during `db import`, and PostgreSQL URLs
that do not parse each end in one line naming the problem and what to do, exit status 1. Real
processes."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import pytest

CSV = "title,artists,drama\nFull Disk Song,Gummy,Goblin\n"
# Runs the real command line with SQLite's page limit on every connection: a disk that fills up.
FULL_DISK = """
import sys
import bot.store.sqlite as engine
real = engine._connect
async def capped(path, *, read_only):
    conn = await real(path, read_only=read_only)
    pages = (await conn.execute_fetchall("PRAGMA page_count"))[0][0]
    await conn.execute_fetchall(f"PRAGMA max_page_count = {pages}")
    return conn
engine._connect = capped
from bot.__main__ import main
sys.exit(main(sys.argv[1:]))
"""


def run(args, cwd, code=None):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DISCORD_", "OST_", "PG"))}
    command = [sys.executable, "-c", code] if code else [sys.executable, "-m", "bot"]
    return subprocess.run([*command, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=120)


def one_line(result) -> str:
    assert result.returncode == 1, (result.stdout, result.stderr)
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0]


@pytest.fixture
def good_db(tmp_path):
    path = tmp_path / "ost.db"
    assert run(["--database", str(path), "db", "check"], tmp_path).returncode == 0
    return path


def test_a_file_that_is_not_a_database(tmp_path):
    (tmp_path / "notes.db").write_text("hello, not a database")
    line = one_line(run(["--database", str(tmp_path / "notes.db"), "db", "check"], tmp_path))
    assert "is not a usable SQLite database" in line and "backup" in line


def test_a_damaged_database(tmp_path, good_db):
    with open(good_db, "r+b") as f:
        f.seek(4096 * 3)
        f.write(b"\xff" * 16384)
    line = one_line(run(["--database", str(good_db), "db", "check"], tmp_path))
    assert "is not a usable SQLite database (damaged" in line


def test_a_folder(tmp_path):
    (tmp_path / "folder.db").mkdir()
    line = one_line(run(["--database", str(tmp_path / "folder.db"), "db", "check"], tmp_path))
    assert "is a folder, not a file" in line and "OST_DATABASE_PATH" in line


def test_a_read_only_file(tmp_path, good_db):
    (tmp_path / "one.csv").write_text(CSV)
    # As root, permissions do not stop writes: the immutable attribute does (where it can be set).
    if os.geteuid() == 0:
        if shutil.which("chattr") is None or subprocess.run(["chattr", "+i", str(good_db)]).returncode != 0:
            pytest.skip("no way to make a file read-only for root here")
    else:
        good_db.chmod(0o444)
        tmp_path.chmod(0o555)
    try:
        result = run(["--database", str(good_db), "db", "import", str(tmp_path / "one.csv")], tmp_path)
        line = one_line(result)
        assert "is read-only" in line and "writable" in line
    finally:
        if os.geteuid() == 0:
            subprocess.run(["chattr", "-i", str(good_db)])
        else:
            tmp_path.chmod(0o755)


def test_a_full_disk_during_import_keeps_the_data(tmp_path, good_db):
    (tmp_path / "songs.csv").write_text("title,artists,drama\n" + "".join(
        f"Song number {n},Singer {n},Drama {n}\n" for n in range(400)))
    line = one_line(run(["--database", str(good_db), "db", "import", str(tmp_path / "songs.csv")], tmp_path,
                        code=FULL_DISK))
    assert "is full, so nothing was written" in line
    check = run(["--database", str(good_db), "db", "check"], tmp_path)
    assert check.returncode == 0 and "songs:     19" in check.stdout and "integrity: ok" in check.stdout


@pytest.mark.parametrize(("url", "expected"), [
    ("postgresql://ost:pa#ss@db.example:5432/ost", "holds a '#'"),
    ("postgresql://ost:pa/ss@db.example:5432/ost", "'@' comes after its host"),
    ("postgresql://ost:pa?ss@db.example:5432/ost", "'@' comes after its host"),
    ("postgresql://ost:secret@db.example:99999/ost", "port is not a number"),
    ("postgresql://ost:secret@[::1x]:5432/ost", "not a valid IPv6 address"),
])
@pytest.mark.parametrize("command", [["db", "check"], ["status"]])
def test_a_url_that_does_not_parse_is_named_without_the_url(tmp_path, url, expected, command):
    line = one_line(run(["--database", url, *command], tmp_path))
    assert expected in line and "percent-encoded" in line
    assert "pa" + "ss" not in line.replace("password", "") and "secret" not in line and "db.example" not in line
