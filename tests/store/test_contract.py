"""The store contract: every backend answers these the same way.

Runs once per backend (``store`` in conftest.py is parametrised), so a second backend plugs
in as a parameter and must pass the very same tests.
"""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime

import numpy as np
import pytest

from paperboy.models.paper import Paper
from paperboy.models.query import Filters, TextQuery
from paperboy.store import Store

from .contract import TERMS, all_vectors, paper, recount, write_term_history

# corpus-7 below comes with no listing day: the store lists it on its publication day.
# Papers with neither are listed on the day the store first sees them.
TODAY = datetime.now(UTC).date()


def test_upsert_counts_and_idempotence(store: Store) -> None:
    c = store.papers.upsert_papers([paper("2401.00001"), paper("2401.00002")])
    assert (c.added, c.updated, c.unchanged) == (2, 0, 0)
    assert sorted(c.changed_ids) == ["2401.00001", "2401.00002"]
    c = store.papers.upsert_papers([paper("2401.00001"), paper("2401.00002")])
    assert (c.added, c.updated, c.unchanged, c.changed_ids) == (0, 0, 2, [])
    c = store.papers.upsert_papers([paper("2401.00001", version=2, title="Revised")])
    assert (c.added, c.updated, c.unchanged) == (0, 1, 0)
    c = store.papers.upsert_papers([paper("2401.00001", version=1, title="Stale")])
    assert (c.added, c.updated, c.unchanged) == (0, 0, 1)
    assert store.papers.get_paper("2401.00001").title == "Revised"


def test_round_trip_keeps_every_field(store: Store) -> None:
    p = paper(
        "2401.00001",
        authors=["Zoë Ångström", "B"],
        categories=["cs.CL", "cs.AI"],
        published=date(2024, 1, 1),
        updated=date(2024, 1, 5),
        comment="12 pages",
        journal_ref="J. Foo 1",
        doi="10.1/x",
        code_links=["https://github.com/a/b"],
        upvotes=7,
        upvote_sources=["hf"],
    )
    store.papers.upsert_papers([p])
    got = store.papers.get_paper("2401.00001")
    assert got.first_seen is not None and got.last_seen is not None
    got.first_seen = got.last_seen = None
    assert got == p
    assert store.papers.get_paper("2401.99999") is None


def test_search_quotes_user_syntax(store: Store) -> None:
    store.papers.upsert_papers([paper("2401.00001", title='Say "NEAR" AND OR NOT*')])
    assert [h.id for h in store.papers.lexical_search(TextQuery(terms=("NEAR", "NOT*")))] == [
        "2401.00001"
    ]


def test_two_of_the_words_scores_as_any_of_them(store: Store) -> None:
    """Mode "two" finds the papers with at least two of the words, with the OR query's BM25
    scores, so the two tiers fuse and merge on one scale."""
    store.papers.upsert_papers(
        [
            paper("2401.00001", title="Graph neural networks", abstract="On graphs."),
            paper("2401.00002", title="Graph chemistry", abstract="Molecules as graphs."),
            paper("2401.00003", title="Chemistry", abstract="Chemistry and more chemistry."),
            paper("2401.00004", title="Neural chemistry on graphs", abstract="All three."),
        ]
    )
    words = ("graph", "neural", "chemistry")
    two = store.papers.lexical_search(TextQuery(terms=words, mode="two"))
    any_ = {h.id: h.score for h in store.papers.lexical_search(TextQuery(terms=words, mode="or"))}
    assert {h.id for h in two} == {"2401.00001", "2401.00002", "2401.00004"}
    assert set(any_) == {h.id for h in two} | {"2401.00003"}
    exactly_two = [h for h in two if h.id != "2401.00004"]
    assert all(h.score == pytest.approx(any_[h.id]) for h in exactly_two)
    assert all(h.score >= any_[h.id] - 1e-9 for h in two)
    # Two words: "two" is "and".
    pair = store.papers.lexical_search(TextQuery(terms=words[:2], mode="two"))
    assert {h.id for h in pair} == {"2401.00001", "2401.00004"}


@pytest.fixture
def seeded(store: Store) -> Store:
    store.papers.upsert_papers(
        [
            paper("2401.00001", categories=["cs.CL"], authors=["Ada Lovelace"],
                  listing_date=date(2024, 1, 2), upvotes=5),
            paper("2401.00002", categories=["cs.LG", "stat.ML"], authors=["Alan Turing"],
                  listing_date=date(2024, 1, 3), upvotes=9),
            paper("2401.00003", categories=["math.CO"], authors=["Ada Lovelace", "Alan Turing"],
                  listing_date=date(2024, 1, 4)),
            paper("2401.00004", categories=["cs.CLX"], authors=["100%_Real"],
                  listing_date=date(2024, 1, 4)),
            paper("corpus-7", namespace="local", version=None, categories=["cs.CL"],
                  authors=["Grace Hopper"], listing_date=None, published=date(2023, 12, 31)),
        ]
    )  # fmt: skip
    return store


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        (Filters(categories=("cs.CL",)), {"2401.00001", "corpus-7"}),
        (Filters(categories=("cs",)), {"2401.00001", "2401.00002", "2401.00004", "corpus-7"}),
        (Filters(categories=("stat.ML", "math")), {"2401.00002", "2401.00003"}),
        (Filters(authors=("ada",)), {"2401.00001", "2401.00003"}),
        (Filters(authors=("ada", "turing")), {"2401.00003"}),
        (Filters(authors=("100%_",)), {"2401.00004"}),
        (Filters(authors=("%",)), {"2401.00004"}),
        (Filters(after=date(2024, 1, 3)), {"2401.00002", "2401.00003", "2401.00004"}),
        (Filters(before=date(2024, 1, 2)), {"2401.00001", "corpus-7"}),
        (Filters(after=date(2024, 1, 3), before=date(2024, 1, 3)), {"2401.00002"}),
        (Filters(namespace="local"), {"corpus-7"}),
        (Filters(namespace="arxiv", categories=("cs.CL",)), {"2401.00001"}),
    ],
)
def test_filters(seeded: Store, filters: Filters, expected: set[str]) -> None:
    assert {p.id for p in seeded.papers.list_papers(filters, limit=100)} == expected
    assert seeded.papers.count_papers(filters) == len(expected)
    all_ids = [p.id for p in seeded.papers.list_papers(limit=100)]
    assert seeded.papers.filter_ids(all_ids, filters) == expected


def test_list_orders_limit_offset(seeded: Store) -> None:
    ids = lambda **kw: [p.id for p in seeded.papers.list_papers(**kw)]  # noqa: E731
    assert ids(order="listing") == [
        "2401.00004", "2401.00003", "2401.00002", "2401.00001", "corpus-7"
    ]  # fmt: skip
    assert ids(order="upvotes")[:2] == ["2401.00002", "2401.00001"]
    assert ids(order="id") == sorted(ids(order="id"))
    assert ids(order="listing", limit=2, offset=1) == ["2401.00003", "2401.00002"]
    with pytest.raises(ValueError, match="unknown order"):
        seeded.papers.list_papers(order="random")


def test_listing_dates_newest_first_and_filtered(seeded: Store) -> None:
    assert seeded.papers.listing_dates() == [
        date(2024, 1, 4), date(2024, 1, 3), date(2024, 1, 2), date(2023, 12, 31)
    ]  # fmt: skip
    assert seeded.papers.listing_dates(Filters(categories=("cs.LG",))) == [date(2024, 1, 3)]


def test_listing_dates_follow_every_write_and_hide(seeded: Store) -> None:
    """Remembered between calls (every list asks), but never past a write or a hide."""
    assert seeded.papers.listing_dates()[0] == date(2024, 1, 4)
    seeded.papers.upsert_papers([paper("2401.00009", listing_date=date(2024, 1, 9))])
    assert seeded.papers.listing_dates()[0] == date(2024, 1, 9)
    seeded.papers.set_hidden("2401.00009", True)
    assert seeded.papers.listing_dates()[0] == date(2024, 1, 4)
    seeded.papers.set_hidden("2401.00002", True)
    assert seeded.papers.listing_dates() == [date(2024, 1, 4), date(2024, 1, 2), date(2023, 12, 31)]


def test_iter_papers_visits_each_once(seeded: Store) -> None:
    batches = list(seeded.papers.iter_papers(batch_size=2))
    assert [len(b) for b in batches] == [2, 2, 1]
    assert sorted(p.id for b in batches for p in b) == sorted(
        p.id for p in seeded.papers.list_papers()
    )


def test_stats(seeded: Store) -> None:
    s = seeded.stats()
    assert s["papers"] == 5
    assert s["namespaces"] == {"arxiv": 4, "local": 1}
    assert s["listing_dates"] == ["2023-12-31", "2024-01-04"]
    assert s["schema_version"] == seeded.schema_version() > 0


def test_find_by_title_ignores_case_and_spacing(seeded: Store) -> None:
    assert seeded.papers.find_by_title("  paper   2401.00002 ") == ["2401.00002"]


def test_vectors_round_trip(seeded: Store) -> None:
    rng = np.random.default_rng(0)
    vecs = rng.standard_normal((3, 8)).astype(np.float32)
    ids = ["2401.00003", "2401.00001", "2401.00002"]
    rows = [(pid, f"h{i}", v) for i, (pid, v) in enumerate(zip(ids, vecs, strict=True))]
    seeded.vectors.save_vectors("m", rows)
    got_ids, matrix = all_vectors(seeded, "m")
    assert matrix.dtype == np.float32 and matrix.shape == (3, 8)
    by_id = dict(zip(got_ids, matrix, strict=True))
    for pid, v in zip(ids, vecs, strict=True):
        np.testing.assert_array_equal(by_id[pid], v)
    assert seeded.vectors.vector_text_hashes("m") == {"2401.00003": "h0", "2401.00001": "h1",
                                              "2401.00002": "h2"}  # fmt: skip
    seeded.vectors.save_vectors("m", [("2401.00001", "new", vecs[0])])  # replaces
    assert seeded.vectors.vector_text_hashes("m")["2401.00001"] == "new"
    assert all_vectors(seeded, "other")[0] == []
    assert seeded.stats()["vectors"] == {"m": 3}


def test_state_get_set_delete(store: Store) -> None:
    assert store.state.get_state("cursor") is None
    store.state.set_state("cursor", "a")
    store.state.set_state("cursor", "b")
    assert store.state.get_state("cursor") == "b"
    store.state.set_state("cursor", None)
    assert store.state.get_state("cursor") is None


def test_failed_batch_writes_nothing(store: Store) -> None:
    good, bad = paper("2401.00001"), paper("2401.00002")
    bad.authors = object()  # cannot be encoded: the whole batch must roll back
    with pytest.raises(TypeError):
        store.papers.upsert_papers([good, bad])
    assert store.papers.count_papers() == 0


def test_find_paper_takes_any_pasted_id_form(tmp_path) -> None:
    from paperboy.store import open_store

    with open_store(str(tmp_path / "f.db")) as s:
        s.papers.upsert_papers(
            [
                Paper(id="2401.01234", title="T", version=2),
                Paper(id="4983", title="C", namespace="scifact"),
            ]
        )
        for raw in (
            "2401.01234",
            "2401.01234v1",
            "arXiv:2401.01234",
            " https://arxiv.org/abs/2401.01234v2 ",
        ):
            assert s.papers.find_paper(raw).id == "2401.01234"
        assert s.papers.find_paper("4983").namespace == "scifact"
        assert s.papers.find_paper("2401.09999") is None and s.papers.find_paper("") is None


def test_papers_version_moves_with_paper_writes_only(store: Store) -> None:
    before, content = store.papers.version(), store.content_version()
    store.state.set_state("cursor", "x")
    assert store.papers.version() == before and store.content_version() == content
    store.papers.upsert_papers([paper("2401.00001")])
    after = store.papers.version()
    assert after > before and store.content_version() != content
    store.papers.upsert_papers([paper("2401.00001")])  # unchanged: nothing written
    assert store.papers.version() == after
    content = store.content_version()
    store.vectors.save_vectors("m", [("2401.00001", "h", np.ones(4, np.float32))])
    assert store.papers.version() == after  # vectors move the content token only
    assert store.content_version() != content


def test_a_write_in_another_connection_is_seen_at_once(store: Store) -> None:
    from paperboy.store import open_store

    before = store.content_version()
    with open_store(store.url) as other:
        other.papers.upsert_papers([paper("2401.00009")])
    assert store.content_version() != before
    assert store.papers.get_paper("2401.00009") is not None


def test_nearest_and_vectors(store: Store) -> None:
    ids = ["2401.00001", "2401.00002", "2401.00003"]
    store.papers.upsert_papers([paper(ids[0]), paper(ids[1], categories=["math.CO"]),
                                paper(ids[2])])  # fmt: skip
    basis = np.eye(4, dtype=np.float32)
    store.vectors.save_vectors("m", [(pid, "h", basis[i] + 0.1) for i, pid in enumerate(ids)])
    assert store.vectors.count("m") == 3 and store.vectors.count("other") == 0
    hits = store.vectors.nearest("m", basis[1], 2)
    assert [h.id for h in hits][0] == "2401.00002" and len(hits) == 2
    assert hits[0].score > hits[1].score
    assert hits[0].score == pytest.approx(1.1 / 1.24**0.5, abs=1e-4)
    only_cs = store.vectors.nearest("m", basis[1], 3, Filters(categories=("cs",)))
    assert {h.id for h in only_cs} == {"2401.00001", "2401.00003"}
    got = store.vectors.get_vectors("m", ["2401.00003", "nope"])
    assert list(got) == ["2401.00003"] and np.linalg.norm(got["2401.00003"]) == pytest.approx(1)
    assert store.vectors.nearest("other", basis[0], 3) == []
    assert store.vectors.models() == ["m"]


def test_passage_vectors_round_trip(store: Store) -> None:
    store.papers.upsert_papers([paper("2401.00001"), paper("2401.00002")])
    m = np.arange(12, dtype=np.float32).reshape(3, 4) / 10
    store.vectors.save_passage_vectors("m", [("2401.00001", "h1", m)])
    got = store.vectors.get_passage_vectors("m", ["2401.00001", "2401.00002"])
    assert list(got) == ["2401.00001"] and got["2401.00001"].shape == (3, 4)
    np.testing.assert_allclose(got["2401.00001"], m, atol=1e-3)  # stored as float16
    assert store.vectors.passage_text_hashes("m") == {"2401.00001": "h1"}
    assert store.vectors.passage_models() == ["m"]
    rows = [r for batch in store.vectors.iter_passage_vectors("m") for r in batch]
    assert [(r[0], r[1], r[2].shape) for r in rows] == [("2401.00001", "h1", (3, 4))]
    assert store.vectors.count("m") == 0  # passages are not document vectors


def test_related_lists_round_trip_and_move_the_content_token(store: Store) -> None:
    store.papers.upsert_papers([paper("2401.00001"), paper("2401.00002"), paper("2401.00003")])
    assert store.vectors.get_related("m", "2401.00001") is None  # never computed
    content, papers = store.content_version(), store.papers.version()
    store.vectors.save_related(
        "m",
        {
            "2401.00001": [("2401.00002", 0.9, "shares ctc"), ("2401.00003", 0.5, "")],
            "2401.00002": [],  # computed, no neighbours: kept apart from "never computed"
            "2401.09999": [("2401.00001", 0.1, "gone")],  # not a paper: skipped
        },
    )
    assert store.content_version() != content and store.papers.version() == papers
    assert store.vectors.get_related("m", "2401.00001") == [
        ("2401.00002", pytest.approx(0.9), "shares ctc"),
        ("2401.00003", pytest.approx(0.5), ""),
    ]
    assert store.vectors.get_related("m", "2401.00002") == []
    assert store.vectors.get_related("other", "2401.00001") is None
    assert store.vectors.get_related("m", "2401.09999") is None
    assert store.vectors.related_count("m") == 2 and store.vectors.related_count("other") == 0
    store.vectors.save_related("m", {"2401.00001": [("2401.00003", 0.7, "new")]})
    assert store.vectors.get_related("m", "2401.00001") == [
        ("2401.00003", pytest.approx(0.7), "new")
    ]


def test_concurrent_overlapping_imports_end_as_one_after_the_other(store: Store) -> None:
    """Two writers (separate connections) merging overlapping batches: every paper ends at
    its newest version with its first listing date, as in a serial import."""
    from paperboy.store import open_store

    first = [paper(f"2401.{i:05d}", version=1, listing_date=date(2024, 1, 2)) for i in range(300)]
    second = [
        paper(f"2401.{i:05d}", version=2, title=f"New {i}", listing_date=date(2024, 1, 9))
        for i in range(150, 450)
    ]
    errors: list[BaseException] = []

    def run(batch: list[Paper]) -> None:
        try:
            with open_store(store.url) as s:
                for i in range(0, len(batch), 50):
                    s.papers.upsert_papers(batch[i : i + 50])
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(b,)) for b in (first, second)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not errors
    ids = [f"2401.{i:05d}" for i in range(450)]
    got = store.papers.get_papers(ids)
    assert len(got) == 450
    # Each paper must be what one of the two serial orders would have left.
    for i, pid in enumerate(ids):
        p = got[pid]
        if i < 150:
            assert (p.version, p.title, p.listing_date) == (1, f"Paper {pid}", date(2024, 1, 2))
        elif i >= 300:
            assert (p.version, p.title, p.listing_date) == (2, f"New {i}", date(2024, 1, 9))
        else:  # in both batches: the newer version's text, and a listing date of one order
            assert (p.version, p.title) == (2, f"New {i}")
            assert p.listing_date in (date(2024, 1, 2), date(2024, 1, 9))


def test_hostile_text_never_reaches_the_database_as_an_error(store: Store) -> None:
    store.papers.upsert_papers([paper("2401.00001", title="a b")])
    assert store.papers.find_paper("2401\x0000001") is None
    try:
        hits = store.papers.lexical_search(TextQuery(phrases=("a\x00b",)))
    except ValueError as exc:
        assert str(exc) == "cannot search for that query"
    else:
        assert [h.id for h in hits] in ([], ["2401.00001"])


def test_a_paper_without_a_listing_day_is_listed_on_its_import_day(store: Store) -> None:
    store.papers.upsert_papers([paper("2401.00001", listing_date=None)])
    stored = store.papers.get_paper("2401.00001")
    assert (stored.listing_date, stored.listing_basis) == (TODAY, "imported")
    assert store.papers.count_listed(TODAY, TODAY) == 1
    # Seeing it again without a day is a no-op, not a move to a later import day.
    c = store.papers.upsert_papers([paper("2401.00001", listing_date=None)])
    assert (c.updated, c.unchanged) == (0, 1)
    # A known first-version date is better: arXiv's schedule places it (Fri noon → Monday).
    friday = paper("2401.00001", listing_date=None, published=date(2024, 1, 5))
    store.papers.upsert_papers([friday])
    got = store.papers.get_paper("2401.00001")
    assert (got.listing_date, got.listing_basis) == (date(2024, 1, 8), "derived")
    c = store.papers.upsert_papers(
        [paper("2401.00001", listing_date=None, published=date(2024, 1, 5))]
    )
    assert (c.updated, c.unchanged) == (0, 1)


def test_listing_days_by_basis_announced_then_derived_then_imported(store: Store) -> None:
    derived = dict(listing_date=date(2024, 1, 3), listing_basis="derived")
    store.papers.upsert_papers([paper("2401.00001", listing_date=None)])
    c = store.papers.upsert_papers([paper("2401.00001", **derived)])
    assert c.updated == 1  # a derived day replaces the import day
    assert store.papers.get_paper("2401.00001").listing_basis == "derived"
    # A real announcement day replaces a derived one, even a later one, even from an older
    # version's record.
    store.papers.upsert_papers([paper("2401.00001", version=2, **derived)])
    store.papers.upsert_papers([paper("2401.00001", listing_date=date(2024, 1, 4))])
    got = store.papers.get_paper("2401.00001")
    assert (got.listing_date, got.listing_basis, got.version) == (date(2024, 1, 4), None, 2)
    # ... and no derived day replaces it afterwards.
    c = store.papers.upsert_papers([paper("2401.00001", version=2, **derived)])
    assert (c.updated, c.unchanged) == (0, 1)
    assert store.papers.get_paper("2401.00001").listing_date == date(2024, 1, 4)


def test_setdefault_state_keeps_the_first_value(store: Store) -> None:
    assert store.state.setdefault_state("k", "first") == "first"
    assert store.state.setdefault_state("k", "second") == "first"
    assert store.state.get_state("k") == "first"


def test_term_counts_equal_a_recount_after_updates_and_concurrent_writes(store: Store) -> None:
    """BM25's document frequencies stay exact through updates that change a paper's words,
    in-batch duplicates and two writers at once."""
    papers = write_term_history(store)
    assert len(papers) == 150
    expected = recount(papers)
    assert min(expected.values()) > 0 and max(expected.values()) < 150  # the test can fail
    assert store.papers.document_counts(list(TERMS)) == expected


def test_list_fields_keep_quotes_backslashes_and_braces(store: Store) -> None:
    odd = ['A "quoted" one', "back\\slash", "com,ma", "{brace}", "NULL", "", "tab\there"]
    p = paper("2401.00001", authors=odd, categories=["cs.CL", 'x"y'], code_links=odd[:3],
              upvote_sources=["a\\b"])  # fmt: skip
    store.papers.upsert_papers([p])
    got = store.papers.get_paper("2401.00001")
    assert (got.authors, got.categories, got.code_links, got.upvote_sources) == (
        p.authors, p.categories, p.code_links, p.upvote_sources)  # fmt: skip
    assert got.authors == odd
