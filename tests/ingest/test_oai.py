"""OAI-PMH ListRecords files: arXiv and arXivRaw metadata, deleted records, OAI errors."""

from __future__ import annotations

from datetime import date

from paperboy.ingest.formats import oai
from paperboy.ingest.formats.registry import detect
from paperboy.ingest.formats.source import SourceFile
from paperboy.ingest.jobs import import_files

from .helpers import OAI, new_store


def test_arxiv_metadata_maps_every_field(tmp_path):
    path = OAI / "listrecords-arxiv-page1.xml"
    assert detect(SourceFile(path)).name == oai.NAME
    with new_store(tmp_path) as store:
        report = import_files(store, [path])
        # one deleted record: neither imported nor rejected
        assert report.summary() == {"added": 2, "updated": 0, "unchanged": 0, "rejected": 0}
        p = store.papers.get_paper("2401.00001")
        assert p.title == "Harvesting Papers Politely: A Study of Rate Limits"
        assert p.authors == ["Ada Lovelace", "Charles Babbage Jr"]
        assert p.categories == ["cs.DL", "cs.IR"]
        assert (p.published, p.updated) == (date(2024, 1, 1), date(2024, 1, 2))
        assert p.journal_ref == "J. Polite Crawling 1 (2024) 1-12"
        assert p.doi == "10.1000/polite.2024.1"
        assert p.abstract == "We study how to harvest a preprint server without hurting it."
        assert "https://github.com/example/harvest" in p.code_links
        assert store.papers.get_paper("2401.00002") is None
        assert store.papers.get_paper("2401.00003").updated == date(2024, 1, 3)


def test_arxiv_format_derives_listing_days_from_datestamp_or_created(tmp_path):
    with new_store(tmp_path) as store:
        import_files(store, [OAI / "listrecords-arxiv-page1.xml"])
        revised = store.papers.get_paper("2401.00001")  # v2 exists: created (Mon) at noon ET
        assert (revised.listing_date, revised.listing_basis) == (date(2024, 1, 2), "derived")
        new = store.papers.get_paper("2401.00003")  # v1 only: announced the datestamp's evening
        assert (new.listing_date, new.listing_basis) == (date(2024, 1, 8), "derived")


def test_a_far_off_datestamp_is_a_later_edit_not_the_announcement(tmp_path):
    text = (OAI / "listrecords-arxiv-page1.xml").read_text(encoding="utf-8")
    path = tmp_path / "edited.xml"
    path.write_text(text.replace("<datestamp>2024-01-05</datestamp>", "<datestamp>2024-03-01"
                                 "</datestamp>"), encoding="utf-8")  # fmt: skip
    with new_store(tmp_path) as store:
        import_files(store, [path])
        assert store.papers.get_paper("2401.00003").listing_date == date(2024, 1, 4)  # Wed → Thu


def test_arxivraw_versions_give_version_and_dates(tmp_path):
    with new_store(tmp_path) as store:
        report = import_files(store, [OAI / "listrecords-arxivraw.xml"])
        assert report.summary()["added"] == 2 and report.ok
        p = store.papers.get_paper("2401.00001")
        assert p.version == 3
        assert (p.published, p.updated) == (date(2024, 1, 1), date(2024, 1, 10))
        assert p.authors == ["Ada Lovelace", "Charles Babbage Jr", "Grace Hopper"]
        old = store.papers.get_paper("hep-th/9901001")
        assert (old.version, old.published, old.updated) == (1, date(1999, 1, 1), date(1999, 1, 1))
        assert old.authors == ["P. A. M. Dirac"]
        # v1 at Mon 18:00 GMT is 13:00 EST, before the deadline: Tuesday's listing.
        assert (p.listing_date, p.listing_basis) == (date(2024, 1, 2), "derived")
        # Fri 00:00:01 GMT is still Thursday 19:00 EST, past the deadline: cutoff Friday.
        assert old.listing_date == date(1999, 1, 4)


def test_importing_the_same_file_twice_changes_nothing(tmp_path):
    with new_store(tmp_path) as store:
        for path in sorted(OAI.glob("listrecords-*.xml")):
            first = import_files(store, [path])
            again = import_files(store, [path])
            assert first.counts.added + first.counts.updated > 0
            assert again.counts.added == again.counts.updated == 0 and again.ok, path.name


def test_oai_errors_in_a_file(tmp_path):
    with new_store(tmp_path) as store:
        none = import_files(store, [OAI / "error-no-records-match.xml"])
        bad = import_files(store, [OAI / "error-bad-argument.xml"])
    assert none.ok and none.summary()["added"] == 0
    assert bad.rejected == 1 and "badArgument: Illegal date format" in str(bad.errors[0])


def test_record_without_title_or_metadata_is_rejected_by_identifier(tmp_path):
    text = (OAI / "listrecords-arxiv-page1.xml").read_text(encoding="utf-8")
    text = text.replace("<title>Resumption Tokens Considered Helpful</title>", "")
    text = text.replace("<metadata>", "<nometadata>", 1).replace("</metadata>", "</nometadata>", 1)
    path = tmp_path / "bad.xml"
    path.write_text(text, encoding="utf-8")
    with new_store(tmp_path) as store:
        report = import_files(store, [path])
        assert store.papers.count_papers() == 0
    locations = {e.location: e.reason for e in report.errors}
    assert locations == {
        "record 1 (oai:arXiv.org:2401.00001)": "no arXiv or arXivRaw metadata in the record",
        "record 3 (oai:arXiv.org:2401.00003)": "title: missing",
    }


def test_truncated_page_keeps_the_records_before_the_cut(tmp_path):
    text = (OAI / "listrecords-arxiv-page2.xml").read_text(encoding="utf-8")
    path = tmp_path / "cut.xml"
    path.write_text(text[: text.rindex("<record>") + 40], encoding="utf-8")
    with new_store(tmp_path) as store:
        report = import_files(store, [path])
        assert [p.id for p in store.papers.list_papers(order="id")] == ["2401.00004"]
    assert report.rejected == 1 and "truncated" in report.errors[0].reason


def test_utf16_file_with_bom_is_read(tmp_path):
    text = (OAI / "listrecords-arxiv-page3.xml").read_text(encoding="utf-8")
    path = tmp_path / "utf16.xml"
    path.write_bytes(text.replace('encoding="UTF-8"', 'encoding="UTF-16"').encode("utf-16"))
    with new_store(tmp_path) as store:
        report = import_files(store, [path])
        assert (
            report.ok
            and store.papers.get_paper("math/0601001").title == "An Old-Style Identifier Survives"
        )
