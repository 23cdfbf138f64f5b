"""The migration lock's settings: durations, counts, modes, and which source wins."""

from __future__ import annotations

import pytest

from dbshift.config import Config
from dbshift.runtime.lock.settings import (
    LockSettings,
    parse_count,
    parse_duration,
    read_settings,
)
from dbshift.util.exc import CommandError


@pytest.mark.parametrize(
    ("value", "seconds"),
    [
        (30, 30.0),
        (1.5, 1.5),
        ("45", 45.0),
        ("500ms", 0.5),
        ("2s", 2.0),
        ("2 sec", 2.0),
        ("1.5min", 90.0),
        ("5m", 300.0),
        ("1h", 3600.0),
        (" 10 seconds ", 10.0),
        ("0", 0.0),
    ],
)
def test_durations(value, seconds):
    assert parse_duration("lock_wait", value) == seconds


@pytest.mark.parametrize("value", ["soon", "2 days", "-1", "1e3", "", "1.2.3", True, -3, float("nan")])
def test_bad_durations_are_one_line_errors_naming_the_key(value):
    with pytest.raises(CommandError) as info:
        parse_duration("lock_wait", value, "in alembic.ini")
    message = str(info.value)
    assert message.startswith("lock_wait: ")
    assert "in alembic.ini" in message and "is not a duration" in message
    assert "\n" not in message


@pytest.mark.parametrize("value", ["off", "OFF", "0", "none", 0])
def test_timeouts_can_be_off(value):
    assert parse_duration("lock_timeout", value, allow_off=True) is None


@pytest.mark.parametrize(("value", "count"), [(0, 0), (3, 3), ("7", 7), (" 2 ", 2)])
def test_counts(value, count):
    assert parse_count("lock_retries", value) == count


@pytest.mark.parametrize("value", ["-1", "two", "1.5", True, -2, ""])
def test_bad_counts_are_one_line_errors_naming_the_key(value):
    with pytest.raises(CommandError, match=r"^lock_retries: .* is not a count"):
        parse_count("lock_retries", value)


def test_defaults_lock_on_with_a_five_minute_wait_and_no_timeouts():
    settings = read_settings({}, None)
    assert settings == LockSettings()
    assert settings.enabled and settings.mode == "auto" and settings.wait == 300.0
    assert not settings.timeouts_set and settings.retries == 3


@pytest.mark.parametrize(
    ("value", "mode"),
    [("false", "off"), ("off", "off"), (False, "off"), ("true", "auto"), (True, "auto"),
     ("lease", "lease"), ("session", "session"), ("advisory", "session")],
)
def test_migration_lock_modes(value, mode):
    assert read_settings({"migration_lock": value}, None).mode == mode


def test_unknown_mode_is_an_error():
    with pytest.raises(CommandError, match=r"^migration_lock: 'sometimes' \(context.configure\(\)\) is not one of"):
        read_settings({"migration_lock": "sometimes"}, None)


def ini_config(tmp_path, body: str) -> Config:
    path = tmp_path / "alembic.ini"
    path.write_text("[alembic]\nscript_location = x\n" + body)
    return Config(str(path))


def test_config_file_then_configure_option_then_command(tmp_path):
    config = ini_config(tmp_path, "lock_wait = 20s\nlock_timeout = 2s\nlock_retries = 5\n")
    settings = read_settings({}, config)
    assert (settings.wait, settings.lock_timeout, settings.retries) == (20.0, 2.0, 5)
    settings = read_settings({"lock_wait": 7}, config)
    assert settings.wait == 7.0 and settings.lock_timeout == 2.0
    settings = read_settings({"lock_wait": 7, "lock_options": {"lock_wait": "1"}}, config)
    assert settings.wait == 1.0


def test_bad_value_in_the_config_names_the_file(tmp_path):
    config = ini_config(tmp_path, "lock_retries = many\n")
    with pytest.raises(CommandError) as info:
        read_settings({}, config)
    assert str(info.value) == f"lock_retries: 'many' (in {tmp_path / 'alembic.ini'}) is not a count (a whole number, 0 or more)"


def test_bad_flag_names_the_flag():
    with pytest.raises(CommandError, match=r"^lock_timeout: 'fast' \(--lock-timeout\) is not a duration"):
        read_settings({"lock_options": {"lock_timeout": "fast"}}, None)


def test_pyproject_values(tmp_path):
    path = tmp_path / "pyproject.toml"
    path.write_text('[tool.alembic]\nscript_location = "x"\nmigration_lock = false\nlock_wait = 12\n')
    settings = read_settings({}, Config(toml_file=str(path)))
    assert settings.mode == "off" and settings.wait == 12.0


def test_lease_table_must_be_a_plain_name_and_ttl_at_least_a_second():
    assert read_settings({"migration_lock_table": "locks"}, None).lease_table == "locks"
    with pytest.raises(CommandError, match="^migration_lock_table: 'a; drop' "):
        read_settings({"migration_lock_table": "a; drop"}, None)
    with pytest.raises(CommandError, match="^lock_lease_ttl: .* too short"):
        read_settings({"lock_lease_ttl": "200ms"}, None)
