"""Who is asking, and whether a state change really comes from our own form.

- Sessions are server-side: the ``pb_session`` cookie holds a random token, the database its
  SHA-256 (``store.users``). The cookie is HttpOnly and SameSite=Lax, and Secure when
  ``PAPERBOY_PUBLIC_URL`` is https. A forged, expired or ended session reads as signed out.
- Every state change is a POST carrying ``csrf_token``: an HMAC of the session (or, for
  visitors not signed in, of a random ``pb_csrf`` cookie) under the instance key. Scripts
  use ``Authorization: Bearer`` with a personal API token instead, which needs no CSRF token
  because browsers never send it by themselves.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from starlette.requests import Request
from starlette.responses import Response

from paperboy.api.deps import services
from paperboy.core.accounts import SESSION_TTL, new_token, same, sign, token_hash
from paperboy.core.errors import InvalidParameter
from paperboy.models.community import User

SESSION_COOKIE = "pb_session"
CSRF_COOKIE = "pb_csrf"
CSRF_FIELD = "csrf_token"


class CSRFError(InvalidParameter):
    """A state change without a valid token from our own form (HTTP 403)."""


class SignInRequired(Exception):
    """The route needs an account: pages redirect to /login, JSON answers 401."""


@dataclass
class Visitor:
    user: User | None
    session_hash: str | None  # sha256 of the session cookie, when signed in
    via_token: bool = False  # authenticated by a bearer API token

    @property
    def signed_in(self) -> bool:
        return self.user is not None


def _now() -> datetime:
    return datetime.now(UTC)


def secure_cookies(request: Request) -> bool:
    public = services(request).settings.public_url or ""
    return public.startswith("https://") or request.url.scheme == "https"


def visitor(request: Request) -> Visitor:
    """The account behind this request (cookie session or bearer token), once per request."""
    found = getattr(request.state, "visitor", None)
    if found is not None:
        return found
    store = services(request).store
    auth = request.headers.get("authorization", "")
    if auth[:7].lower() == "bearer ":
        user = store.users.api_token_user(token_hash(auth[7:].strip()))
        found = Visitor(user, None, via_token=user is not None)
    else:
        raw = request.cookies.get(SESSION_COOKIE)
        digest = token_hash(raw) if raw else None
        user = store.users.session_user(digest, _now()) if digest else None
        found = Visitor(user, digest if user else None)
    request.state.visitor = found
    return found


def require_user(request: Request) -> User:
    user = visitor(request).user
    if user is None:
        raise SignInRequired
    return user


def start_session(request: Request, response: Response, user: User) -> None:
    """Sign ``user`` in on this browser: a new server-side session and its cookie."""
    token = new_token()
    store = services(request).store
    store.users.create_session(user.id, token_hash(token), _now() + SESSION_TTL)
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=int(SESSION_TTL.total_seconds()),
        httponly=True,
        samesite="lax",
        secure=secure_cookies(request),
        path="/",
    )


def end_session(request: Request, response: Response) -> None:
    found = visitor(request)
    if found.session_hash:
        services(request).store.users.end_session(found.session_hash)
    response.delete_cookie(SESSION_COOKIE, path="/")


def _secret(request: Request) -> bytes:
    return services(request).secret


def csrf_token(request: Request, response: Response | None = None) -> str:
    """The token a form on this page must post back. For visitors without a session it is
    bound to a random ``pb_csrf`` cookie, set on ``response`` when missing."""
    found = visitor(request)
    if found.session_hash:
        return sign(_secret(request), "csrf", found.session_hash)
    anon = request.cookies.get(CSRF_COOKIE) or getattr(request.state, "csrf_cookie", None)
    if not anon:
        anon = new_token()
        request.state.csrf_cookie = anon
    if response is not None and request.cookies.get(CSRF_COOKIE) != anon:
        response.set_cookie(
            CSRF_COOKIE, anon, httponly=True, samesite="lax",
            secure=secure_cookies(request), path="/",
        )  # fmt: skip
    return sign(_secret(request), "csrf-anon", anon)


def check_csrf(request: Request, submitted: str | None) -> None:
    """Refuse a state change whose token is missing or not ours (bearer requests pass)."""
    found = visitor(request)
    if found.via_token:
        return
    if found.session_hash:
        expected = sign(_secret(request), "csrf", found.session_hash)
    else:
        anon = request.cookies.get(CSRF_COOKIE)
        if not anon:
            raise CSRFError("csrf_token: this form has expired; reload the page and try again")
        expected = sign(_secret(request), "csrf-anon", anon)
    if not submitted or not same(submitted, expected):
        raise CSRFError("csrf_token: this form has expired; reload the page and try again")


def client_ip(request: Request) -> str:
    """The address rate limits count by (uvicorn's proxy_headers resolves X-Forwarded-For
    from trusted proxies)."""
    return request.client.host if request.client else "unknown"
