"""arXiv API Atom responses: mapping, the error feed, hostile files, versions."""

from __future__ import annotations

from datetime import date

from paperboy.ingest.formats import atom
from paperboy.ingest.formats.registry import detect
from paperboy.ingest.formats.source import SourceFile
from paperboy.ingest.jobs import import_files, import_records
from paperboy.models.paper import MAX_TITLE, TRUNCATED

from .helpers import ARXIV_API, new_store, recorded
from .recorded import read as read_recorded


def _write_body(tmp_path, name: str, body: str | bytes):
    path = tmp_path / name
    path.write_bytes(body.encode("utf-8") if isinstance(body, str) else body)
    return path


def _entry(arxiv_id: str, title: str, summary: str = "An abstract.") -> str:
    return (
        f"<entry><id>http://arxiv.org/abs/{arxiv_id}</id><title>{title}</title>"
        f"<updated>2024-02-01T00:00:00Z</updated><published>2024-01-01T00:00:00Z</published>"
        f"<summary>{summary}</summary><author><name>A. Author</name></author>"
        '<arxiv:primary_category term="cs.LG"/><category term="cs.LG"/><category term="stat.ML"/>'
        "</entry>"
    )


def _feed(*entries: str) -> str:
    return (
        "<?xml version='1.0' encoding='UTF-8'?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\" "
        'xmlns:arxiv="http://arxiv.org/schemas/atom">\n' + "\n".join(entries) + "\n</feed>\n"
    )


def test_recorded_responses_import_with_their_fields(tmp_path):
    with new_store(tmp_path) as store:
        paths = sorted(ARXIV_API.glob("id_*.json"))
        report = import_records(store, (r for p in paths for r in read_recorded(SourceFile(p))))
        assert report.rejected == 1  # the "abc" error feed, and only it
        assert "incorrect id format for abc" in str(report.errors[0])
        p = store.papers.get_paper("quant-ph/0201082")
        assert p.version == 1
        assert p.categories == ["quant-ph", "cs.PL"]
        assert p.authors == ["Stephen Blaha"]
        assert p.published == date(2002, 1, 18) and p.updated == date(2002, 1, 18)
        assert p.comment == "32 pages"
        gould = store.papers.get_paper("astro-ph/0601001")
        assert gould.journal_ref == "ActaAstron.56:1-50,2006"
        assert gould.authors[0] == "Andrew Gould" and len(gould.authors) == 4
        assert store.papers.get_paper("2104.12255").title == "0"
        assert len(store.papers.get_paper("1707.08567").authors) == 34
        assert store.papers.count_papers() == 4
        # <published> (v1) through arXiv's schedule: Fri 10:08 EST → Monday's listing,
        # Thu 04:18 EDT → Friday's.
        assert (p.listing_date, p.listing_basis) == (date(2002, 1, 21), "derived")
        assert store.papers.get_paper("1707.08567").listing_date == date(2017, 7, 28)


def test_bare_atom_body_is_detected_and_imported(tmp_path):
    body = recorded("q_testing")["body"]
    path = _write_body(tmp_path, "feed.xml", body)
    assert detect(SourceFile(path)).name == atom.NAME
    with new_store(tmp_path) as store:
        report = import_files(store, [path])
        assert report.summary() == {"added": 10, "updated": 0, "unchanged": 0, "rejected": 0}
        again = import_files(store, [path])
        assert again.summary() == {"added": 0, "updated": 0, "unchanged": 10, "rejected": 0}


def test_error_feed_is_rejected_not_a_paper(tmp_path):
    path = _write_body(tmp_path, "err.xml", recorded("id_abc")["body"])
    with new_store(tmp_path) as store:
        report = import_files(store, [path])
        assert store.papers.count_papers() == 0
    assert report.rejected == 1
    (error,) = report.errors
    assert error.source == str(path)
    assert "entry 1" in error.location and "arXiv API error" in error.reason


def test_empty_feed_imports_nothing_and_is_not_an_error(tmp_path):
    path = _write_body(tmp_path, "empty.xml", recorded("id_0000.0000")["body"])
    with new_store(tmp_path) as store:
        report = import_files(store, [path])
    assert report.ok and report.summary()["added"] == 0


def test_newer_version_updates_and_older_is_ignored(tmp_path):
    v1 = recorded("id_2104.12255v1")["body"]
    v2 = v1.replace("2104.12255v1", "2104.12255v2").replace(
        "<title>0</title>", "<title>Zero</title>"
    )
    v2 = v2.replace("2021-04-20T16:07:14Z</updated>", "2021-05-01T00:00:00Z</updated>")
    p1, p2 = _write_body(tmp_path, "v1.xml", v1), _write_body(tmp_path, "v2.xml", v2)
    with new_store(tmp_path) as store:
        assert import_files(store, [p1]).counts.added == 1
        assert import_files(store, [p2]).counts.updated == 1
        paper = store.papers.get_paper("2104.12255")
        assert (paper.version, paper.title, paper.updated) == (2, "Zero", date(2021, 5, 1))
        assert import_files(store, [p1]).counts.unchanged == 1
        paper = store.papers.get_paper("2104.12255")
        assert (paper.version, paper.title) == (2, "Zero")


def test_bad_records_are_rejected_by_entry_and_good_ones_import(tmp_path):
    long_title = "x" * (MAX_TITLE + 1)
    feed = _feed(
        _entry("2401.00001v1", "Fine"),
        _entry("2401.00002v1", ""),
        _entry("2401.00003v1", long_title),
        _entry("not-an-id", "Bad id"),
        _entry("2401.00005v1", "Long abstract", summary="word " * 10_000),
        _entry("2401.00006v1", "&lt;script&gt;alert(1)&lt;/script&gt; &amp; <b>bold</b>"),
    )
    path = _write_body(tmp_path, "mixed.xml", feed)
    with new_store(tmp_path) as store:
        report = import_files(store, [path])
        assert report.counts.added == 3
        reasons = {e.location.split(" (")[0]: e.reason for e in report.errors}
        assert reasons["entry 2"] == "title: missing"
        assert "over the limit of 1000" in reasons["entry 3"]
        assert "not an arXiv id" in reasons["entry 4"]
        assert store.papers.get_paper("2401.00005").abstract.endswith(TRUNCATED)
        # markup in a title is kept as the text it is, never stripped
        assert store.papers.get_paper("2401.00006").title == "<script>alert(1)</script> & bold"


def test_truncated_feed_keeps_complete_entries_and_names_the_position(tmp_path):
    body = recorded("q_testing")["body"]
    cut = body.index("<entry>", body.index("<entry>") + 1) + 200  # inside the second entry
    path = _write_body(tmp_path, "cut.xml", body[:cut])
    with new_store(tmp_path) as store:
        report = import_files(store, [path])
        assert store.papers.count_papers() == 1
    (error,) = report.errors
    assert error.location.startswith("line ") and "column" in error.location
    assert "truncated" in error.reason


def test_truncated_before_any_entry_is_one_file_error(tmp_path):
    path = _write_body(tmp_path, "head.xml", recorded("q_testing")["body"][:300])
    with new_store(tmp_path) as store:
        report = import_files(store, [path])
    assert report.failed_files == [str(path)]
    assert str(path) in report.errors[0] and "line " in report.errors[0]


def test_entity_expansion_bomb_is_refused(tmp_path):
    bomb = (
        '<?xml version="1.0"?>\n<!DOCTYPE feed [<!ENTITY a "aaaaaaaaaa">'
        '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;">]>\n'
        '<feed xmlns="http://www.w3.org/2005/Atom"><entry><title>&c;</title></entry></feed>'
    )
    path = _write_body(tmp_path, "bomb.xml", bomb)
    with new_store(tmp_path) as store:
        report = import_files(store, [path])
        assert store.papers.count_papers() == 0
    assert report.failed_files == [str(path)]
    assert "refused" in report.errors[0] and "entity" in report.errors[0]


def test_wrong_encoding_is_reported_with_its_position(tmp_path):
    feed = _feed(_entry("2401.00001v1", "Fine"), _entry("2401.00002v1", "Caf\xe9"))
    path = _write_body(tmp_path, "latin1.xml", feed.encode("latin-1"))
    with new_store(tmp_path) as store:
        report = import_files(store, [path])
        assert store.papers.count_papers() == 1  # the entry before the bad byte
    (error,) = report.errors
    assert error.location.startswith("line 4,") and "UTF-8" in error.reason
