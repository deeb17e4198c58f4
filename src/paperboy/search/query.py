"""Parse what people type into a search box: words, "phrases", arXiv ids and URLs, filters.

``cat:cs.CL author:"Yann LeCun" after:2025-01-01 before:2025-06-30 "world models" planning``
becomes filters plus a text query; ids and URLs anywhere in the text are pulled out so the
papers they name can be put first.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import date

from paperboy.models.arxiv_id import find_arxiv_ids
from paperboy.models.query import Filters, TextQuery

# Words that carry no topic; dropped so "papers on the alignment of LLMs" neither requires
# "the" and "on" nor spends time matching them. Phrases keep them.
STOPWORDS = frozenset(
    """a an and are as at be but by for from has have how in into is it its of on or that
    the their this to was were what when which who why with about via using paper papers
    does do can""".split()
)

MAX_CATEGORIES = 20  # each adds predicates; hundreds made SQLite refuse the expression
MAX_AUTHORS = 5
CATEGORY = re.compile(r"^[A-Za-z-]+(\.[A-Za-z-]+)?$")  # cs.CL, hep-th, cond-mat.stat-mech, cs
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")

_FILTER = re.compile(r'(?<!\S)(cat|category|author|after|before|since|until):("([^"]*)"|\S+)', re.I)
_PHRASE = re.compile(r'"([^"]+)"')
_WORD = re.compile(r"\w+", re.UNICODE)
_ARXIV_TOKEN = re.compile(
    r"(?:arxiv:\s*|(?:https?://)?(?:www\.|export\.)?arxiv\.org/(?:abs|pdf|html)/)?"
    r"(?:\d{4}\.\d{4,5}|[a-z][a-z\-]+(?:\.[A-Za-z\-]{2,})?/\d{7})(?:v\d+)?(?:\.pdf)?/?",
    re.I,
)


class QueryError(ValueError):
    """A filter the user wrote cannot be read (bad date); the message names it."""


@dataclass(frozen=True)
class ParsedQuery:
    raw: str
    text: str  # the free text with filters and ids removed (what the model embeds)
    terms: tuple[str, ...] = ()
    phrases: tuple[str, ...] = ()
    ids: tuple[str, ...] = ()  # canonical arXiv ids named in the query, in order
    filters: Filters = field(default_factory=Filters)

    def text_query(self, mode: str = "and") -> TextQuery:
        """The words to match, without stopwords unless the query is nothing but them."""
        kept = tuple(t for t in self.terms if t.lower() not in STOPWORDS)
        terms = kept if (kept or self.phrases) else self.terms
        return TextQuery(terms=terms, phrases=self.phrases, mode=mode)

    @property
    def title_candidate(self) -> str | None:
        """Text that may be a whole paper title (a single quoted phrase, or the free text)."""
        if len(self.phrases) == 1 and not self.terms:
            return self.phrases[0]
        return self.text or None


def clean_query(text: str) -> str:
    """``text`` with control characters (NUL, escapes) turned into spaces.

    They are never meaningful in a search, and a NUL ends SQLite's reading of the FTS
    expression early, which turned a harmless query into a database error.
    """
    return _CONTROL.sub(" ", text)


def check_filters(filters: Filters) -> Filters:
    """``filters`` if they are within bounds, else QueryError naming what is wrong."""
    if len(filters.categories) > MAX_CATEGORIES:
        raise QueryError(
            f"category: at most {MAX_CATEGORIES} categories, got {len(filters.categories)}"
        )
    for cat in filters.categories:
        if not CATEGORY.match(cat):
            raise QueryError(f"category: expected a name such as cs.CL or hep-th, got {cat[:40]!r}")
    if len(filters.authors) > MAX_AUTHORS:
        raise QueryError(f"author: at most {MAX_AUTHORS} authors, got {len(filters.authors)}")
    return filters


def _date(name: str, value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        pass
    if re.fullmatch(r"\d{4}-\d{2}", value):
        return date.fromisoformat(value + "-01")
    if re.fullmatch(r"\d{4}", value):
        return date(int(value), 1, 1) if name == "after" else date(int(value), 12, 31)
    raise QueryError(f"{name}:{value}: expected a date such as 2025-01-31")


def parse_query(raw: str) -> ParsedQuery:
    """Split ``raw`` into filters, ids, phrases and words.

    Raises QueryError only for a filter that cannot be used (a bad date or category, too
    many categories or authors); any other odd text is just words.
    """
    cats: list[str] = []
    authors: list[str] = []
    after = before = None

    def take_filter(m: re.Match[str]) -> str:
        nonlocal after, before
        key = m.group(1).lower()
        value = m.group(3) if m.group(3) is not None else m.group(2)
        value = value.strip()
        if not value:
            return " "
        if key in ("cat", "category"):
            cats.extend(v for v in value.split(",") if v)
        elif key == "author":
            authors.append(value)
        elif key in ("after", "since"):
            after = _date("after", value)
        else:
            before = _date("before", value)
        return " "

    raw = clean_query(raw or "")
    text = _FILTER.sub(take_filter, raw)
    ids = [str(a.id) for a in find_arxiv_ids(text)]
    if ids:
        text = _ARXIV_TOKEN.sub(lambda m: " " if find_arxiv_ids(m.group(0)) else m.group(0), text)
    phrases = tuple(p.strip() for p in _PHRASE.findall(text) if _WORD.search(p))
    rest = _PHRASE.sub(" ", text)
    terms = tuple(_WORD.findall(rest))
    free = " ".join(text.replace('"', " ").split())
    filters = Filters(
        categories=tuple(dict.fromkeys(cats)),
        authors=tuple(dict.fromkeys(authors)),
        after=after,
        before=before,
    )
    check_filters(filters)
    return ParsedQuery(
        raw=raw, text=free, terms=terms, phrases=phrases, ids=tuple(ids), filters=filters
    )


def merge_filters(a: Filters, b: Filters) -> Filters:
    """Both sets of filters at once (categories: any of either; authors: all of both).

    Each set may be within bounds and the two together not, so the result is checked too.
    """
    after = max((d for d in (a.after, b.after) if d), default=None)
    before = min((d for d in (a.before, b.before) if d), default=None)
    merged = replace(
        a,
        categories=tuple(dict.fromkeys(a.categories + b.categories)),
        authors=tuple(dict.fromkeys(a.authors + b.authors)),
        after=after,
        before=before,
        namespace=a.namespace or b.namespace,
    )
    return check_filters(merged)
