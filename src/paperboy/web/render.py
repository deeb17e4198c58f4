"""The Jinja2 environment, its filters, and the rules that keep untrusted text inert.

Every title, abstract and name comes from upstream and is untrusted. Templates never mark
such text safe: autoescape turns ``<img onerror=…>`` into text. Math is left as escaped
text in the HTML and typeset in the browser by KaTeX's auto-render, which walks text nodes
only and runs with ``trust: false``, so ``\\href``, ``\\htmlId`` and friends render as
errors instead of markup (see ``static/math.js``). Pages carry no inline script at all,
which lets the Content-Security-Policy forbid it outright and lets cached HTML be reused.
"""

from __future__ import annotations

import re
from datetime import date
from importlib import resources
from urllib.parse import urlencode, urlsplit

from jinja2 import Environment, FileSystemLoader, select_autoescape

from paperboy.api.schema import authors_short, paper_path, web_links
from paperboy.web.viewer import viewer  # the header: "Sign in", or the person's name

# $…$, $$…$$, \(…\) or \[…\]: decides whether a page needs the KaTeX assets at all.
_MATH = re.compile(r"\$[^$\s][^$]*\$|\\\(.+?\\\)|\\\[.+?\\\]", re.DOTALL)


def has_math(*texts: str | None) -> bool:
    return any(t and _MATH.search(t) for t in texts)


def nice_date(day: date | None) -> str:
    return day.strftime("%-d %b %Y") if day else ""


def link_label(url: str) -> str:
    """``github.com/org/repo`` for a code link: short, and shows where it goes."""
    parts = urlsplit(url)
    path = parts.path.strip("/")
    return parts.netloc.removeprefix("www.") + ("/" + path if path else "")


def with_params(params: dict, **changes: object) -> str:
    """``?a=1&b=2``: the current page's parameters with some changed (None drops one)."""
    merged = {**params, **changes}
    clean = {k: v for k, v in merged.items() if v not in (None, "", 0) or k == "p" and v}
    return "?" + urlencode(clean) if clean else "?"


def make_env() -> Environment:
    folder = resources.files("paperboy.web") / "templates"
    env = Environment(
        loader=FileSystemLoader(str(folder)),
        autoescape=select_autoescape(["html", "xml"], default=True),
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=False,
    )
    env.filters.update(
        paper_url=paper_path,
        authors_short=authors_short,
        nice_date=nice_date,
        link_label=link_label,
        web_links=web_links,
    )
    env.globals.update(has_math=has_math, with_params=with_params, viewer=viewer)
    return env
