"""The message catalog and command localisations are complete in English and Korean."""

from __future__ import annotations

import re

import pytest

from bot.i18n import LANGUAGES, catalog, format_duration, placeholders, resolve_language, t


def test_every_message_has_korean_with_the_same_placeholders():
    messages = catalog()
    missing = sorted(set(messages["en"]) - set(messages["ko"]))
    extra = sorted(set(messages["ko"]) - set(messages["en"]))
    assert not missing, f"no Korean text for: {missing}"
    assert not extra, f"Korean text without English: {extra}"
    differ = [k for k in messages["en"] if placeholders(messages["en"][k]) != placeholders(messages["ko"][k])]
    assert not differ, f"placeholders differ between languages: {differ}"


def test_korean_texts_are_korean():
    hangul = re.compile(r"[\uac00-\ud7a3]")
    bare = {k: re.sub(r"\{[^}]*\}", "", v) for k, v in catalog()["ko"].items()}
    not_korean = [k for k, v in bare.items() if not hangul.search(v) and re.search(r"[a-z]{4,}", v)]
    assert not not_korean, not_korean


@pytest.mark.parametrize(("setting", "user", "guild", "expected"), [
    ("ko", "en-US", "en-US", "ko"),
    ("en", "ko", "ko", "en"),
    ("auto", "ko", "en-US", "ko"),
    ("auto", "fr", "ko", "ko"),
    ("auto", "fr", "de", "en"),
    ("auto", None, None, "en"),
])
def test_language_resolution(setting, user, guild, expected):
    assert resolve_language(setting, user, guild) == expected


def test_formatting_and_fallback():
    assert t("error.cooldown", "ko", seconds=3) == "조금 천천히! 3초 후에 다시 시도해 주세요."
    assert t("error.cooldown", "xx", seconds=3).startswith("Slow down")
    with pytest.raises(KeyError):
        t("no.such.key")
    assert set(LANGUAGES) == {"en", "ko"}


# Discord's rule for command and option names, in every language.
NAME_RULE = re.compile(r"^[-_\w]{1,32}$")


async def test_every_command_option_and_choice_has_a_korean_localisation(simcord_env):
    from discord import app_commands

    from bot.i18n.commands import command_entry, example, table

    problems = []
    for command in simcord_env.bot.tree.walk_commands():
        entry = command_entry(command.qualified_name)
        name, description = entry.get("name"), entry.get("description")
        if not name or not NAME_RULE.match(name) or name != name.lower():
            problems.append(f"/{command.qualified_name}: Korean name {name!r}")
        if not description or len(description) > 100:
            problems.append(f"/{command.qualified_name}: Korean description {description!r}")
        if not isinstance(command, app_commands.Command):
            continue
        if not example(command.qualified_name, "ko"):
            problems.append(f"/{command.qualified_name}: no /help example")
        options = entry.get("options", {})
        localised = []
        for parameter in command.parameters:
            option = options.get(parameter.name, {})
            if not option.get("name") or not NAME_RULE.match(option["name"]):
                problems.append(f"/{command.qualified_name} {parameter.name}: Korean name {option.get('name')!r}")
            if not option.get("description") or len(option["description"]) > 100:
                problems.append(f"/{command.qualified_name} {parameter.name}: Korean description")
            localised.append(option.get("name"))
            for choice in parameter.choices or []:
                if str(choice.value) not in table().get("choices", {}):
                    problems.append(f"/{command.qualified_name} {parameter.name}: choice {choice.value!r}")
        if len(set(localised)) != len(localised):
            problems.append(f"/{command.qualified_name}: two options share a Korean name")
    assert not problems, "\n".join(problems)


async def test_synced_payload_localises_every_command_and_option(simcord_env):
    synced = simcord_env.backend.commands.get(None, {})
    assert synced

    def walk(node, path):
        yield path, node
        for option in node.get("options", []) or []:
            yield from walk(option, [*path, option["name"]])

    for (name, _type), payload in synced.items():
        for path, node in walk(payload, [name]):
            assert node.get("name_localizations", {}).get("ko"), path
            if node.get("description"):  # context menus ("Find OST") have a name only
                assert node.get("description_localizations", {}).get("ko"), path
            for choice in node.get("choices", []) or []:
                assert choice.get("name_localizations", {}).get("ko"), (path, choice)


def test_durations_in_both_languages():
    assert [format_duration(s) for s in (0, 300, 7_380, 93_780)] == ["0h 0m", "0h 5m", "2h 3m", "1d 2h 3m"]
    assert format_duration(93_780, "ko") == "1일 2시간 3분"
    exact = [format_duration(s, smallest="second", always="second") for s in (20, 0.5, 90, 3_600)]
    assert exact == ["20s", "0.5s", "1m 30s", "1h 0m 0s"]
