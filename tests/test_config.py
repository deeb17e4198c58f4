"""Settings: one typed table, environment overrides, named errors, redacted secrets."""

from __future__ import annotations

import pytest

from paperboy.config import SETTINGS, load_settings


def test_defaults_fill_every_setting() -> None:
    settings = load_settings({})
    assert set(settings.values) == {s.name for s in SETTINGS}
    assert settings.database_url.startswith("sqlite:///")
    assert settings.request_delay == 3.0


def test_environment_overrides_and_casts() -> None:
    settings = load_settings({"PAPERBOY_PORT": "9001", "PAPERBOY_REQUEST_DELAY": "0.5"})
    assert settings.port == 9001
    assert settings.request_delay == 0.5


def test_bad_value_names_its_variable() -> None:
    with pytest.raises(ValueError, match="PAPERBOY_PORT"):
        load_settings({"PAPERBOY_PORT": "eighty"})
    with pytest.raises(ValueError, match="PAPERBOY_REQUEST_DELAY"):
        load_settings({"PAPERBOY_REQUEST_DELAY": "-1"})


def test_dump_redacts_secrets(monkeypatch: pytest.MonkeyPatch) -> None:
    from paperboy import config

    token = config.Setting("smtp_password", "", "A secret.", secret=True)
    monkeypatch.setattr(config, "SETTINGS", (*config.SETTINGS, token))
    dumped = config.load_settings({"PAPERBOY_SMTP_PASSWORD": "hunter2"}).dump()
    assert dumped["smtp_password"] == "<redacted>"
    assert "hunter2" not in repr(dumped)


def test_overrides_reject_unknown_names() -> None:
    with pytest.raises(KeyError):
        load_settings({}).with_overrides(nonsense=1)
    assert load_settings({}).with_overrides(database_url=None).database_url.startswith("sqlite")
