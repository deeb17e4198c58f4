"""Security headers on every response, as a plain ASGI middleware (cheap per request).

Pages carry no inline script and no inline style, so the policy can forbid both. KaTeX and
our own scripts load from 'self'. The one exception is FastAPI's ``/docs`` page, whose
single inline bootstrap script is allowed by its SHA-256 hash (computed at start-up from
the exact HTML served); Swagger UI itself is vendored under static/swagger/ (Apache-2.0).

The JSON API and the feeds are public, read-only data, so GET and HEAD there answer
``Access-Control-Allow-Origin: *`` (never with credentials) for browser tools; pages do not.
HSTS is sent only when the public URL is https, since a plain-http instance would lock
browsers out of itself.
"""

from __future__ import annotations

import base64
import hashlib
import re

from starlette.types import ASGIApp, Message, Receive, Scope, Send

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)
PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), interest-cohort=()"
HSTS = "max-age=31536000"
CORS_PREFIXES = ("/api/", "/feeds/")
_SCRIPT = re.compile(r"<script>(.*?)</script>", re.DOTALL)


def script_hashes(html: str) -> list[str]:
    """CSP source expressions for each inline ``<script>`` in ``html``."""
    out = []
    for body in _SCRIPT.findall(html):
        digest = base64.b64encode(hashlib.sha256(body.encode()).digest()).decode()
        out.append(f"'sha256-{digest}'")
    return out


def docs_csp(html: str) -> str:
    hashes = " ".join(script_hashes(html))
    return (
        f"default-src 'self'; script-src 'self' {hashes}; "
        "style-src 'self'; img-src 'self' data:; "
        "object-src 'none'; base-uri 'none'; frame-ancestors 'none'"
    )


class SecurityHeaders:
    def __init__(
        self, app: ASGIApp, *, overrides: dict[str, str] | None = None, hsts: bool = False
    ) -> None:
        self.app = app
        self.overrides = overrides or {}  # path → CSP for that path
        self.base = [
            (b"x-content-type-options", b"nosniff"),
            (b"referrer-policy", b"strict-origin-when-cross-origin"),
            (b"x-frame-options", b"DENY"),
            (b"cross-origin-opener-policy", b"same-origin"),
            (b"permissions-policy", PERMISSIONS_POLICY.encode()),
        ]
        if hsts:
            self.base.append((b"strict-transport-security", HSTS.encode()))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        csp = self.overrides.get(scope["path"], CSP).encode()
        extra = list(self.base)
        if scope["method"] in ("GET", "HEAD") and scope["path"].startswith(CORS_PREFIXES):
            extra.append((b"access-control-allow-origin", b"*"))

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [
                    (k, v)
                    for k, v in message.get("headers", [])
                    if k.lower() != b"content-security-policy"
                ]
                headers += [*extra, (b"content-security-policy", csp)]
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)
