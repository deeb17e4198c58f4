"""Docs that cannot drift: every setting, CLI command and HTTP route is in the README."""

from __future__ import annotations

import re
from pathlib import Path

import typer.main

from paperboy.cli import app
from paperboy.config import SETTINGS

README = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")


def _commands(group, prefix: str = "paperboy") -> list[str]:
    names = []
    for name, cmd in group.commands.items():
        full = f"{prefix} {name}"
        if hasattr(cmd, "commands"):
            names += _commands(cmd, full)
        else:
            names.append(full)
    return names


def test_every_setting_is_documented() -> None:
    missing = [s.env for s in SETTINGS if f"`{s.env}`" not in README]
    assert not missing, f"settings missing from README: {missing}"


def test_every_command_is_documented() -> None:
    commands = _commands(typer.main.get_command(app))
    assert len(commands) >= 6
    missing = [c for c in commands if f"`{c}" not in README]
    assert not missing, f"commands missing from README's table: {missing}"


def test_every_route_is_documented() -> None:
    try:
        from paperboy.web.app import create_app
    except ImportError:  # the web app is not part of this build
        return
    from paperboy.config import load_settings

    routes = [
        r.path
        for r in create_app(load_settings({}), None).routes
        if getattr(r, "include_in_schema", True) and not r.path.startswith(("/static", "/docs"))
        and r.path not in ("/openapi.json", "/redoc")
    ]
    documented = set(re.findall(r"`(?:GET |POST )?(/[^`\s?]*)", README))
    missing = [p for p in routes if p not in documented]
    assert not missing, f"routes missing from README: {missing}"
