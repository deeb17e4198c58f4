"""Comments on papers: who may write what, how often, and how a body becomes safe HTML.

Bodies are Markdown with math. markdown-it-py (CommonMark) renders them with raw HTML
turned off, so typed tags show as text; ``$…$`` and ``$$…$$`` are parsed by the dollarmath
plugin and put back as escaped text, untouched by emphasis rules, for the page's KaTeX
auto-render (``static/math.js``, ``trust: false``). nh3 then keeps only a few tags, and links
only to http, https and mailto with ``rel="nofollow noopener noreferrer ugc"``: the
sanitizer, not our own code, decides what HTML survives.

Replies are one level deep: a reply to a reply attaches to its top-level comment.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import lru_cache

import nh3
from markdown_it import MarkdownIt
from mdit_py_plugins.dollarmath import dollarmath_plugin

from paperboy.core.errors import InvalidParameter, NotFound
from paperboy.core.papers import find_paper_or_raise
from paperboy.models.community import User
from paperboy.models.discussion import MAX_COMMENT, Comment
from paperboy.store import Store

RATE_LIMIT = 5  # comments per account ...
RATE_WINDOW = 600  # ... every this many seconds
TAGS = {"p", "em", "strong", "code", "pre", "blockquote", "ul", "ol", "li", "a", "br"}
LINK_REL = "nofollow noopener noreferrer ugc"


class NotAllowed(PermissionError):
    """Somebody else's comment, or an admin's action (HTTP 403 on the web)."""


class TooMany(InvalidParameter):
    """A rate limit or a daily cap was reached (HTTP 429 on the web)."""


@dataclass
class ShownComment:
    """A comment as a page shows it: ``html`` is sanitised; ``state`` says why it has none."""

    comment: Comment
    html: str
    state: str  # shown | deleted | hidden
    replies: list[ShownComment] = field(default_factory=list)


def _math_as_text(content: str, options: dict) -> str:
    delimiter = "$$" if options.get("display_mode") else "$"
    return html.escape(f"{delimiter}{content}{delimiter}", quote=False)


@lru_cache(maxsize=1)
def _markdown() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False})
    md.disable("image")  # no images: ![alt](url) stays text
    return md.use(dollarmath_plugin, renderer=_math_as_text)


@lru_cache(maxsize=1)
def _cleaner() -> nh3.Cleaner:
    return nh3.Cleaner(
        tags=TAGS,
        attributes={"a": {"href"}},
        url_schemes={"http", "https", "mailto"},
        url_relative="deny",
        link_rel=LINK_REL,
        strip_comments=True,
    )


def render_markdown(body: str) -> str:
    """Sanitised HTML of a comment body (safe to insert into a page as is)."""
    return _cleaner().clean(_markdown().render(body))


def check_body(text: str | None) -> str:
    """The body to store, or InvalidParameter naming what is wrong."""
    body = (text or "").replace("\x00", "").replace("\r\n", "\n").strip()
    if not body:
        raise InvalidParameter("body: write something first")
    if len(body) > MAX_COMMENT:
        raise InvalidParameter(f"body: at most {MAX_COMMENT:,} characters, got {len(body):,}")
    return body


def _now(now: datetime | None) -> datetime:
    return now or datetime.now(UTC)


def add_comment(
    store: Store,
    user: User,
    paper_id: str,
    text: str | None,
    parent_id: int | None = None,
    *,
    now: datetime | None = None,
) -> Comment:
    """Post a comment (or a reply) as ``user``, within the rate limit."""
    paper = find_paper_or_raise(store, paper_id)
    body = check_body(text)
    if parent_id is not None:
        parent = store.comments.get(parent_id)
        if parent is None or parent.paper_id != paper.id:
            raise InvalidParameter(f"parent_id: no comment {parent_id} on this paper")
        if not parent.visible:
            raise InvalidParameter("parent_id: that comment was deleted or hidden")
        parent_id = parent.parent_id or parent.id  # one level deep
    moment = _now(now)
    if store.limits.hit(f"comment:{user.id}", RATE_WINDOW, moment) > RATE_LIMIT:
        raise TooMany(
            f"comments: at most {RATE_LIMIT} every {RATE_WINDOW // 60} minutes; "
            "try again in a few minutes"
        )
    return store.comments.add(paper.id, user.id, body, parent_id, moment)


def _own(store: Store, user: User, comment_id: int) -> Comment:
    comment = store.comments.get(comment_id)
    if comment is None:
        raise NotFound(f"no comment {comment_id}")
    if comment.user_id != user.id:
        raise NotAllowed("only its author can change this comment")
    if comment.deleted_at is not None:
        raise InvalidParameter("this comment was deleted")
    return comment


def edit_comment(
    store: Store, user: User, comment_id: int, text: str | None, *, now: datetime | None = None
) -> Comment:
    comment = _own(store, user, comment_id)
    body = check_body(text)
    store.comments.edit(comment.id, user.id, body, _now(now))
    return comment


def delete_comment(
    store: Store, user: User, comment_id: int, *, now: datetime | None = None
) -> Comment:
    comment = _own(store, user, comment_id)
    store.comments.delete(comment.id, user.id, _now(now))
    return comment


def hide_comment(
    store: Store, user: User, comment_id: int, hidden: bool, *, now: datetime | None = None
) -> Comment:
    """Hide (or show again) a comment: admins only."""
    if not user.is_admin:
        raise NotAllowed("only admins can hide comments")
    comment = store.comments.get(comment_id)
    if comment is None:
        raise NotFound(f"no comment {comment_id}")
    store.comments.set_hidden(comment.id, hidden, _now(now))
    return comment


def thread(store: Store, paper_id: str, viewer: User | None = None) -> list[ShownComment]:
    """A paper's discussion as shown to ``viewer``: bodies rendered and sanitised.

    Deleted and hidden comments keep their place while they have replies to show, as
    "deleted" or "hidden"; admins still read hidden bodies (to unhide them).
    """
    admin = viewer is not None and viewer.is_admin
    shown: list[ShownComment] = []
    tops: dict[int, ShownComment] = {}
    for c in store.comments.thread(paper_id):
        state = "deleted" if c.deleted_at else "hidden" if c.hidden_at else "shown"
        body = render_markdown(c.body) if state == "shown" or (state == "hidden" and admin) else ""
        item = ShownComment(c, body, state)
        if c.parent_id is None:
            tops[c.id] = item
            shown.append(item)
        elif c.parent_id in tops:
            tops[c.parent_id].replies.append(item)

    def keep(item: ShownComment) -> bool:
        return item.state == "shown" or (admin and item.state == "hidden")

    out = []
    for top in shown:
        top.replies = [r for r in top.replies if keep(r)]
        if keep(top) or top.replies:
            out.append(top)
    return out
