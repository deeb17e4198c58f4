"""Stores filled only by live-ingest formats (OAI-PMH, the arXiv Atom API) still have a daily
list: on ``/``, in ``/api/daily_papers`` and in the daily feed (issue 8, section 3)."""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from paperboy.config import load_settings
from paperboy.ingest.jobs import import_files
from paperboy.store import Store, open_store
from paperboy.web.app import create_app

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


def _store(tmp_path: Path, files: list[Path]) -> Iterator[Store]:
    store = open_store(str(tmp_path / "live.db"))
    report = import_files(store, files)
    assert report.counts.added > 0 and not report.failed_files
    yield store
    store.close()


@pytest.fixture
def oai_store(tmp_path: Path) -> Iterator[Store]:
    yield from _store(tmp_path, sorted((FIXTURES / "oai").glob("listrecords-*.xml")))


@pytest.fixture
def atom_store(tmp_path: Path) -> Iterator[Store]:
    """The recorded arXiv API responses' bodies, as the Atom files a harvest receives."""
    files = []
    for i, recorded in enumerate(sorted((FIXTURES / "arxiv-api").glob("*.json"))):
        body = json.loads(recorded.read_text("utf-8"))["body"]
        files.append(tmp_path / f"response-{i}.xml")
        files[-1].write_text(body, "utf-8")
    yield from _store(tmp_path, files)


def _newest_day(store: Store) -> tuple[date, set[str]]:
    days = store.papers.listing_dates()
    assert days, "no paper has a listing day"
    listed = store.papers.list_listed(days[0], days[0], limit=1000)
    return days[0], {p.id for p in listed}


def _assert_listed_everywhere(store: Store, day: date, ids: set[str]) -> None:
    assert ids
    titles = {store.papers.get_paper(pid).title for pid in ids}
    with TestClient(create_app(load_settings({}), store)) as client:
        home = client.get("/")
        assert home.status_code == 200
        assert "No papers yet" not in home.text
        assert all(t in home.text for t in titles)

        api = client.get("/api/daily_papers")
        assert api.status_code == 200
        assert {item["paper"]["id"] for item in api.json()} == ids

        feed = client.get("/feeds/daily.atom")
        assert feed.status_code == 200
        assert "1970-01-01" not in feed.text
        assert day.isoformat() in feed.text
        assert feed.text.count("<entry>") == len(ids)


def test_a_store_filled_from_oai_pmh_lists_its_papers(oai_store: Store) -> None:
    day, ids = _newest_day(oai_store)
    # 2401.00003 and 2401.00004 are v1-only records with datestamps Fri 5 and Sat 6 January:
    # announced on those evenings' next weekday, Monday 8 January.
    assert (day, ids) == (date(2024, 1, 8), {"2401.00003", "2401.00004"})
    _assert_listed_everywhere(oai_store, day, ids)


def test_a_store_filled_from_the_atom_api_lists_its_papers(atom_store: Store) -> None:
    day, ids = _newest_day(atom_store)
    assert all(p.listing_date for b in atom_store.papers.iter_papers() for p in b)
    _assert_listed_everywhere(atom_store, day, ids)


def test_a_listing_file_replaces_a_derived_day_with_the_real_one(
    oai_store: Store, tmp_path: Path
) -> None:
    derived = oai_store.papers.get_paper("2401.00003")
    assert (derived.listing_date, derived.listing_basis) == (date(2024, 1, 8), "derived")
    listing = tmp_path / "listing.jsonl.gz"
    record = {"id": "2401.00003", "title": derived.title, "listing_date": "2024-01-09"}
    listing.write_bytes(gzip.compress(json.dumps(record).encode()))
    report = import_files(oai_store, [listing])
    assert report.counts.updated == 1
    real = oai_store.papers.get_paper("2401.00003")
    assert (real.listing_date, real.listing_basis) == (date(2024, 1, 9), None)
    assert real.abstract == derived.abstract  # the listing record took nothing else away
    # Harvesting the OAI page again does not bring the derived day back.
    import_files(oai_store, [FIXTURES / "oai" / "listrecords-arxiv-page1.xml"])
    assert oai_store.papers.get_paper("2401.00003").listing_date == date(2024, 1, 9)
