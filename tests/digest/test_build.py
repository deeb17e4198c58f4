"""Building digests: the window's new papers, in sections, never one mailed before."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from paperboy.core.digest.build import DigestBuilder, build_digest
from paperboy.models.digest import AUTHORS, PICKS, SEARCH, TRENDING, DigestPaper
from paperboy.models.subscription import CONFIRMED, WEEKLY, Preferences, Subscriber
from paperboy.store import Store

AT = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)


def subscribe(store: Store, email: str, **prefs) -> Subscriber:
    sub, _ = store.subscribers.add(email, Preferences(**prefs), CONFIRMED, AT)
    return sub


def titles(digest, kind: str) -> list[str]:
    return [p.paper.title for s in digest.sections if s.kind == kind for p in s.papers]


def test_saved_searches_find_only_the_new_days_matches(store: Store) -> None:
    sub = subscribe(store, "a@example.org", searches=("speech recognition",), trending_count=0)
    digest = build_digest(store, sub, AT)
    assert digest.period == "2026-11-27"
    assert digest.since == datetime(2026, 11, 27, tzinfo=UTC)
    assert digest.until == datetime(2026, 11, 28, tzinfo=UTC)
    assert set(titles(digest, SEARCH)) == {
        "Speech recognition with tiny transformers",
        "Robust speech recognition in noisy rooms",
    }  # not the older one
    assert digest.sections[0].title == "Saved search: speech recognition"
    assert "speech recognition" in (digest.sections[0].papers[0].reason or "")


def test_a_weekly_first_digest_covers_the_last_seven_days(store: Store) -> None:
    sub = subscribe(
        store, "w@example.org", cadence=WEEKLY, weekday=4, searches=("speech recognition",)
    )
    digest = build_digest(store, sub, AT)
    assert digest.period == "2026-W48"
    assert "Old speech recognition results" in titles(digest, SEARCH)


def test_categories_narrow_everything_but_followed_authors(store: Store) -> None:
    sub = subscribe(
        store,
        "c@example.org",
        searches=("speech recognition", "diffusion"),
        categories=("cs.CL", "q-bio"),
        authors=("ada lovelace",),
    )
    digest = build_digest(store, sub, AT)
    assert titles(digest, SEARCH) == [
        "Speech recognition with tiny transformers",
        "Diffusion models for protein design",
    ]
    assert titles(digest, AUTHORS) == ["Graph neural networks for traffic"]
    assert digest.sections[-1].papers[0].reason == "new paper by ada lovelace"


def test_a_mailed_paper_never_comes_back_and_the_next_window_starts_after(store: Store) -> None:
    sub = subscribe(store, "m@example.org", searches=("speech recognition", "diffusion"))
    first = build_digest(store, sub, AT)
    did = store.deliveries.claim(sub.id, first.period, 1, first.since, first.until, AT)
    assert did is not None
    store.deliveries.complete(did, "<m@x>", first.paper_ids[:1], AT)
    # same window again (e.g. a preview): the mailed paper is left out, the rest stays
    again = build_digest(store, sub, AT)
    assert first.paper_ids[0] not in again.paper_ids and again.since > first.since
    assert again.empty  # the next window starts where the sent one ended: nothing new yet


def test_each_paper_appears_once_and_an_empty_digest_is_empty(store: Store) -> None:
    sub = subscribe(store, "d@example.org", searches=("diffusion", "diffusion models protein"))
    digest = build_digest(store, sub, AT)
    assert len(digest.paper_ids) == sum(len(s.papers) for s in digest.sections)
    nobody = subscribe(store, "n@example.org", searches=("quantum gravity",), trending_count=0)
    assert build_digest(store, nobody, AT).empty
    later = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)  # Monday: nothing listed since Friday
    done = subscribe(store, "e@example.org", trending_count=5)
    did = store.deliveries.claim(done.id, "2026-11-27", 1, AT, AT + timedelta(days=1), AT)
    assert did is not None
    store.deliveries.complete(did, "<e@x>", [], AT)
    assert build_digest(store, done, later).empty


def test_a_day_nobody_voted_on_still_has_its_top_papers(store: Store) -> None:
    """The trending section falls back to the window's papers (imported upvotes, then listing
    order), after the saved searches took theirs, and says so in its title and reasons."""
    sub = subscribe(store, "f@example.org", trending_count=3, searches=("diffusion",))
    digest = build_digest(store, sub, AT)
    assert [s.kind for s in digest.sections] == [TRENDING, SEARCH]
    assert digest.sections[0].title == "New papers" and len(digest.sections[0].papers) == 3
    assert all(p.reason == "new on 27 Nov" for p in digest.sections[0].papers)
    assert not any("iffusion" in t for t in titles(digest, TRENDING))  # the search has them


def test_trending_comes_first_with_its_reason(store: Store) -> None:
    user, _ = store.users.get_or_create("voter@example.org")
    store.votes.vote(user.id, "2611.00004")
    store.votes.save(user.id, "2611.00004")
    sub = subscribe(store, "t@example.org", trending_count=3, searches=("graph",))
    digest = build_digest(store, sub, AT)
    assert digest.sections[0].kind == TRENDING
    assert titles(digest, TRENDING)[0] == "Graph neural networks for traffic"
    assert digest.sections[0].title == "Trending" and len(titles(digest, TRENDING)) == 3
    assert digest.sections[0].papers[0].reason == "trending: 1 votes, 1 saves"
    assert digest.sections[0].papers[1].reason == "new on 27 Nov"
    assert titles(digest, SEARCH) == []  # already in the mail above


def test_one_search_per_distinct_query_and_window_per_run(store: Store, monkeypatch) -> None:
    calls: list[str] = []
    original = store.papers.lexical_search

    def counted(query, *args, **kwargs):
        calls.append(" ".join(query.terms))
        return original(query, *args, **kwargs)

    monkeypatch.setattr(store.papers, "lexical_search", counted)
    builder = DigestBuilder(store, AT)
    for i in range(5):
        sub = subscribe(store, f"s{i}@example.org", searches=("diffusion", "speech recognition"))
        assert not build_digest(store, sub, AT, builder=builder).empty
    assert sorted(calls) == ["diffusion", "speech recognition"]


def test_personal_picks_come_from_the_injected_callable(store: Store) -> None:
    user, _ = store.users.get_or_create("p@example.org")
    sub, _ = store.subscribers.add(
        "p@example.org", Preferences(more_like_mine=True, trending_count=0), CONFIRMED, AT, user.id
    )
    seen: list[list[str]] = []

    def picks(_store: Store, s: Subscriber, candidates, at):
        seen.append(list(candidates))
        papers = store.papers.get_papers(["2611.00003"])
        return [DigestPaper(papers["2611.00003"], "close to X that you saved")]

    digest = build_digest(store, sub, AT, picks=picks)
    assert titles(digest, PICKS) == ["Robust speech recognition in noisy rooms"]
    assert "2611.00006" not in seen[0] and len(seen[0]) == 5  # only the window's papers
    anonymous = subscribe(store, "q@example.org", more_like_mine=True)
    assert titles(build_digest(store, anonymous, AT, picks=picks), PICKS) == []


def test_a_reader_who_saved_speech_papers_gets_the_new_speech_paper_picked_first(
    store: Store,
) -> None:
    """The real picks (core.digest.picks, the default): the model behind /for-you."""
    user, _ = store.users.get_or_create("s@example.org")
    store.votes.save(user.id, "2611.00006")  # an older speech paper
    sub, _ = store.subscribers.add(
        "s@example.org", Preferences(more_like_mine=True, trending_count=0), CONFIRMED, AT, user.id
    )
    later = max(AT, datetime.now(UTC))  # picks read only the marks made before the moment
    digest = build_digest(store, sub, later)
    picked = [p for s in digest.sections if s.kind == PICKS for p in s.papers]
    assert picked and "speech" in picked[0].paper.title.lower()
    assert picked[0].reason is not None and "Old speech recognition results" in picked[0].reason
    assert "2611.00006" not in digest.paper_ids  # never the saved paper itself
