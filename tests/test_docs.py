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


def _paths(routes) -> list[str]:
    paths = []
    for route in routes:
        if hasattr(route, "path"):
            paths.append(route.path)
        else:  # an included router (FastAPI ≥ 0.165 keeps it as one entry)
            paths += _paths(route.original_router.routes)
    return paths


def test_every_route_is_documented() -> None:
    from paperboy.config import load_settings
    from paperboy.web.app import create_app

    internal = ("/openapi.json", "/docs", "/docs/oauth2-redirect", "/redoc", "/static")
    routes = [
        re.sub(r":path}", "}", p)
        for p in _paths(create_app(load_settings({}), None).routes)
        if p not in internal
    ]
    assert "/api/daily_papers" in routes
    documented = set(re.findall(r"`(?:GET |POST )?(/[^`\s?]*)", README))
    missing = [p for p in routes if p not in documented]
    assert not missing, f"routes missing from README: {missing}"
