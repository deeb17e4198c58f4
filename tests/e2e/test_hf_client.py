"""The real ``huggingface_hub`` client, unchanged, against our API on a live uvicorn."""

from __future__ import annotations

from datetime import date

import pytest
from huggingface_hub import HfApi
from huggingface_hub.errors import HfHubHTTPError


@pytest.fixture(scope="module")
def api(live_server) -> HfApi:
    return HfApi(endpoint=live_server, token=False)


def test_list_daily_papers(api, demo_store, hostile_paper):
    newest = demo_store.papers.listing_dates()[0]
    papers = list(api.list_daily_papers(limit=10))
    assert len(papers) == 10
    first = papers[0]
    assert first.id == hostile_paper.id and first.title == hostile_paper.title
    assert [a.name for a in first.authors] == hostile_paper.authors
    assert first.summary == hostile_paper.abstract and first.upvotes == 999_999
    assert first.submitted_at.date() == newest and first.published_at.date() == newest
    assert first.github_repo == "https://github.com/evil/repo"

    day = demo_store.papers.listing_dates()[3]
    on_day = list(api.list_daily_papers(date=day.isoformat(), limit=100))
    assert on_day and all(p.submitted_at.date() == day for p in on_day)
    second = list(api.list_daily_papers(date=day.isoformat(), limit=5, p=1))
    assert [p.id for p in second] == [p.id for p in on_day[5:10]]
    month = list(api.list_daily_papers(month="2026-06", sort="trending", limit=3))
    assert all(p.submitted_at.date() >= date(2026, 6, 1) for p in month)
    week = list(api.list_daily_papers(week="2026-W26", limit=5))
    assert all(date(2026, 6, 22) <= p.submitted_at.date() <= date(2026, 6, 28) for p in week)
    assert list(api.list_daily_papers(submitter="nobody")) == []


def test_bad_parameters_raise(api):
    with pytest.raises(HfHubHTTPError) as info:
        list(api.list_daily_papers(date="01/07/2026"))
    assert info.value.response.status_code == 422
    assert "date: expected YYYY-MM-DD" in str(info.value)


def test_list_papers_search(api):
    papers = list(api.list_papers(query="alignment", limit=8))
    assert len(papers) == 8
    assert all("align" in (p.title + p.summary).lower() for p in papers)


def test_paper_info(api, demo_store):
    paper = demo_store.papers.list_papers(limit=1, offset=7)[0]
    info = api.paper_info(paper.id)
    assert info.id == paper.id and info.title == paper.title
    assert [a.name for a in info.authors] == paper.authors
    assert info.summary == paper.abstract
    assert info.published_at.date() == (paper.published or paper.listing_date)
    with pytest.raises(HfHubHTTPError) as info_missing:
        api.paper_info("2401.00000")
    assert info_missing.value.response.status_code == 404


def test_read_paper(api, demo_store):
    paper = demo_store.papers.list_papers(limit=1, offset=9)[0]
    text = api.read_paper(paper.id)
    assert text.startswith(f"# {paper.title}\n") and paper.abstract in text
    with pytest.raises(HfHubHTTPError):
        api.read_paper("2401.00000")
