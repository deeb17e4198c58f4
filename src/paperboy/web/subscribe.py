"""The digest's doors: subscribe, confirm, unsubscribe (a page or RFC 8058 one click),
preferences by signed link, and the subscription on the account page. Thin over
``core.subscriptions``.

- A GET never changes anything: the confirmation and unsubscribe links open pages whose one
  form does it (mail scanners open links).
- Every form POST checks the CSRF token first. The one exception is the one-click POST,
  which mail providers send with no cookie (RFC 8058): the signed token in its URL is what
  authorises it, and it only ever unsubscribes.
- Every page here is one person's own: ``Cache-Control: private, no-store``.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, TypeVar

from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData
from starlette.responses import PlainTextResponse, RedirectResponse, Response

from paperboy.api.deps import services
from paperboy.core.errors import InvalidParameter
from paperboy.core.preferences import parse_preferences, preference_fields, typed_fields
from paperboy.core.subscriber_links import (
    PREFERENCES,
    PREFERENCES_PATH,
    UNSUBSCRIBE,
    UNSUBSCRIBE_PATH,
    BadSubscriberLink,
    manage_token,
)
from paperboy.core.subscriptions import (
    CONFIRM_HOURS,
    BadConfirmLink,
    confirm_state,
    confirm_subscription,
    read_subscriber,
    request_subscription,
    resume,
    save_preferences,
    subscribe_account,
    unsubscribe,
    unsubscribe_account,
)
from paperboy.models.community import MAX_EMAIL, User, normalise_email
from paperboy.models.subscription import Preferences, Subscriber
from paperboy.web.account import PRIVATE, account_page, page
from paperboy.web.prefs_form import form_context
from paperboy.web.session import CSRF_FIELD, check_csrf, client_ip, require_user, visitor

router = APIRouter(include_in_schema=False)
ONE_CLICK_BODY = "List-Unsubscribe=One-Click"
T = TypeVar("T")
MAX_FIELDS = 60  # categories or searches may come as repeated fields


def _now() -> datetime:
    return datetime.now(UTC)


async def _blocking(fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Store queries and mail off the event loop."""
    return await run_in_threadpool(fn, *args, **kwargs)


async def _checked_form(request: Request) -> FormData:
    """The posted form, once its CSRF token is ours (403 otherwise, before anything else)."""
    form = await request.form(max_files=0, max_fields=MAX_FIELDS)
    submitted = form.get(CSRF_FIELD)
    await _blocking(check_csrf, request, submitted if isinstance(submitted, str) else None)
    return form


def _text(form: FormData, name: str, most: int = 300) -> str:
    value = form.get(name)
    return value[:most] if isinstance(value, str) else ""


def _fields(form: FormData) -> dict[str, list[str]]:
    return {k: [v for v in form.getlist(k) if isinstance(v, str)] for k in form.keys()}


def _own_address(user: User | None, email: str) -> bool:
    if user is None:
        return False
    try:
        return normalise_email(email) == user.email
    except ValueError:
        return False


# --- subscribing ------------------------------------------------------------------------


def _subscribe_page(
    request: Request, code: int, email: str, values: dict[str, Any], error: str | None
) -> Response:
    me = visitor(request).user
    mine = services(request).store.subscribers.for_user(me.id) if me else None
    return page(
        request, "subscribe.html", code, me=me, mine=mine is not None and mine.active,
        email=email, error=error, **form_context(values, show_mine=me is not None),
    )  # fmt: skip


@router.get("/subscribe")
async def subscribe_form(request: Request) -> Response:
    me = await _blocking(lambda: visitor(request).user)
    email = me.email if me else ""
    return await _blocking(
        _subscribe_page, request, 200, email, preference_fields(Preferences()), None
    )


@router.post("/subscribe")
async def subscribe_submit(request: Request) -> Response:
    form = await _checked_form(request)
    email = _text(form, "email", MAX_EMAIL + 10)
    fields = _fields(form)
    me = await _blocking(lambda: visitor(request).user)
    svc = services(request)
    try:
        prefs = parse_preferences(fields)
        if me is not None and _own_address(me, email):
            await _blocking(subscribe_account, svc.store, me, prefs, _now())
            return RedirectResponse("/account#subscription", status_code=303, headers=PRIVATE)
        await _blocking(
            request_subscription, svc.store, svc.settings, svc.secret, email, prefs,
            client_ip(request), _now(),
        )  # fmt: skip
    except InvalidParameter as exc:
        return await _blocking(_subscribe_page, request, 422, email, typed_fields(fields), str(exc))
    # The same page for every address, subscribed or not, and over the rate limit too.
    return page(request, "subscribe_sent.html", expires_hours=CONFIRM_HOURS)


def _confirm_problem(request: Request, state: str) -> Response:
    problem = BadConfirmLink(state)
    code = 410 if problem.state in ("used", "expired") else 400
    return page(
        request, "subscription_link_error.html", code, state=problem.state, message=str(problem)
    )


@router.get("/subscribe/confirm")
async def confirm_form(request: Request, token: str = "") -> Response:
    """Shows the one form that confirms; reads the link's state and spends nothing."""
    state = await _blocking(confirm_state, services(request).store, token[:200], _now())
    if state != "valid":
        return _confirm_problem(request, state)
    return page(request, "subscribe_confirm.html", token=token[:200])


def _preferences_path(request: Request, sub: Subscriber) -> str:
    token = manage_token(services(request).secret, sub, PREFERENCES, _now())
    return f"{PREFERENCES_PATH}?token={token}"


@router.post("/subscribe/confirm")
async def confirm_submit(request: Request) -> Response:
    form = await _checked_form(request)
    try:
        sub = await _blocking(
            confirm_subscription, services(request).store, _text(form, "token", 200), _now()
        )
    except BadConfirmLink as exc:
        return _confirm_problem(request, exc.state)
    return page(
        request, "subscribed.html", heading="You are subscribed",
        message=f"The Paperboy digest will come to {sub.email}. Every digest has links to "
        "change your preferences or unsubscribe.",
        preferences=_preferences_path(request, sub),
    )  # fmt: skip


# --- signed links: unsubscribe and preferences -------------------------------------------


def _link_problem(request: Request, exc: BadSubscriberLink) -> Response:
    code = 410 if exc.state == "expired" else 400
    return page(request, "subscription_link_error.html", code, state=exc.state, message=str(exc))


def _token(request: Request, form: FormData | None = None) -> str:
    """The signed token: the form's field, else the URL's ``?token=``."""
    found = _text(form, "token") if form is not None else ""
    return found or request.query_params.get("token", "")[:300]


@router.get("/unsubscribe")
@router.get("/unsubscribe/one-click")
async def unsubscribe_form(request: Request) -> Response:
    """The page whose form unsubscribes; changes nothing. Also for the one-click URL, which
    clients that know only RFC 2369 open in a browser (RFC 8058 providers POST to it)."""
    token = _token(request)
    try:
        sub = await _blocking(
            read_subscriber, services(request).store, services(request).secret, token,
            UNSUBSCRIBE, _now(),
        )  # fmt: skip
    except BadSubscriberLink as exc:
        return _link_problem(request, exc)
    return page(request, "unsubscribe.html", sub=sub, token=token)


@router.post("/unsubscribe")
async def unsubscribe_submit(request: Request) -> Response:
    form = await _checked_form(request)
    svc = services(request)
    try:
        sub = await _blocking(unsubscribe, svc.store, svc.secret, _token(request, form), _now())
    except BadSubscriberLink as exc:
        return _link_problem(request, exc)
    return page(
        request, "subscribed.html", heading="You are unsubscribed",
        message=f"{sub.email} gets no more digests. Changed your mind? Your preferences are "
        "kept: subscribe again from the link below.",
        preferences=_preferences_path(request, sub),
    )  # fmt: skip


@router.post("/unsubscribe/one-click")
async def unsubscribe_one_click(request: Request) -> Response:
    """RFC 8058: the mail provider POSTs ``List-Unsubscribe=One-Click`` to the URL in the
    ``List-Unsubscribe`` header; no cookie, no CSRF token, no page: a short text answer."""
    form = await request.form(max_files=0, max_fields=5)
    if form.get("List-Unsubscribe") != "One-Click":
        return PlainTextResponse(
            f"expected a POST body of {ONE_CLICK_BODY}", status_code=400, headers=PRIVATE
        )
    svc = services(request)
    try:
        await _blocking(unsubscribe, svc.store, svc.secret, _token(request), _now())
    except BadSubscriberLink as exc:
        return PlainTextResponse(str(exc), status_code=400, headers=PRIVATE)
    return PlainTextResponse("unsubscribed", headers=PRIVATE)


def _preferences_page(
    request: Request,
    sub: Subscriber,
    token: str,
    code: int = 200,
    values: dict[str, Any] | None = None,
    **extra: Any,
) -> Response:
    stop = manage_token(services(request).secret, sub, UNSUBSCRIBE, _now())
    context: dict[str, Any] = {"saved": False, "error": None, **extra}
    return page(
        request, "subscription.html", code, sub=sub, token=token,
        unsubscribe=f"{UNSUBSCRIBE_PATH}?token={stop}",
        **form_context(values or preference_fields(sub.prefs), show_mine=sub.user_id is not None),
        **context,
    )  # fmt: skip


@router.get("/subscription")
async def preferences_form(request: Request) -> Response:
    token = _token(request)
    svc = services(request)
    try:
        sub = await _blocking(read_subscriber, svc.store, svc.secret, token, PREFERENCES, _now())
    except BadSubscriberLink as exc:
        return _link_problem(request, exc)
    return _preferences_page(request, sub, token)


@router.post("/subscription")
async def preferences_submit(request: Request) -> Response:
    form = await _checked_form(request)
    token = _token(request, form)
    svc = services(request)
    fields = _fields(form)
    try:
        sub = await _blocking(read_subscriber, svc.store, svc.secret, token, PREFERENCES, _now())
    except BadSubscriberLink as exc:
        return _link_problem(request, exc)
    if _text(form, "action") == "resume":
        sub = await _blocking(resume, svc.store, svc.secret, token, _now())
        return _preferences_page(request, sub, token, saved=True)
    try:
        prefs = parse_preferences(fields)
        sub = await _blocking(save_preferences, svc.store, svc.secret, token, prefs, _now())
    except InvalidParameter as exc:
        return _preferences_page(request, sub, token, 422, typed_fields(fields), error=str(exc))
    return _preferences_page(request, sub, token, saved=True)


# --- the account page's subscription -------------------------------------------------------


@router.post("/account/subscription")
async def account_subscribe(request: Request) -> Response:
    """Subscribe the account's own address (confirmed at once) or save its preferences."""
    form = await _checked_form(request)
    user = await _blocking(require_user, request)
    fields = _fields(form)
    try:
        prefs = parse_preferences(fields)
        await _blocking(subscribe_account, services(request).store, user, prefs, _now())
    except InvalidParameter as exc:
        return await _blocking(
            account_page, request, user, 422, sub_error=str(exc), sub_values=typed_fields(fields)
        )
    return RedirectResponse("/account#subscription", status_code=303, headers=PRIVATE)


@router.post("/account/subscription/stop")
async def account_unsubscribe(request: Request) -> Response:
    await _checked_form(request)
    user = await _blocking(require_user, request)
    await _blocking(unsubscribe_account, services(request).store, user, _now())
    return RedirectResponse("/account#subscription", status_code=303, headers=PRIVATE)
