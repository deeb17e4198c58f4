"""Issue 7: every GET route, a hostile value in every parameter, and never a 5xx."""

from __future__ import annotations

import re
from urllib.parse import quote

import pytest
from fastapi.routing import APIRoute

# Raw URL-encoded forms: "%ED%A0%80" is a lone surrogate (U+D800) in UTF-8 bytes.
HOSTILE = [
    quote(v, safe="")
    for v in ("9999-12", "9999-W52", "%", "\x00", "'\"<script>", "a" * 5000, "-1",
              "99999999999999999999", "../../etc/passwd", "0001-01-01", "2026-W99")
] + ["%ED%A0%80"]  # fmt: skip
SKIP = {"/openapi.json", "/docs", "/docs/oauth2-redirect", "/redoc"}


def _routes(routes) -> list[APIRoute]:
    found = []
    for route in routes:
        if isinstance(route, APIRoute):
            found.append(route)
        elif hasattr(route, "original_router"):  # an included router (FastAPI ≥ 0.165)
            found += _routes(route.original_router.routes)
    return found


def _get_routes(app) -> list[APIRoute]:
    return [r for r in _routes(app.routes) if "GET" in r.methods and r.path not in SKIP]


def test_the_walker_sees_every_route(web_app) -> None:
    paths = {r.path for r in _get_routes(web_app)}
    expected = {"/", "/week/{week}", "/month/{month}", "/search", "/api/daily_papers",
                "/feeds/daily.atom", "/api/paperboy/search", "/papers/{paper_id:path}"}  # fmt: skip
    assert expected <= paths
    assert len(paths) >= 15


@pytest.mark.parametrize("value", HOSTILE, ids=lambda v: v[:20])
def test_no_hostile_value_gives_a_5xx(client, web_app, value) -> None:
    failures = []
    for route in _get_routes(web_app):
        for url in _urls_for(route, value):
            answer = client.get(url)
            if answer.status_code >= 500:
                failures.append(f"{answer.status_code} {url[:120]}: {answer.text[:200]}")
    assert not failures, "\n".join(failures)


def _urls_for(route: APIRoute, value: str) -> list[str]:
    """The value in each path parameter, in each query parameter, then in all at once."""
    names = [p.alias for p in route.dependant.query_params]
    has_path = bool(re.search(r"{\w+(?::\w+)?}", route.path))

    def fill(v: str) -> str:
        return re.sub(r"{\w+(?::\w+)?}", v, route.path)

    urls = [fill(value)] if has_path else [route.path]
    urls += [f"{fill('2606.99999')}?{name}={value}" for name in names]
    if len(names) > 1:
        urls.append(f"{fill('2606.99999')}?" + "&".join(f"{n}={value}" for n in names))
    return urls
