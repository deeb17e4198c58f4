"""Sign-in by mailed link, sign-out, and the account page: thin doors over core.signin and
core.profile.

- A GET never changes anything: the mailed link opens a page with one form (mail scanners
  open links), and only posting that form spends the link and signs in.
- Every POST checks the CSRF token before it reads or writes anything else.
- Every page here is one person's own: ``Cache-Control: private, no-store``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, TypeVar

from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

from paperboy.api.deps import services
from paperboy.core.errors import InvalidParameter, NotFound
from paperboy.core.profile import create_api_token, rename, revoke_api_token
from paperboy.core.signin import (
    AccountSuspended,
    BadLink,
    confirm_login,
    link_state,
    request_login,
)
from paperboy.models.community import MAX_DISPLAY_NAME, MAX_EMAIL, User
from paperboy.web.prefs_form import account_subscription
from paperboy.web.session import (
    CSRF_FIELD,
    check_csrf,
    client_ip,
    csrf_token,
    end_session,
    require_user,
    start_session,
    visitor,
)

log = logging.getLogger(__name__)
router = APIRouter(include_in_schema=False)
api_router = APIRouter(tags=["Paperboy extensions"])
PRIVATE = {"Cache-Control": "private, no-store"}
T = TypeVar("T")


def _now() -> datetime:
    return datetime.now(UTC)


def safe_next(value: str | None) -> str:
    """Where to go after signing in: a path on this site only ("/x", never "//host",
    "/\\host", a scheme or a line break), else the front page."""
    path = (value or "").strip()
    if (
        not path.startswith("/")
        or path.startswith("//")
        or "\\" in path
        or any(c in path for c in "\r\n\t")
        or len(path) > 2000
    ):
        return "/"
    return path


def page(request: Request, template: str, code: int = 200, **context: Any) -> Response:
    """A private page with a CSRF token for its forms (setting the anonymous CSRF cookie
    when the visitor has none yet)."""
    token = csrf_token(request)
    env = request.app.state.jinja
    body = env.get_template(template).render(
        csrf=token, csrf_field=CSRF_FIELD, params={}, nav=None, feed_url=None, **context
    )
    response = HTMLResponse(body, status_code=code, headers=PRIVATE)
    csrf_token(request, response)
    return response


def _link_problem(request: Request, state: str) -> Response:
    """The clear page for a link that cannot be used; nothing is spent to show it."""
    problem = BadLink(state)
    status = 410 if problem.state in ("used", "expired") else 400
    return page(request, "login_link_error.html", status, state=problem.state, message=str(problem))


async def _form(request: Request) -> FormData:
    return await request.form(max_files=0, max_fields=20)


def _text(form: FormData, name: str) -> str:
    value = form.get(name)
    return value if isinstance(value, str) else ""


async def _checked_form(request: Request) -> FormData:
    """The posted form, once its CSRF token is ours (403 otherwise, before anything else)."""
    form = await _form(request)
    await run_in_threadpool(check_csrf, request, _text(form, CSRF_FIELD) or None)
    return form


async def _blocking(fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Store queries and mail off the event loop."""
    return await run_in_threadpool(fn, *args, **kwargs)


# --- signing in -------------------------------------------------------------------------


@router.get("/login")
async def login_form(request: Request, next: str = "/") -> Response:
    me = await _blocking(lambda: visitor(request).user)
    return page(request, "login.html", target=safe_next(next), me=me, email="", error=None)


@router.post("/login")
async def login_submit(request: Request) -> Response:
    form = await _checked_form(request)
    email = _text(form, "email")[: MAX_EMAIL + 10]
    target = safe_next(_text(form, "next"))
    svc = services(request)
    try:
        await _blocking(
            lambda: request_login(
                svc.store, svc.settings, email, client_ip(request), _now(), next_path=target
            )
        )
    except InvalidParameter as exc:
        return page(request, "login.html", 422, target=target, me=None, email=email, error=str(exc))
    # The same page for every address, known or not, and over the rate limit too.
    return page(request, "login_sent.html")


@router.get("/login/confirm")
async def confirm_form(request: Request, token: str = "", next: str = "/") -> Response:
    """Shows the one form that signs in; reads the link's state and spends nothing."""
    state = await _blocking(link_state, services(request).store, token[:200], _now())
    if state != "valid":
        return _link_problem(request, state)
    return page(
        request, "login_confirm.html", token=token, target=safe_next(next), error=None,
        display_name="", max_name=MAX_DISPLAY_NAME,
    )  # fmt: skip


@router.post("/login/confirm")
async def confirm_submit(request: Request) -> Response:
    form = await _checked_form(request)
    token = _text(form, "token")[:200]
    name = _text(form, "display_name")
    target = safe_next(_text(form, "next"))
    store = services(request).store
    try:
        user = await _blocking(confirm_login, store, token, name, _now())
    except BadLink as exc:
        return _link_problem(request, exc.state)
    except AccountSuspended as exc:
        return page(request, "error.html", 403, status=403, message=str(exc))
    except InvalidParameter as exc:  # the display name; the link is not spent
        return page(
            request, "login_confirm.html", 422, token=token, target=target, error=str(exc),
            display_name=name[:200], max_name=MAX_DISPLAY_NAME,
        )  # fmt: skip
    response = RedirectResponse(target, status_code=303, headers=PRIVATE)
    await _blocking(_switch_session, request, response, user)
    return response


def _switch_session(request: Request, response: Response, user: User) -> None:
    """A fresh session for ``user``; any session this browser had before ends."""
    found = visitor(request)
    if found.session_hash:
        services(request).store.users.end_session(found.session_hash)
    start_session(request, response, user)


@router.post("/logout")
async def logout(request: Request) -> Response:
    await _checked_form(request)
    response = RedirectResponse("/", status_code=303, headers=PRIVATE)
    await _blocking(end_session, request, response)
    return response


# --- the account page -------------------------------------------------------------------


def account_page(
    request: Request,
    user: User,
    code: int = 200,
    sub_values: dict[str, Any] | None = None,
    **extra: Any,
) -> Response:
    """The account page; ``sub_values`` refills the subscription form after an error."""
    store = services(request).store
    tokens = store.users.list_api_tokens(user.id)
    context: dict[str, Any] = {"new_token": None, "error": None, "sub_error": None, **extra}
    return page(
        request, "account.html", code, user=user, tokens=tokens,
        max_name=MAX_DISPLAY_NAME, **account_subscription(store, user, sub_values), **context,
    )  # fmt: skip


@router.get("/account")
async def account(request: Request) -> Response:
    user = await _blocking(require_user, request)
    return await _blocking(account_page, request, user)


@router.post("/account/name")
async def account_name(request: Request) -> Response:
    form = await _checked_form(request)
    user = await _blocking(require_user, request)
    try:
        await _blocking(rename, services(request).store, user, _text(form, "display_name"))
    except InvalidParameter as exc:
        return await _blocking(account_page, request, user, 422, error=str(exc))
    return RedirectResponse("/account", status_code=303, headers=PRIVATE)


@router.post("/account/tokens")
async def account_token_create(request: Request) -> Response:
    form = await _checked_form(request)
    user = await _blocking(require_user, request)
    try:
        made, secret = await _blocking(
            create_api_token, services(request).store, user, _text(form, "name")
        )
    except InvalidParameter as exc:
        return await _blocking(account_page, request, user, 422, error=str(exc))
    # The secret is on this response only: the database keeps its hash.
    return await _blocking(
        account_page, request, user, 201, new_token=secret, new_token_name=made.name
    )


@router.post("/account/tokens/{token_id}/revoke")
async def account_token_revoke(request: Request, token_id: int) -> Response:
    await _checked_form(request)
    user = await _blocking(require_user, request)
    if not await _blocking(revoke_api_token, services(request).store, user, token_id):
        raise NotFound(f"no token {token_id} on this account")
    return RedirectResponse("/account", status_code=303, headers=PRIVATE)


# --- JSON: who am I (for scripts with a personal API token) -----------------------------

ME_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "The account behind the session cookie or the bearer token",
        "content": {
            "application/json": {"example": {"id": 1, "name": "Ada"}},
        },
    },
    401: {
        "description": "Signed out: no session, or a bearer token that is unknown, revoked "
        "or whose account is banned",
        "content": {"application/json": {"example": {"error": "sign in first"}}},
    },
}


@api_router.get(
    "/api/paperboy/me",
    summary="The signed-in account",
    description="`{id, name}` of the account behind `Authorization: Bearer TOKEN` (a "
    "personal API token made on /account) or the session cookie.",
    responses=ME_RESPONSES,
)
async def me(request: Request) -> JSONResponse:
    user = await _blocking(require_user, request)
    return JSONResponse({"id": user.id, "name": user.name}, headers=PRIVATE)
