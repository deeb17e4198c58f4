"""``/for-you`` and "not interested": thin doors over ``paperboy.core.foryou``.

``GET /for-you`` ranks the newest week for the signed-in reader (anonymous: off to
``/login``), each pick with its reason and a "not interested" form; followed authors (the
account's subscription preferences) get a section of their own; "What drives this page" lists
the signals and resets the "not interested" marks. Every form works without JavaScript:
``POST /papers/{id}/not-interested`` and its undo ``POST /papers/{id}/interested`` answer a
303 back to ``next`` (a same-site path), or JSON for scripts (bearer token or
``Accept: application/json``).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from anyio import to_thread
from fastapi import APIRouter, Request
from starlette.responses import JSONResponse, RedirectResponse, Response

from paperboy.api.cache import Rendered
from paperboy.api.deps import services
from paperboy.core.foryou import for_you, interested_again, not_interested, reset_not_interested
from paperboy.web.community import PRIVATE, safe_next, signed_in_post, wants_json
from paperboy.web.session import (
    csrf_token,
    require_user,
)

router = APIRouter()
PAGE = "/for-you"


def _page(request: Request) -> Rendered:
    svc = services(request)
    user = require_user(request)
    sub = svc.store.subscribers.for_user(user.id)
    found = for_you(svc.store, user.id, datetime.now(UTC), authors=sub.prefs.authors if sub else ())
    holes = svc.cache.holes()
    body = request.app.state.jinja.get_template("foryou.html").render(
        holes=holes, found=found, user=user, csrf=csrf_token(request), nav="foryou",
        subscribed=sub is not None, feed_url=None,
    )  # fmt: skip
    return Rendered(body.encode(), "text/html; charset=utf-8", counts=holes.ids)


@router.get(PAGE, include_in_schema=False)
async def for_you_page(request: Request) -> Response:
    """One reader's page: rendered for them alone, never cached."""
    svc = services(request)

    def work() -> tuple[Rendered, bytes]:
        page = _page(request)
        return page, svc.cache.fill(request, page)

    page, body = await to_thread.run_sync(work)
    return Response(body, media_type=page.media_type, headers=PRIVATE)


async def _mark(request: Request, act: Callable[[int], str], key: str) -> Response:
    done = await signed_in_post(request, act, PAGE, "sign in first")
    if isinstance(done, Response):
        return done
    found, target = done
    if wants_json(request):
        return JSONResponse({"id": found, key: True}, headers=PRIVATE)
    return RedirectResponse(safe_next(target, PAGE), status_code=303)


@router.post("/papers/{paper_id:path}/not-interested", include_in_schema=False)
async def not_interested_post(request: Request, paper_id: str) -> Response:
    """Remembered per account: the paper leaves the picks, and similar papers sink."""
    store = services(request).store
    now = datetime.now(UTC)
    return await _mark(
        request, lambda uid: not_interested(store, uid, paper_id, now), "not_interested"
    )


@router.post("/papers/{paper_id:path}/interested", include_in_schema=False)
async def interested_post(request: Request, paper_id: str) -> Response:
    """Undo one "not interested"."""
    store = services(request).store
    return await _mark(request, lambda uid: interested_again(store, uid, paper_id), "interested")


@router.post(PAGE + "/reset", include_in_schema=False)
async def reset_post(request: Request) -> Response:
    """Forget every "not interested" mark of the account."""
    store = services(request).store
    return await _mark(request, lambda uid: str(reset_not_interested(store, uid)), "reset")
