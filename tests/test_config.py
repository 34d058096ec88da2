"""Settings: defaults need no token; the environment wins over .env; bad values are named."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import ConfigError, Settings


def test_defaults_are_valid_without_a_token(tmp_path):
    settings = Settings(database_path=tmp_path / "x.db")
    assert settings.token is None and settings.log_level == "INFO" and settings.dev_guild_id is None


def test_environment_wins_over_dotenv(tmp_path):
    dotenv = tmp_path / ".env"
    dotenv.write_text("DISCORD_TOKEN=from-file\nOST_LOG_LEVEL=debug\nOST_DATABASE_PATH=file.db\n")
    settings = Settings.from_env({"DISCORD_TOKEN": "from-env"}, dotenv_path=dotenv)
    assert settings.token == "from-env"
    assert settings.log_level == "DEBUG"
    assert settings.database_path == Path("file.db")


@pytest.mark.parametrize(("env", "name"), [
    ({"OST_DEV_GUILD_ID": "abc"}, "OST_DEV_GUILD_ID"),
    ({"OST_LOG_LEVEL": "LOUD"}, "OST_LOG_LEVEL"),
    ({"OST_DATABASE_URL": "mysql://u:p@h/db"}, "OST_DATABASE_URL"),
])
def test_bad_values_name_the_variable(env, name):
    with pytest.raises(ConfigError, match=name):
        Settings.from_env(env, dotenv_path=None)


def test_token_never_in_repr():
    settings = Settings(token="MTIzNDU2.secret-token-value")
    assert "secret-token-value" not in repr(settings)


def test_a_database_url_selects_postgres_and_its_password_stays_out_of_repr(tmp_path):
    url = "postgresql://ost:pa55word@db:5432/ost"
    settings = Settings.from_env({"OST_DATABASE_URL": url, "OST_DATABASE_PATH": "x.db"}, dotenv_path=None)
    assert settings.database == url and settings.database_path == Path("x.db")
    assert "pa55word" not in repr(settings)
    assert Settings(database_path=tmp_path / "a.db").database == tmp_path / "a.db"  # SQLite by default


def test_a_process_counts_as_gone_after_three_missed_heartbeats(tmp_path):
    """One rule for `ostbot status`, `/about`'s fleet count and a quiz's owner during a deploy."""
    assert Settings(database_path=tmp_path / "a.db", heartbeat_seconds=10).stale_after == 30
    assert Settings(database_path=tmp_path / "a.db").stale_after == 90  # the default: 30 s
    assert Settings(heartbeat_seconds=None).stale_after == 90  # none recorded (`ostbot status`): the default's


def test_musicbrainz_settings_default_to_the_real_services_and_read_the_environment():
    default = Settings.from_env({}, dotenv_path=None)
    assert (default.musicbrainz_url, default.coverart_url) == ("https://musicbrainz.org", "https://coverartarchive.org")
    assert default.musicbrainz_contact.startswith("https://") and default.musicbrainz_rate == 1.0
    mirror = Settings.from_env({"OST_MUSICBRAINZ_URL": "http://127.0.0.1:8900",
                                "OST_COVERART_URL": "http://127.0.0.1:8900/coverart",
                                "OST_MUSICBRAINZ_CONTACT": "ops@example.org", "OST_MUSICBRAINZ_RATE": "5"},
                               dotenv_path=None)
    assert mirror.musicbrainz_url == "http://127.0.0.1:8900" and mirror.coverart_url.endswith("/coverart")
    assert mirror.musicbrainz_contact == "ops@example.org" and mirror.musicbrainz_rate == 5.0


@pytest.mark.parametrize(("env", "name"), [
    ({"OST_MUSICBRAINZ_URL": "musicbrainz.org"}, "OST_MUSICBRAINZ_URL"),
    ({"OST_COVERART_URL": "ftp://caa"}, "OST_COVERART_URL"),
    ({"OST_MUSICBRAINZ_RATE": "fast"}, "OST_MUSICBRAINZ_RATE"),
    ({"OST_MUSICBRAINZ_RATE": "0"}, "OST_MUSICBRAINZ_RATE"),
    ({"OST_MUSICBRAINZ_RATE": "2"}, "OST_MUSICBRAINZ_RATE"),  # above musicbrainz.org's limit
])
def test_bad_musicbrainz_settings_name_the_variable(env, name):
    with pytest.raises(ConfigError, match=name):
        Settings.from_env(env, dotenv_path=None)


def test_an_empty_environment_gives_the_same_settings_as_the_dataclass():
    """One default per setting: the field's, whether the settings come from the environment or not."""
    assert Settings.from_env({}, dotenv_path=None) == Settings()
    assert Settings().heartbeat_seconds == 30


@pytest.mark.parametrize(("env", "name"), [
    ({"OST_HEARTBEAT_SECONDS": "often"}, "OST_HEARTBEAT_SECONDS"),
    ({"OST_HEARTBEAT_SECONDS": "0.5"}, "OST_HEARTBEAT_SECONDS"),
    ({"OST_DEV_GUILD_ID": "0"}, "OST_DEV_GUILD_ID"),
    ({"OST_SHARD_COUNT": "two"}, "OST_SHARD_COUNT"),
])
def test_bad_numbers_name_the_variable(env, name):
    with pytest.raises(ConfigError, match=name):
        Settings.from_env(env, dotenv_path=None)


def test_keyword_settings_are_checked_as_the_environment_is():
    with pytest.raises(ConfigError, match="OST_LOG_LEVEL"):
        Settings(log_level="LOUD")
    with pytest.raises(ConfigError, match="OST_DATABASE_URL"):
        Settings(database_url="mysql://u:p@h/db")
