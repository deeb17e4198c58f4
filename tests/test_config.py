"""Settings: one typed table, environment overrides, named errors, redacted secrets."""

from __future__ import annotations

import json

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


def test_dump_redacts_secrets() -> None:
    dumped = load_settings({"PAPERBOY_SMTP_PASSWORD": "hunter2"}).dump()
    assert dumped["smtp_password"] == "<redacted>"
    assert "hunter2" not in repr(dumped)


def test_overrides_reject_unknown_names() -> None:
    with pytest.raises(KeyError):
        load_settings({}).with_overrides(nonsense=1)
    assert load_settings({}).with_overrides(database_url=None).database_url.startswith("sqlite")


def test_paperboy_config_redacts_the_password_in_database_url() -> None:
    """Issue 7 L6 probe: `paperboy config` printed postgresql://user:hunter2@db/x in full."""
    import json

    from typer.testing import CliRunner

    from paperboy.cli import app

    env = {"PAPERBOY_DATABASE_URL": "postgresql://user:hunter2@db/x"}
    result = CliRunner().invoke(app, ["config"], env=env)
    assert result.exit_code == 0, result.output
    assert "hunter2" not in result.output
    assert json.loads(result.stdout)["database_url"] == "postgresql://user:<redacted>@db/x"


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("postgresql://user:hunter2@db:5432/x", "postgresql://user:<redacted>@db:5432/x"),
        ("https://ghp_token123@mirror.example/api", "https://<redacted>@mirror.example/api"),
        (
            "https://h.example/api?api_key=s3cret&q=1",
            "https://h.example/api?api_key=<redacted>&q=1",
        ),
        ("postgresql://db/x?password=hunter2", "postgresql://db/x?password=<redacted>"),
        ("https://user:p@ss:w@rd@h.example/", "https://user:<redacted>@h.example/"),
        ("https://huggingface.co", "https://huggingface.co"),
        ("sqlite:////var/lib/paperboy/p.db", "sqlite:////var/lib/paperboy/p.db"),
        ("all-MiniLM-L6-v2", "all-MiniLM-L6-v2"),
    ],
)
def test_dump_redacts_credentials_in_every_url_setting(url: str, shown: str) -> None:
    for name in ("database_url", "hf_url", "arxiv_api_url"):
        dumped = load_settings({}).with_overrides(**{name: url}).dump()
        assert dumped[name] == shown
        for secret in ("hunter2", "ghp_token123", "s3cret", "w@rd"):
            assert secret not in json.dumps(dumped)
