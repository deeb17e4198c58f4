"""The Paper record every layer speaks, with its field limits.

Limits exist so that one hostile or broken record cannot bloat the database or the pages:
a field over its limit is rejected (titles, ids) or truncated with a marker (abstracts,
comments), and the importer reports which.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import asdict, dataclass, field, fields, replace
from datetime import date, datetime

from paperboy.models.announce import listing_day_for_date
from paperboy.models.arxiv_id import ArxivId

ARXIV = "arxiv"

# Documented in README ("Field limits").
MAX_ID = 200
MAX_TITLE = 1_000
MAX_ABSTRACT = 20_000
MAX_AUTHORS = 10_000  # large collaborations list thousands
MAX_AUTHOR = 1_000  # broken upstream records glue many names into one
MAX_CATEGORIES = 50
MAX_CATEGORY = 200  # arXiv's free-text classes (ACM, MSC) land here too
MAX_SHORT = 2_000  # comment, journal ref
MAX_DOI = 200
MAX_LINKS = 20
TRUNCATED = " […]"

# How a listing day was found, best first (``None``: the source announced it).
DERIVED = "derived"  # from arXiv's schedule or an OAI datestamp (models/announce.py)
IMPORTED = "imported"  # the day the store first saw the paper
_BASIS_RANK = {None: 0, DERIVED: 1, IMPORTED: 2}

_CODE_LINK = re.compile(
    r"https?://(?:www\.)?(?:github\.com|gitlab\.com|huggingface\.co|[\w.-]+\.github\.io)"
    r"/[^\s<>\"'(){}\[\],;]*[^\s<>\"'(){}\[\],;.:!?]",
    re.IGNORECASE,
)
_ANY_URL = re.compile(r"https?://[^\s<>\"'(){}\[\],;]*[^\s<>\"'(){}\[\],;.:!?]", re.IGNORECASE)
_PROJECT_HINT = re.compile(r"(project|code|page|website|available|github|demo|repo)", re.IGNORECASE)
# Control characters (C0 but tab, newline and carriage return; DEL; C1) and lone surrogates.
# Surrogates cannot be stored as UTF-8 (SQLite raised mid-batch and lost the whole batch);
# controls in a title or id are never real text and can rewrite a terminal.
_BAD_CHAR = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
_BAD_ID_CHAR = re.compile(r"[\x00-\x1f\x7f-\x9f\ud800-\udfff]")


class PaperError(ValueError):
    """A record that cannot become a Paper; the message names the field."""


@dataclass(slots=True)
class Paper:
    """One paper. ``id`` is canonical (no version); non-arXiv ids are kept as given."""

    id: str
    title: str
    abstract: str = ""
    authors: list[str] = field(default_factory=list)
    categories: list[str] = field(default_factory=list)
    namespace: str = ARXIV
    version: int | None = None
    published: date | None = None  # first version
    updated: date | None = None  # latest version
    listing_date: date | None = None  # the day it was announced
    listing_basis: str | None = None  # None: announced by the source; else DERIVED or IMPORTED
    comment: str | None = None
    journal_ref: str | None = None
    doi: str | None = None
    code_links: list[str] = field(default_factory=list)
    upvotes: int | None = None  # external count, e.g. from Hugging Face
    upvote_sources: list[str] = field(default_factory=list)
    first_seen: datetime | None = None  # set by the store
    last_seen: datetime | None = None  # set by the store on every change

    @property
    def is_arxiv(self) -> bool:
        return self.namespace == ARXIV

    @property
    def abs_url(self) -> str | None:
        return ArxivId(self.id, self.version).abs_url if self.is_arxiv else None

    @property
    def pdf_url(self) -> str | None:
        return ArxivId(self.id, self.version).pdf_url if self.is_arxiv else None

    @property
    def primary_category(self) -> str | None:
        return self.categories[0] if self.categories else None

    def content_hash(self) -> str:
        """Digest of everything an import can change; equal hashes mean a no-op re-import.

        The repr of a tuple of the content fields is exact (strings are quoted and escaped,
        lists and dates have one spelling) and several times cheaper than a sorted JSON dump,
        which matters because a re-import hashes every record it reads.
        """
        values = tuple(getattr(self, name) for name in _CONTENT_FIELDS)
        if self.listing_basis == IMPORTED:
            # The import day is bookkeeping, like first_seen: a re-import without a listing
            # day stays a no-op. Records without a basis hash as they did before it existed.
            values = values[:_LISTING_AT] + (None,) + values[_LISTING_AT + 1 :]
        elif self.listing_basis is not None:
            values += (self.listing_basis,)
        blob = repr(values)
        return hashlib.blake2b(blob.encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()

    def to_dict(self) -> dict:
        d = asdict(self)
        for k, v in d.items():
            if isinstance(v, date | datetime):
                d[k] = v.isoformat()
        return d


_BOOKKEEPING = {"first_seen", "last_seen"}
_CONTENT_FIELDS = tuple(
    f.name for f in fields(Paper) if f.name not in _BOOKKEEPING and f.name != "listing_basis"
)
_LISTING_AT = _CONTENT_FIELDS.index("listing_date")


def bad_char(text: str, *, in_id: bool = False) -> str | None:
    """A description of the first control character or lone surrogate in ``text``, or None.

    Ids allow no control character at all; prose allows tab, newline and carriage return.
    """
    m = (_BAD_ID_CHAR if in_id else _BAD_CHAR).search(text)
    if m is None:
        return None
    ch = m.group(0)
    kind = "a lone surrogate" if "\ud800" <= ch <= "\udfff" else "a control character"
    return f"{kind} (U+{ord(ch):04X}) at character {m.start() + 1}"


def printable(text: str) -> str:
    """``text`` with control characters and lone surrogates shown as escapes, for messages."""
    return _BAD_ID_CHAR.sub(lambda m: ascii(m.group(0))[1:-1], text)


def clean_text(value: object, name: str, limit: int, *, truncate: bool) -> str:
    """Collapse whitespace; reject control characters, lone surrogates and text over
    ``limit`` characters, or truncate it where ``truncate`` says so."""
    if value is None:
        return ""
    if not isinstance(value, str):
        raise PaperError(f"{name}: expected text, got {type(value).__name__}")
    if problem := bad_char(value):
        raise PaperError(f"{name}: {problem}")
    # str.split() and the regex \s agree on what whitespace is; split/join is ~5x faster.
    text = " ".join(value.split())
    if len(text) > limit:
        if not truncate:
            raise PaperError(f"{name}: {len(text)} characters is over the limit of {limit}")
        text = text[: limit - len(TRUNCATED)].rstrip() + TRUNCATED
    return text


def clean_list(values: object, name: str, limit: int, item_limit: int) -> list[str]:
    if values is None:
        return []
    if isinstance(values, str):
        values = [values]
    if not isinstance(values, list | tuple):
        raise PaperError(f"{name}: expected a list, got {type(values).__name__}")
    if len(values) > limit:
        raise PaperError(f"{name}: {len(values)} items is over the limit of {limit}")
    out: dict[str, None] = {}  # ordered and de-duplicated in linear time
    for v in values:
        text = clean_text(v, name, item_limit, truncate=False)
        if text:
            out[text] = None
    return list(out)


def find_code_links(*texts: str | None) -> list[str]:
    """Code and project links in an abstract or comment (GitHub, GitLab, HF, project pages)."""
    links: list[str] = []
    for text in texts:
        if not text or "://" not in text:  # both patterns need a scheme; most texts have none
            continue
        for m in _CODE_LINK.finditer(text):
            _add_link(links, m.group(0))
        for m in _ANY_URL.finditer(text):
            url = m.group(0)
            context = text[max(0, m.start() - 40) : m.start()]
            if "arxiv.org" not in url.lower() and _PROJECT_HINT.search(context + url):
                _add_link(links, url)
    return links[:MAX_LINKS]


def _add_link(links: list[str], url: str) -> None:
    url = url.rstrip("/")
    if url.lower() not in (x.lower() for x in links):
        links.append(url)


def normalize(paper: Paper) -> Paper:
    """Enforce field limits and derive code links; raise PaperError naming the bad field."""
    if not paper.id or len(paper.id) > MAX_ID:
        raise PaperError(f"id: missing or over {MAX_ID} characters")
    for name, value in (("id", paper.id), ("namespace", paper.namespace)):
        if not isinstance(value, str):
            raise PaperError(f"{name}: expected text, got {type(value).__name__}")
        if problem := bad_char(value, in_id=True):
            raise PaperError(f"{name}: {problem}")
    title = clean_text(paper.title, "title", MAX_TITLE, truncate=False)
    if not title:
        raise PaperError("title: missing")
    abstract = clean_text(paper.abstract, "abstract", MAX_ABSTRACT, truncate=True)
    comment = clean_text(paper.comment, "comment", MAX_SHORT, truncate=True) or None
    journal_ref = clean_text(paper.journal_ref, "journal_ref", MAX_SHORT, truncate=True) or None
    doi = clean_text(paper.doi, "doi", MAX_DOI, truncate=False) or None
    if paper.listing_basis not in _BASIS_RANK:
        raise PaperError(f"listing_basis: expected one of {DERIVED!r}, {IMPORTED!r} or none")
    if paper.upvotes is not None and (not isinstance(paper.upvotes, int) or paper.upvotes < 0):
        raise PaperError(f"upvotes: expected a count, got {paper.upvotes!r}")
    links: list[str] = []
    given = clean_list(paper.code_links, "code_links", MAX_LINKS * 5, MAX_SHORT)
    for link in [*given, *find_code_links(abstract, comment)]:  # one spelling per link
        _add_link(links, link)
    return replace(
        paper,
        title=title,
        abstract=abstract,
        authors=clean_list(paper.authors, "authors", MAX_AUTHORS, MAX_AUTHOR),
        categories=clean_list(paper.categories, "categories", MAX_CATEGORIES, MAX_CATEGORY),
        comment=comment,
        journal_ref=journal_ref,
        doi=doi,
        code_links=links[:MAX_LINKS],
        upvote_sources=clean_list(paper.upvote_sources, "upvote_sources", 20, 50),
        listing_basis=paper.listing_basis if paper.listing_date else None,
    )


def is_older(incoming: Paper, stored: Paper) -> bool:
    """Whether ``incoming`` describes an older version than ``stored``.

    Version numbers decide when both sides have one; formats without them (OAI-PMH ``arXiv``,
    listings) fall back to the last-update date, so a stale file cannot overwrite newer text.
    """
    if stored.version and incoming.version:
        return incoming.version < stored.version
    if stored.updated and incoming.updated:
        return incoming.updated < stored.updated
    return False


def merge(stored: Paper, incoming: Paper) -> Paper:
    """The paper after seeing ``incoming``: newer versions win, older ones are ignored.

    Merging is deterministic and idempotent, so importing the same data twice, or a file
    with duplicates, ends in the same state as importing it once.
    """
    if is_older(incoming, stored):
        # An older version: keep our content, only take community signals and the listing
        # day (a listing file names v1's day whatever version we hold).
        return _merge_signals(_merge_listing(stored, incoming), incoming)
    merged = replace(stored)
    for f in fields(Paper):
        if f.name in _BOOKKEEPING or f.name in _NOT_PLAIN:
            continue
        value = getattr(incoming, f.name)
        if value in (None, "", []):
            continue
        if f.name == "published" and stored.published:
            value = min(value, stored.published)  # the first appearance stays first
        elif f.name == "updated" and stored.updated:
            value = max(value, stored.updated)
        elif f.name == "version" and stored.version:
            value = max(value, stored.version)
        elif f.name == "code_links":
            value = list(dict.fromkeys([*stored.code_links, *value]))[:MAX_LINKS]
        setattr(merged, f.name, value)
    return _merge_signals(_merge_listing(merged, incoming), incoming)


_NOT_PLAIN = {"upvotes", "upvote_sources", "listing_date", "listing_basis"}


def _merge_listing(paper: Paper, incoming: Paper) -> Paper:
    """The better-founded listing day wins (announced, then derived, then imported); between
    equals the first appearance stays first. So a derived day never hides the real one that
    a listing file brings later, whichever came first."""
    if incoming.listing_date is None:
        return paper
    if paper.listing_date is not None:
        ours, theirs = _BASIS_RANK[paper.listing_basis], _BASIS_RANK[incoming.listing_basis]
        if ours < theirs or (ours == theirs and paper.listing_date <= incoming.listing_date):
            return paper
    return replace(paper, listing_date=incoming.listing_date, listing_basis=incoming.listing_basis)


def settle_listing_day(paper: Paper, import_day: date) -> Paper:
    """``paper`` with a listing day even if no source gave one.

    Its first-version date stands in when known (through arXiv's schedule for arXiv papers,
    as if submitted at noon); failing that, ``import_day``, the day the store first saw it.
    """
    if paper.listing_date is not None:
        return paper
    if paper.published is not None:
        day = listing_day_for_date(paper.published) if paper.is_arxiv else paper.published
        return replace(paper, listing_date=day, listing_basis=DERIVED)
    return replace(paper, listing_date=import_day, listing_basis=IMPORTED)


def _merge_signals(paper: Paper, incoming: Paper) -> Paper:
    if incoming.upvotes is None:
        return paper
    sources = list(dict.fromkeys([*paper.upvote_sources, *incoming.upvote_sources]))
    return replace(paper, upvotes=incoming.upvotes, upvote_sources=sources)
