"""Votes, saves, the library and its private feed: thin doors over ``paperboy.core.votes``.

``POST /papers/{id}/vote|unvote|save|unsave`` serve two callers:

- a page's small form (``csrf_token``, ``next``): the answer is a 303 back to ``next``
  when it is a same-site path, else to the paper page, so the buttons work without
  JavaScript;
- a script or ``app.js``: with ``Authorization: Bearer TOKEN`` or ``Accept:
  application/json`` the answer is ``{"id", "voted", "saved", "votes", "saves"}``.

A GET on these paths is 405: a GET never changes state. Votes poke the trending
``Refresher`` on ``app.state``, which recomputes scores a few seconds later in the background.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, TypeVar
from urllib.parse import urlencode, urlsplit

from anyio import to_thread
from fastapi import APIRouter, Query, Request
from starlette.exceptions import HTTPException
from starlette.responses import JSONResponse, RedirectResponse, Response

from paperboy.api.cache import Rendered, here
from paperboy.api.deps import absolute_url, base_url, services
from paperboy.api.feeds import ATOM, atom_feed
from paperboy.api.holes import Live
from paperboy.api.responses import Responses
from paperboy.api.schema import paper_path
from paperboy.core.errors import NotFound
from paperboy.core.votes import ACTIONS, act, feed_owner, library, rotate_feed_secret
from paperboy.web.session import (
    CSRF_FIELD,
    CSRFError,
    SignInRequired,
    check_csrf,
    csrf_token,
    require_user,
    visitor,
)

T = TypeVar("T")
router = APIRouter()
LIBRARY_PAGE = 50
FEED_SIZE = 50
TAG = "Votes and saves"
PRIVATE = {"Cache-Control": "private, no-store"}

STATE_BODY = {
    "type": "object",
    "properties": {
        "id": {"type": "string"},
        "voted": {"type": "boolean"},
        "saved": {"type": "boolean"},
        "votes": {"type": "integer", "description": "Local votes (imported upvotes apart)"},
        "saves": {"type": "integer"},
    },
    "required": ["id", "voted", "saved", "votes", "saves"],
}
_ERROR = {"type": "object", "properties": {"error": {"type": "string"}}, "required": ["error"]}


def _err(text: str) -> dict[str, Any]:
    return {"description": text, "content": {"application/json": {"schema": _ERROR}}}


ACTION_RESPONSES: Responses = {
    200: {
        "description": "The paper's state for this account (JSON callers)",
        "content": {"application/json": {"schema": STATE_BODY}},
    },
    303: {"description": "Form posts: back to `next` (a same-site path) or the paper page"},
    401: _err("JSON callers not signed in (forms are sent to /login instead)"),
    403: _err("A form post without a valid csrf_token"),
    404: _err("No paper with that id"),
}
ACTION_BODY = {
    "requestBody": {
        "required": False,
        "content": {
            "application/x-www-form-urlencoded": {
                "schema": {
                    "type": "object",
                    "properties": {
                        "csrf_token": {"type": "string", "description": "From the page's form"},
                        "next": {"type": "string", "description": "Where a form post returns"},
                    },
                }
            }
        },
    }
}


def wants_json(request: Request) -> bool:
    """Scripts (bearer token) and app.js (Accept: application/json) get JSON, forms a 303."""
    if request.headers.get("authorization", "")[:7].lower() == "bearer ":
        return True
    return "application/json" in request.headers.get("accept", "").lower()


def safe_next(value: object, fallback: str) -> str:
    """``value`` when it is a path on this site, else ``fallback``: never an open redirect."""
    if not isinstance(value, str) or not value or len(value) > 2000:
        return fallback
    if not value.startswith("/") or value.startswith(("//", "/\\")):
        return fallback
    if any(ord(c) < 32 or c == "\\" for c in value):
        return fallback
    parts = urlsplit(value)
    return fallback if parts.scheme or parts.netloc else value


def live(request: Request, ids: tuple[str, ...]) -> Live:
    """What fills a page's holes: counts for everyone, plus a signed-in visitor's own marks
    and CSRF token (their pages are rendered for them alone, never cached)."""
    store = services(request).store
    counts = store.votes.counts(ids) if ids else {}
    user = visitor(request).user
    if user is None:
        return Live(counts, here=here(request))
    voted, saved = store.votes.marks(user.id, ids) if ids else (set(), set())
    return Live(counts, voted, saved, csrf_token(request), here(request))


def _json_error(status: int, message: str) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status, headers=PRIVATE)


async def signed_in_post(
    request: Request, work: Callable[[int], T], back: str, sign_in_hint: str
) -> tuple[T, str | None] | Response:
    """``work(user_id)`` on a thread for a signed-in POST with a valid CSRF token: its result
    and the form's ``next``, or the answer to give instead (a 401/403/404 JSON answer, or
    the sign-in page that comes back to ``back``; without JSON, CSRF and not-found errors
    go to the app's handlers)."""
    form = await request.form()
    token, target = form.get(CSRF_FIELD), form.get("next")
    nxt = target if isinstance(target, str) else None

    def checked() -> T:
        user = require_user(request)
        check_csrf(request, token if isinstance(token, str) else None)
        return work(user.id)

    try:
        return await to_thread.run_sync(checked), nxt
    except SignInRequired:
        if wants_json(request):
            return _json_error(401, sign_in_hint)
        return RedirectResponse(
            "/login?" + urlencode({"next": safe_next(nxt, back)}), status_code=303
        )
    except (CSRFError, NotFound) as exc:
        if wants_json(request):
            return _json_error(403 if isinstance(exc, CSRFError) else 404, str(exc))
        raise


async def _act(request: Request, paper_id: str, action: str) -> Response:
    svc = services(request)
    done = await signed_in_post(
        request,
        lambda user_id: act(svc.store, user_id, paper_id, action),
        paper_path(paper_id),
        "sign in first, or send Authorization: Bearer TOKEN",
    )
    if isinstance(done, Response):
        return done
    found, target = done
    if found.changed:
        refresher = getattr(request.app.state, "trending_refresher", None)
        if refresher is not None:
            refresher.poke()
    if wants_json(request):
        return JSONResponse(found.as_json(), headers=PRIVATE)
    return RedirectResponse(safe_next(target, paper_path(found.id)), status_code=303)


def _action_route(action: str) -> None:
    path = "/papers/{paper_id:path}/" + action

    async def post(request: Request, paper_id: str) -> Response:
        return await _act(request, paper_id, action)

    async def refuse(paper_id: str) -> Response:
        raise HTTPException(405, f"{action}: use POST (a GET never changes anything)",
                            headers={"Allow": "POST"})  # fmt: skip

    post.__name__ = f"{action}_paper"
    router.add_api_route(
        path, post, methods=["POST"], tags=[TAG], summary=f"{action.capitalize()} a paper",
        description=(
            f"`{action}` is idempotent. Signed in by the `pb_session` cookie (form posts carry "
            "`csrf_token`) or by `Authorization: Bearer TOKEN` (a personal API token, no CSRF "
            "token needed). JSON answers when the request has a bearer token or "
            "`Accept: application/json`."
        ),
        responses=ACTION_RESPONSES, openapi_extra=ACTION_BODY,
    )  # fmt: skip
    router.add_api_route(path, refuse, methods=["GET"], include_in_schema=False)


for _action in ACTIONS:
    _action_route(_action)


def _library_page(request: Request, page: int, new_feed: str | None = None) -> Rendered:
    """The signed-in visitor's library (rendered for them alone, never cached)."""
    svc = services(request)
    user = require_user(request)
    found = library(svc.store, user.id, page=page, limit=LIBRARY_PAGE)
    holes = svc.cache.holes()
    body = request.app.state.jinja.get_template("library.html").render(
        holes=holes, found=found, user=user, new_feed=new_feed,
        has_feed=svc.store.feed_tokens.has_feed_token(user.id),
        csrf=csrf_token(request), params={"p": page}, nav="library", feed_url=None,
    )  # fmt: skip
    return Rendered(body.encode(), "text/html; charset=utf-8", counts=holes.ids)


@router.get("/library", include_in_schema=False)
async def library_page(request: Request, p: Annotated[int, Query(ge=0)] = 0) -> Response:
    """One person's page: rendered for them, never cached (anonymous: off to /login)."""
    svc = services(request)

    def work() -> tuple[Rendered, bytes]:
        page = _library_page(request, p)
        return page, svc.cache.fill(request, page)

    page, body = await to_thread.run_sync(work)
    return Response(body, media_type=page.media_type, headers=PRIVATE)


@router.post("/library/feed", include_in_schema=False)
async def rotate_library_feed(request: Request) -> Response:
    """A new secret feed URL (shown once, on the page this answers); the old one stops now."""
    svc = services(request)
    form = await request.form()
    token = form.get(CSRF_FIELD)

    def work() -> tuple[Rendered, bytes]:
        user = require_user(request)
        check_csrf(request, token if isinstance(token, str) else None)
        secret = rotate_feed_secret(svc.store, user.id)
        url = absolute_url(request, f"/feeds/library/{secret}.atom")
        page = _library_page(request, 0, new_feed=url)
        return page, svc.cache.fill(request, page)

    page, body = await to_thread.run_sync(work)
    return Response(body, media_type=page.media_type, headers=PRIVATE)


@router.get(
    "/feeds/library/{secret}.atom",
    tags=["Feeds"],
    summary="A private Atom feed of one account's saved papers",
    description="The URL is the secret (rotated on /library). Never cached for anyone else.",
    response_class=Response,
    responses={404: _err("Unknown or rotated feed secret")},
    include_in_schema=False,
)
async def library_feed(request: Request, secret: str) -> Response:
    svc = services(request)
    base = base_url(request)

    def work() -> bytes:
        user_id = feed_owner(svc.store, secret)
        found = library(svc.store, user_id, limit=FEED_SIZE)
        user = svc.store.users.get_user(user_id)
        return atom_feed(
            title=f"Paperboy library of {user.name if user else 'a reader'}",
            subtitle=f"{found.total} saved papers",
            feed_url=absolute_url(request, f"/feeds/library/{secret}.atom"),
            page_url=base + "/library",
            base_url=base,
            papers=found.papers,
            reasons={p.id: f"Saved {at.date().isoformat()}" for p, at in found.items},
        )

    body = await to_thread.run_sync(work)
    return Response(body, media_type=ATOM, headers=PRIVATE)
