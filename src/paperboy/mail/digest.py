"""A built digest as a mail: both bodies from ``digest.html``/``digest.txt`` and the headers
bulk mail needs (RFC 2369 List-*, RFC 8058 one-click, RFC 3834 Auto-Submitted).

Rendering only: the digest is built elsewhere (``core.digest``) and sent elsewhere (``Mailer``).
Every title, name, abstract and saved-search text is imported or typed by someone else, so
the HTML template prints it autoescaped and the headers never carry it (a subject made from
a title could be a header injection or a phishing line; ours is made of counts and dates).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime

from paperboy.api.schema import authors_short, paper_path
from paperboy.mail.compose import Composer
from paperboy.models.digest import Digest, DigestPaper
from paperboy.models.subscription import WEEKLY, SubscriberLinks

SHORT_ABSTRACT = 320  # characters: two or three lines, enough to decide whether to click
# Gmail clips an HTML body past 102 KB behind "View entire message", and the unsubscribe link
# at the bottom with it. A digest that long (~60 papers) is shortened from its end instead.
HTML_BUDGET = 95_000  # bytes of UTF-8
TEMPLATE = "digest"


@dataclass(frozen=True)
class PaperView:
    """What the templates print for one paper: plain strings, links already absolute."""

    number: int  # 1, 2, … through the whole mail
    title: str
    authors: str
    abstract: str
    reason: str | None
    page: str  # our paper page
    abs_url: str | None  # arXiv only
    pdf_url: str | None
    detail: int = 2  # in the HTML: 2 all, 1 no abstract, 0 title and authors (HTML_BUDGET)


@dataclass(frozen=True)
class SectionView:
    kind: str
    title: str
    papers: tuple[PaperView, ...]


def short_abstract(text: str, limit: int = SHORT_ABSTRACT) -> str:
    """The abstract cut at a word boundary before ``limit`` characters, with an ellipsis."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0] if " " in text[:limit] else text[:limit]
    return cut.rstrip(" ,;:.") + "…"


def list_unsubscribe(links: SubscriberLinks) -> dict[str, str]:
    """The RFC 2369 / RFC 8058 headers of every mail to a subscriber: an https URL that one
    POST unsubscribes, and a mailto."""
    return {
        "List-Unsubscribe": f"<{links.one_click}>, <{links.mailto}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }


def period_label(digest: Digest) -> str:
    """``27 Nov 2026``, or ``20–26 Nov 2026`` for a span of listing days (``until`` is
    exclusive)."""
    first = digest.since.astimezone(UTC).date()
    last = max(first, (digest.until - timedelta(microseconds=1)).astimezone(UTC).date())
    if first == last:
        return _day(first)
    if (first.year, first.month) == (last.year, last.month):
        return f"{first.day}–{_day(last)}"
    if first.year == last.year:
        return f"{first.day} {first:%b}–{_day(last)}"
    return f"{_day(first)}–{_day(last)}"


def _day(d: date) -> str:
    return f"{d.day} {d:%b %Y}"


def sections(composer: Composer, digest: Digest) -> tuple[SectionView, ...]:
    """The sections as mailed: each paper in its first section only (``Digest.paper_ids``
    order, which the delivery log records), and sections left empty by that dropped."""
    seen: set[str] = set()
    out = []
    for section in digest.sections:
        papers = []
        for item in section.papers:
            if item.paper.id not in seen:
                seen.add(item.paper.id)
                papers.append(_paper_view(composer, item, len(seen)))
        if papers:
            out.append(SectionView(section.kind, section.title, tuple(papers)))
    return tuple(out)


def _paper_view(composer: Composer, item: DigestPaper, number: int) -> PaperView:
    paper = item.paper
    return PaperView(
        number=number,
        title=paper.title,
        authors=authors_short(paper.authors),
        abstract=short_abstract(paper.abstract),
        reason=item.reason or None,
        page=composer.url(paper_path(paper.id)),
        abs_url=paper.abs_url,
        pdf_url=paper.pdf_url,
    )


def subject(digest: Digest, count: int) -> str:
    """Counts and dates only: never imported text (see the module's docstring)."""
    weekly = digest.subscriber.prefs.cadence == WEEKLY
    what = "Paperboy weekly digest" if weekly else "Paperboy digest"
    papers = "1 new paper" if count == 1 else f"{count} new papers"
    return f"{what}: {papers}, {period_label(digest)}"


def message_id(composer: Composer, digest: Digest) -> str:
    """One Message-ID per (subscriber, period): a digest resent after an in-doubt delivery
    carries the same id, so clients that already have it can drop the copy."""
    period = "".join(c if c.isalnum() or c == "-" else "_" for c in digest.period)
    return f"<digest.{period}.{digest.subscriber.id}@{composer.domain}>"


def list_id(composer: Composer) -> str:
    return f"Paperboy digest <digest.{composer.domain}>"


def render_digest(
    composer: Composer,
    digest: Digest,
    links: SubscriberLinks,
    now: datetime | None = None,
) -> EmailMessage:
    """The digest mail for ``digest.subscriber``: multipart/alternative (text, then HTML) with
    Message-ID, Date (``now``, default the clock), List-Unsubscribe (the one-click https URL
    and the mailto), List-Unsubscribe-Post, List-Id and Auto-Submitted. Raises ValueError for
    an empty digest: those are not sent."""
    views = sections(composer, digest)
    count = sum(len(s.papers) for s in views)
    if not count:
        raise ValueError(f"digest {digest.period} for subscriber {digest.subscriber.id} is empty")
    when = now or datetime.now(UTC)
    if when.tzinfo is None:
        raise ValueError("now must be an aware datetime (UTC)")
    headers = {
        "Date": format_datetime(when.astimezone(UTC), usegmt=True),
        "Message-ID": message_id(composer, digest),
        "List-Id": list_id(composer),
        **list_unsubscribe(links),
        "Auto-Submitted": "auto-generated",  # RFC 3834: no vacation replies to this
    }
    title = subject(digest, count)
    context = {
        "subject": title,
        "sections": views,
        "count": count,
        "shortened": 0,
        "period": period_label(digest),
        "weekly": digest.subscriber.prefs.cadence == WEEKLY,
        "links": links,
        "email": digest.subscriber.email,
    }
    text = composer.render_text(TEMPLATE, context)
    html = composer.render_html(TEMPLATE, context)
    if len(html.encode()) > HTML_BUDGET:
        html = _shortened(composer, context, views)
    return composer.message(digest.subscriber.email, title, html, text, headers=headers)


def _shortened(composer: Composer, context: dict, views: tuple[SectionView, ...]) -> str:
    """The HTML with the fewest shortening steps that fit HTML_BUDGET, found by bisection
    (size falls as steps rise): first abstracts go, from the last paper up, then reasons and
    link rows. The plain-text body keeps everything."""

    def html_at(steps: int) -> str:
        shorter = shorten(views, steps)
        short = sum(p.detail < 2 for s in shorter for p in s.papers)
        return composer.render_html(TEMPLATE, {**context, "sections": shorter, "shortened": short})

    low, high = 0, 2 * sum(len(s.papers) for s in views)  # too long at low; high is the most
    best = html_at(high)
    if len(best.encode()) > HTML_BUDGET:
        return best  # titles alone are over: send it whole, Gmail clips it
    while high - low > 1:
        mid = (low + high) // 2
        html = html_at(mid)
        if len(html.encode()) <= HTML_BUDGET:
            high, best = mid, html
        else:
            low = mid
    return best


def shorten(views: tuple[SectionView, ...], steps: int) -> tuple[SectionView, ...]:
    """``views`` after ``steps`` shortening steps: step i < n drops the abstract of the
    (i+1)-th paper from the end, step n + i its reason and links too (n papers)."""
    n = sum(len(s.papers) for s in views)

    def detail(p: PaperView) -> int:
        from_end = n - p.number  # 0 for the last paper
        return 2 - (from_end < steps) - (from_end < steps - n)

    return tuple(
        replace(s, papers=tuple(replace(p, detail=detail(p)) for p in s.papers)) for s in views
    )
