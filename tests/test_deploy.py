"""deploy/: no Docker engine runs here, so the compose file and the Dockerfile are read and every
command, variable and path they use is checked against the bot."""

from __future__ import annotations

import re
import shlex
import tomllib
from pathlib import Path

import yaml

from bot.__main__ import build_parser
from bot.config import Settings
from bot.sharding import Member, fleet_problems

ROOT = Path(__file__).resolve().parent.parent
DEPLOY = ROOT / "deploy"


def compose() -> dict:
    return yaml.safe_load((DEPLOY / "compose.yaml").read_text(encoding="utf-8"))


def bots(services: dict) -> dict[str, dict]:
    return {name: s for name, s in services.items() if s.get("image") == "ost-ballad-bot"}


def filled(value: str) -> str:
    """${NAME:?message} and ${NAME} with a stand-in value, as compose would substitute them."""
    return re.sub(r"\$\{([A-Z_]+)(?::?[?-][^}]*)?\}", lambda m: f"from-{m[1].lower()}", value)


def dockerfile() -> list[tuple[str, str]]:
    lines = []
    for raw in (DEPLOY / "Dockerfile").read_text(encoding="utf-8").splitlines():
        if raw.strip() and not raw.lstrip().startswith("#"):
            instruction, _, rest = raw.strip().partition(" ")
            lines.append((instruction.upper(), rest))
    return lines


def test_every_bot_service_runs_a_real_command_with_valid_settings():
    services = compose()["services"]
    fleet = bots(services)
    assert {"bot-0", "bot-1", "status"} <= set(fleet)
    entrypoint = next(json for op, json in dockerfile() if op == "ENTRYPOINT")
    default_command = next(json for op, json in dockerfile() if op == "CMD")
    assert yaml.safe_load(entrypoint) == ["ostbot"]
    scripts = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["scripts"]
    assert "ostbot" in scripts
    documented = (ROOT / ".env.example").read_text()
    members = []
    for name, service in fleet.items():
        command = service.get("command", yaml.safe_load(default_command))
        build_parser().parse_args(command)  # a real ostbot command (argparse exits otherwise)
        env = {key: filled(str(value)) for key, value in service["environment"].items()}
        for key in env:
            assert f"{key}=" in documented, f"{name}: {key} is not a variable the bot documents"
        settings = Settings.from_env(env, dotenv_path=None)
        # The password is never in the URL: any password works, nothing to percent-encode.
        assert settings.database_url == "postgresql://ost@postgres:5432/ost"
        assert env["PGPASSWORD"] == "from-postgres_password"
        assert settings.token == "from-discord_token"
        if command == ["run"]:
            members.append(Member(name, settings.shard_count, settings.shards.owned, 0, 0.0))
    assert len(members) == 2
    assert fleet_problems(members, stale_after=90) == []  # every shard owned once


def test_paths_the_images_use_exist():
    services = compose()["services"]
    for name, service in bots(services).items():
        context = (DEPLOY / service["build"]["context"]).resolve()
        assert context == ROOT, name
        assert (context / service["build"]["dockerfile"]).is_file(), name
    for op, rest in dockerfile():
        if op == "COPY":
            *sources, _target = shlex.split(rest)
            for source in sources:
                assert (ROOT / source).exists(), f"COPY {source}: no such path in the repository"
    assert services["postgres"]["image"].startswith("postgres:")
    assert services["bot-0"]["depends_on"]["postgres"]["condition"] == "service_healthy"
