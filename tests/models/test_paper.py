"""The Paper model: field limits, code links, and the merge rules every importer relies on."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date

import pytest

from paperboy.models.paper import (
    DERIVED,
    IMPORTED,
    MAX_ABSTRACT,
    MAX_AUTHOR,
    MAX_AUTHORS,
    MAX_CATEGORIES,
    MAX_DOI,
    MAX_ID,
    MAX_LINKS,
    MAX_SHORT,
    MAX_TITLE,
    TRUNCATED,
    Paper,
    PaperError,
    find_code_links,
    merge,
    normalize,
)


def paper(**kw) -> Paper:
    base = dict(id="2401.01234", title="A title", abstract="An abstract.", version=1)
    return Paper(**{**base, **kw})


# --- normalize: limits -----------------------------------------------------------------


def test_normalize_collapses_whitespace() -> None:
    p = normalize(paper(title="  Deep\n\tlearning\r\n  for\u00a0all ", authors=[" Ada  Lovelace "]))
    assert p.title == "Deep learning for all"
    assert p.authors == ["Ada Lovelace"]


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"title": "Deep\x00learning"}, "title: a control character (U+0000) at character 5"),
        ({"title": "\ud800"}, "title: a lone surrogate (U+D800) at character 1"),
        ({"abstract": "ok \udfff"}, "abstract: a lone surrogate (U+DFFF)"),
        ({"authors": ["Ada\x1b[2J"]}, "authors: a control character (U+001B)"),
        ({"comment": "bell\x07"}, "comment: a control character (U+0007)"),
        ({"title": "C1\x85control"}, "title: a control character (U+0085)"),
        ({"id": "2401.0\x001234"}, "id: a control character (U+0000)"),
        ({"id": "a\tb", "namespace": "local"}, "id: a control character (U+0009)"),
        ({"id": "\ud83d", "namespace": "local"}, "id: a lone surrogate (U+D83D)"),
        ({"namespace": "lo\ncal"}, "namespace: a control character (U+000A)"),
    ],
)
def test_normalize_rejects_control_characters_and_lone_surrogates(fields, message) -> None:
    """Issue 7 M3: such text cannot be stored (surrogates) or shown safely (controls)."""
    with pytest.raises(PaperError, match=re.escape(message)):
        normalize(paper(**fields))


def test_paired_surrogates_and_ordinary_unicode_pass() -> None:
    p = normalize(paper(title="Émoji 😀 in ∑ titles", id="x/ü", namespace="local"))
    assert p.title == "Émoji 😀 in ∑ titles" and p.id == "x/ü"


def test_normalize_rejects_missing_title_and_id() -> None:
    with pytest.raises(PaperError, match="title: missing"):
        normalize(paper(title="   "))
    with pytest.raises(PaperError, match="id: missing"):
        normalize(paper(id=""))
    with pytest.raises(PaperError, match="id: missing or over"):
        normalize(paper(id="x" * (MAX_ID + 1)))


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("title", "t" * (MAX_TITLE + 1), "title: 1001 characters is over the limit of 1000"),
        ("doi", "10." + "1" * MAX_DOI, "doi:"),
        ("authors", ["A"] * (MAX_AUTHORS + 1), "authors: 10001 items"),
        ("authors", ["a" * (MAX_AUTHOR + 1)], "authors: 1001 characters"),
        ("categories", [f"c{i}" for i in range(MAX_CATEGORIES + 1)], "categories: 51 items"),
        ("title", 42, "title: expected text, got int"),
        ("authors", {"name": "x"}, "authors: expected a list, got dict"),
        ("upvotes", -1, "upvotes: expected a count"),
    ],
)
def test_normalize_rejects_over_limit_fields(field: str, value: object, message: str) -> None:
    with pytest.raises(PaperError, match=message):
        normalize(paper(**{field: value}))


def test_normalize_truncates_long_prose_with_a_marker() -> None:
    p = normalize(paper(abstract="word " * 10_000, comment="c " * 5_000, journal_ref="j " * 5_000))
    assert len(p.abstract) <= MAX_ABSTRACT and p.abstract.endswith(TRUNCATED)
    assert len(p.comment) <= MAX_SHORT and p.comment.endswith(TRUNCATED)
    assert len(p.journal_ref) <= MAX_SHORT and p.journal_ref.endswith(TRUNCATED)


def test_normalize_keeps_text_at_the_limit_untouched() -> None:
    title = "t" * MAX_TITLE
    assert normalize(paper(title=title)).title == title
    abstract = "a" * MAX_ABSTRACT
    assert normalize(paper(abstract=abstract)).abstract == abstract


def test_normalize_dedupes_lists_in_order_and_keeps_html_verbatim() -> None:
    p = normalize(
        paper(
            title="<script>alert(1)</script> & <b>bold</b>",
            authors=["B", "A", "B", "", None],
            categories="cs.CL",
        )
    )
    assert p.title == "<script>alert(1)</script> & <b>bold</b>"
    assert p.authors == ["B", "A"]
    assert p.categories == ["cs.CL"]
    assert p.primary_category == "cs.CL"


def test_normalize_returns_a_new_paper() -> None:
    original = paper(title=" spaced ")
    assert normalize(original).title == "spaced"
    assert original.title == " spaced "


# --- code links ------------------------------------------------------------------------


def test_code_links_from_abstract_and_comment() -> None:
    abstract = (
        "Code: https://github.com/org/repo. Weights at https://huggingface.co/org/model, and "
        "mirror (https://gitlab.com/grp/proj)."
    )
    comment = "Project page: https://example.org/proj/ ; see https://arxiv.org/abs/2401.00001"
    assert find_code_links(abstract, comment) == [
        "https://github.com/org/repo",
        "https://huggingface.co/org/model",
        "https://gitlab.com/grp/proj",
        "https://example.org/proj",
    ]


def test_code_links_github_pages_and_no_links_without_hint() -> None:
    assert find_code_links("Demo at https://someone.github.io/paper-site") == [
        "https://someone.github.io/paper-site"
    ]
    # a plain reference URL with no code/project wording is not a code link
    assert find_code_links("We compare with https://example.org/benchmark results") == []
    assert find_code_links(None, "", "no links here") == []


def test_code_links_dedupe_ignoring_case_and_trailing_slash_and_cap() -> None:
    text = "code https://github.com/A/b and https://GITHUB.com/a/B/ " + " ".join(
        f"https://github.com/o/r{i}" for i in range(2 * MAX_LINKS)
    )
    links = find_code_links(text)
    assert links[0] == "https://github.com/A/b"
    assert len(links) == MAX_LINKS


def test_normalize_merges_given_and_found_links() -> None:
    p = normalize(
        paper(abstract="See https://github.com/x/y.", code_links=["https://github.com/x/y/"])
    )
    assert p.code_links == ["https://github.com/x/y"]  # one spelling, found copy not added
    p = normalize(paper(comment="code: https://gitlab.com/a/b", code_links=["https://a.org/c"]))
    assert p.code_links == ["https://a.org/c", "https://gitlab.com/a/b"]


# --- merge -----------------------------------------------------------------------------


def test_newer_version_wins_but_first_dates_stay() -> None:
    v1 = paper(
        version=1,
        title="Old",
        published=date(2024, 1, 2),
        updated=date(2024, 1, 2),
        listing_date=date(2024, 1, 3),
        code_links=["https://github.com/a/old"],
    )
    v2 = paper(
        version=2,
        title="New",
        published=date(2024, 1, 2),
        updated=date(2024, 3, 1),
        listing_date=date(2024, 3, 2),
        code_links=["https://github.com/a/new"],
    )
    m = merge(v1, v2)
    assert (m.title, m.version, m.updated) == ("New", 2, date(2024, 3, 1))
    assert m.listing_date == date(2024, 1, 3)  # the first listing stays
    assert m.published == date(2024, 1, 2)
    assert m.code_links == ["https://github.com/a/old", "https://github.com/a/new"]


def test_older_version_is_ignored_except_upvotes() -> None:
    v2 = paper(version=2, title="New", upvotes=3, upvote_sources=["hf"])
    v1 = paper(version=1, title="Old", abstract="old abstract", upvotes=10, upvote_sources=["x"])
    m = merge(v2, v1)
    assert (m.title, m.abstract, m.version) == ("New", "An abstract.", 2)
    assert m.upvotes == 10
    assert m.upvote_sources == ["hf", "x"]
    assert merge(v2, replace(v1, upvotes=None)) == v2


def test_missing_fields_do_not_erase_stored_ones() -> None:
    stored = paper(comment="12 pages", doi="10.1/x", authors=["A"], upvotes=5)
    m = merge(stored, paper(comment=None, doi=None, authors=[], upvotes=None))
    assert (m.comment, m.doi, m.authors, m.upvotes) == ("12 pages", "10.1/x", ["A"], 5)


def test_merge_is_idempotent_and_duplicates_merge_to_the_same_paper() -> None:
    a = paper(version=1, listing_date=date(2024, 1, 3), upvotes=1, upvote_sources=["hf"])
    b = paper(version=2, title="Revised", listing_date=date(2024, 2, 1))
    once = merge(a, b)
    assert merge(once, b) == once
    assert merge(once, a) == merge(merge(once, a), a)
    assert merge(a, a) == a
    assert merge(once, b).content_hash() == once.content_hash()


def test_content_hash_ignores_bookkeeping_and_sees_every_content_field() -> None:
    from datetime import UTC, datetime

    p = paper(listing_date=date(2024, 1, 3))
    assert p.content_hash() == replace(p, first_seen=datetime.now(UTC)).content_hash()
    changed = [
        replace(p, title="Other"),
        replace(p, abstract="Other."),
        replace(p, authors=["X"]),
        replace(p, categories=["cs.CL"]),
        replace(p, version=2),
        replace(p, listing_date=date(2024, 1, 4)),
        replace(p, upvotes=1),
        replace(p, namespace="local"),
        replace(p, comment="x"),
    ]
    assert len({p.content_hash(), *(c.content_hash() for c in changed)}) == len(changed) + 1


def test_non_arxiv_papers_have_no_arxiv_urls() -> None:
    local = paper(id="2401.01234", namespace="local", version=None)
    assert local.abs_url is None and local.pdf_url is None
    assert paper(version=2).abs_url == "https://arxiv.org/abs/2401.01234v2"


def test_versionless_records_fall_back_to_update_dates() -> None:
    from datetime import date

    from paperboy.models.paper import Paper, merge

    newer = Paper(id="2401.00001", title="New title", updated=date(2024, 3, 1))
    stale = Paper(id="2401.00001", title="Old title", updated=date(2024, 1, 1))
    assert merge(newer, stale).title == "New title"
    assert merge(stale, newer).title == "New title"
    assert merge(merge(newer, stale), stale) == merge(newer, stale)


def test_listing_basis_in_the_content_hash() -> None:
    bare = Paper(id="2401.00001", title="T")
    day = date(2024, 1, 2)
    announced = Paper(id="2401.00001", title="T", listing_date=day)
    derived = Paper(id="2401.00001", title="T", listing_date=day, listing_basis=DERIVED)
    imported = Paper(id="2401.00001", title="T", listing_date=day, listing_basis=IMPORTED)
    # An import day is bookkeeping: a record seen again without a day is unchanged.
    assert imported.content_hash() == bare.content_hash()
    # A derived day differs from the same day announced, so the real one gets written.
    assert len({bare.content_hash(), announced.content_hash(), derived.content_hash()}) == 3


def test_unknown_listing_basis_is_rejected() -> None:
    with pytest.raises(PaperError, match="listing_basis"):
        normalize(Paper(id="2401.00001", title="T", listing_basis="guessed"))
