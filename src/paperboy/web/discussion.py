"""Submit by arXiv id, and comments: thin doors over ``core.submit`` and ``core.discussion``.

Every change is a POST with ``csrf_token`` from a signed-in account; forms work without
JavaScript and answer with a redirect (303) to the page that shows the result. Bad input
re-renders the form with the message and what was typed, so nothing is lost.
"""

from __future__ import annotations

from anyio import to_thread
from fastapi import APIRouter, Request
from starlette.exceptions import HTTPException
from starlette.responses import HTMLResponse, RedirectResponse, Response

from paperboy.api.deps import services
from paperboy.api.schema import paper_path
from paperboy.core.discussion import (
    NotAllowed,
    TooMany,
    add_comment,
    delete_comment,
    edit_comment,
    hide_comment,
)
from paperboy.core.errors import InvalidParameter, NotFound
from paperboy.core.papers import find_paper_or_raise
from paperboy.core.submit import UpstreamDown, submit_paper
from paperboy.models.discussion import MAX_COMMENT
from paperboy.web.pages import paper_context
from paperboy.web.session import check_csrf, csrf_token, require_user

router = APIRouter(include_in_schema=False)
PRIVATE = {"Cache-Control": "private, no-store"}


def _status(exc: Exception) -> int:
    if isinstance(exc, TooMany):
        return 429
    if isinstance(exc, NotFound):
        return 404
    if isinstance(exc, UpstreamDown):
        return 503
    return 422


async def _fields(request: Request) -> dict[str, str]:
    form = await request.form()
    return {k: v for k, v in form.items() if isinstance(v, str)}


def _page(request: Request, template: str, status: int = 200, **context: object) -> Response:
    """A form page for a signed-in account (its CSRF token is bound to the session)."""
    base: dict[str, object] = {"params": {}, "nav": None, "feed_url": None}
    base["csrf"] = csrf_token(request)
    body = request.app.state.jinja.get_template(template).render(
        {**base, "max_comment": MAX_COMMENT, **context}
    )
    return HTMLResponse(body, status_code=status, headers=PRIVATE)


def _comment_id(raw: str) -> int:
    if not raw.isdigit() or len(raw) > 18:
        raise HTTPException(404, f"no comment {raw[:40]!r}")
    return int(raw)


# --- submit ----------------------------------------------------------------------------


@router.get("/submit")
async def submit_form(request: Request) -> Response:
    require_user(request)
    return _page(request, "submit.html", value="", message=None)


@router.post("/submit")
async def submit(request: Request) -> Response:
    user = require_user(request)
    fields = await _fields(request)
    check_csrf(request, fields.get("csrf_token"))
    svc = services(request)
    text = fields.get("id", "")
    try:
        done = await to_thread.run_sync(lambda: submit_paper(svc.store, svc.settings, user, text))
    except (InvalidParameter, NotFound, UpstreamDown) as exc:
        return _page(request, "submit.html", _status(exc), value=text[:500], message=str(exc))
    return RedirectResponse(paper_path(done.paper.id), status_code=303)


# --- comments --------------------------------------------------------------------------


@router.get("/papers/{paper_id:path}/comments")
async def comments_by_get(paper_id: str) -> Response:
    """Only POST posts a comment; without this route the paper page would swallow the GET."""
    raise HTTPException(405, "Method Not Allowed", headers={"Allow": "POST"})


@router.post("/papers/{paper_id:path}/comments")
async def post_comment(request: Request, paper_id: str) -> Response:
    user = require_user(request)
    fields = await _fields(request)
    check_csrf(request, fields.get("csrf_token"))
    store = services(request).store
    raw_parent = fields.get("parent_id", "").strip()
    body = fields.get("body", "")
    try:
        if raw_parent and not raw_parent.isdigit():
            raise InvalidParameter(f"parent_id: expected a comment number, got {raw_parent[:20]!r}")
        parent = int(raw_parent[:18]) if raw_parent else None
        made = await to_thread.run_sync(lambda: add_comment(store, user, paper_id, body, parent))
    except NotFound:
        raise
    except InvalidParameter as exc:
        paper = find_paper_or_raise(store, paper_id)
        context = paper_context(request, paper, draft=body[: MAX_COMMENT * 2], error=str(exc))
        return _page(request, "paper.html", _status(exc), **context)
    return RedirectResponse(f"{paper_path(made.paper_id)}#c{made.id}", status_code=303)


def _forbidden(exc: NotAllowed) -> HTTPException:
    return HTTPException(403, str(exc))


@router.post("/comments/{comment_id}/edit")
async def edit(request: Request, comment_id: str) -> Response:
    user = require_user(request)
    fields = await _fields(request)
    check_csrf(request, fields.get("csrf_token"))
    store = services(request).store
    body = fields.get("body", "")
    try:
        done = edit_comment(store, user, _comment_id(comment_id), body)
    except NotAllowed as exc:
        raise _forbidden(exc) from None
    except NotFound:
        raise
    except InvalidParameter as exc:
        return _page(
            request, "comment_edit.html", 422, comment_id=comment_id,
            value=body[: MAX_COMMENT * 2], message=str(exc),
        )  # fmt: skip
    return RedirectResponse(f"{paper_path(done.paper_id)}#c{done.id}", status_code=303)


@router.post("/comments/{comment_id}/delete")
async def delete(request: Request, comment_id: str) -> Response:
    user = require_user(request)
    fields = await _fields(request)
    check_csrf(request, fields.get("csrf_token"))
    try:
        done = delete_comment(services(request).store, user, _comment_id(comment_id))
    except NotAllowed as exc:
        raise _forbidden(exc) from None
    return RedirectResponse(f"{paper_path(done.paper_id)}#comments", status_code=303)


async def _moderate(request: Request, comment_id: str, hidden: bool) -> Response:
    user = require_user(request)
    fields = await _fields(request)
    check_csrf(request, fields.get("csrf_token"))
    try:
        done = hide_comment(services(request).store, user, _comment_id(comment_id), hidden)
    except NotAllowed as exc:
        raise _forbidden(exc) from None
    return RedirectResponse(f"{paper_path(done.paper_id)}#c{done.id}", status_code=303)


@router.post("/comments/{comment_id}/hide")
async def hide(request: Request, comment_id: str) -> Response:
    return await _moderate(request, comment_id, True)


@router.post("/comments/{comment_id}/unhide")
async def unhide(request: Request, comment_id: str) -> Response:
    return await _moderate(request, comment_id, False)
