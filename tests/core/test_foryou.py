"""Personal picks over a real SQLite store: positives, negatives, reasons and the page."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import numpy as np
import pytest

from paperboy.core.errors import NotFound
from paperboy.core.foryou import for_you, not_interested, personal_picks, reset_not_interested
from paperboy.models.paper import Paper
from paperboy.store import Store, open_store

# Votes and saves carry the wall clock, so "now" must come after them whatever the date.
NOW = datetime.now(UTC) + timedelta(hours=1)
OLD = date(2026, 10, 1)
NEW = date(2026, 11, 26)

SAVED_SPEECH = [
    (
        "Streaming speech recognition with transducers",
        "We train an RNN-T speech recognizer for low-latency streaming ASR and reduce word"
        " error rate on LibriSpeech with better acoustic encoders.",
    ),
    (
        "Self-supervised acoustic models for low-resource speech",
        "Wav2vec-style pretraining of acoustic representations improves automatic speech"
        " recognition word error rate for low-resource languages.",
    ),
    (
        "Noise-robust speech recognition for far-field audio",
        "A speech enhancement front end and multi-condition training cut the word error rate"
        " of automatic speech recognition on noisy far-field recordings.",
    ),
]
NEW_OTHERS = [
    ("Diffusion models for image super-resolution", "Denoising diffusion upsamples images."),
    ("Graph neural networks for molecules", "Message passing predicts molecular properties."),
    ("Reinforcement learning for robot grasping", "A policy learns to grasp unseen objects."),
    ("Vision transformers for segmentation", "Patch tokens and a mask decoder segment images."),
    ("Retrieval-augmented question answering", "A retriever feeds passages to a reader model."),
    ("Program synthesis with language models", "Code generation evaluated on unit tests."),
]
NEW_SPEECH = (
    "Faster streaming speech recognition with chunked attention",
    "Chunked attention lowers latency of streaming automatic speech recognition while keeping"
    " word error rate on LibriSpeech.",
)


def _paper(pid: str, title: str, abstract: str, day: date, cats: list[str]) -> Paper:
    return Paper(
        id=pid,
        title=title,
        abstract=abstract,
        authors=["Grace Hopper"] if "robot" in title else ["Ada Lovelace"],
        categories=cats,
        version=1,
        listing_date=day,
    )


@pytest.fixture
def store(tmp_path: Path):
    s = open_store(f"sqlite:///{tmp_path / 'picks.db'}")
    papers = [
        _paper(f"2610.0000{i}", t, a, OLD, ["eess.AS", "cs.CL"])
        for i, (t, a) in enumerate(SAVED_SPEECH, 1)
    ]
    papers += [_paper(f"2611.0001{i}", t, a, NEW, ["cs.LG"]) for i, (t, a) in enumerate(NEW_OTHERS)]
    papers.append(_paper("2611.00099", *NEW_SPEECH, NEW, ["eess.AS"]))
    s.papers.upsert_papers(papers)
    yield s
    s.close()


def _new_ids(store: Store) -> list[str]:
    return [p.id for p in store.papers.list_listed(NEW, NEW, limit=100)]


def test_a_reader_who_saved_speech_papers_gets_the_new_speech_paper_first(store: Store) -> None:
    ada, _ = store.users.get_or_create("ada@example.org")
    assert personal_picks(store, ada.id, _new_ids(store), 5, NOW) == []  # no positives yet
    for i in (1, 2):
        store.votes.save(ada.id, f"2610.0000{i}")
    store.votes.vote(ada.id, "2610.00003")
    picks = personal_picks(store, ada.id, _new_ids(store), 3, NOW)
    assert [p.paper_id for p in picks][:1] == ["2611.00099"]
    assert len(picks) == 3 and picks[0].score > picks[1].score >= picks[2].score
    assert picks[0].reason.startswith("close to “") and picks[0].reason.endswith("that you saved")


def test_marks_after_now_are_not_read_and_marked_papers_are_never_picked(store: Store) -> None:
    ada, _ = store.users.get_or_create("ada@example.org")
    store.votes.save(ada.id, "2610.00001")
    assert personal_picks(store, ada.id, _new_ids(store), 5, NOW - timedelta(days=1)) == []
    store.dismissals.dismiss(ada.id, "2611.00099", NOW)
    ids = _new_ids(store) + ["2610.00001"]
    picked = {p.paper_id for p in personal_picks(store, ada.id, ids, 20, NOW)}
    assert "2611.00099" not in picked and "2610.00001" not in picked and len(picked) == 6


def test_not_interested_pushes_similar_papers_down(store: Store) -> None:
    ada, _ = store.users.get_or_create("ada@example.org")
    store.votes.save(ada.id, "2610.00001")
    store.votes.save(ada.id, "2611.00010")  # one image paper saved, too
    store.papers.upsert_papers(
        [
            _paper(
                "2611.00098",
                "Diffusion models for image inpainting",
                "Diffusion fills holes in images with denoising.",
                NEW,
                ["cs.CV"],
            )
        ]
    )
    ids = [i for i in _new_ids(store) if i != "2611.00010"]
    before = [p.paper_id for p in personal_picks(store, ada.id, ids, 20, NOW)]
    not_interested(store, ada.id, "arXiv:2611.00011v1", NOW)  # any id form; not a pick now
    store.dismissals.dismiss(ada.id, "2611.00013", NOW)
    after = [p.paper_id for p in personal_picks(store, ada.id, ids, 20, NOW)]
    assert "2611.00011" in before and "2611.00011" not in after
    assert after.index("2611.00099") <= before.index("2611.00099")
    with pytest.raises(NotFound, match="2699.00000"):
        not_interested(store, ada.id, "2699.00000", NOW)
    assert reset_not_interested(store, ada.id) == 2


def test_one_saved_paper_is_enough_and_vectors_give_the_reason(store: Store) -> None:
    ada, _ = store.users.get_or_create("ada@example.org")
    store.votes.vote(ada.id, "2610.00002")
    rng = np.random.default_rng(0)
    ids = [p.id for batch in store.papers.iter_papers() for p in batch]
    vecs = {pid: rng.normal(size=8).astype(np.float32) for pid in ids}
    vecs["2611.00099"] = vecs["2610.00002"] + 0.01  # nearly the same meaning
    rows = [(pid, "h", v / np.linalg.norm(v)) for pid, v in vecs.items()]
    store.vectors.save_vectors("test-model", rows)
    picks = personal_picks(store, ada.id, _new_ids(store), 2, NOW)
    assert picks[0].paper_id == "2611.00099" and picks[0].reason.endswith("that you upvoted")


def test_the_page_ranks_the_newest_week_and_lists_followed_authors(store: Store) -> None:
    ada, _ = store.users.get_or_create("ada@example.org")
    page = for_you(store, ada.id, NOW, authors=["grace hopper"])
    assert page.picks == [] and page.liked == 0 and page.candidates == 7
    assert [(name, [p.id for p in ps]) for name, ps in page.authors] == [
        ("grace hopper", ["2611.00012"])
    ]
    store.votes.save(ada.id, "2610.00001")
    store.dismissals.dismiss(ada.id, "2611.00012", NOW)
    page = for_you(store, ada.id, NOW, authors=["Grace Hopper"])
    assert page.picks[0][0].id == "2611.00099" and page.liked == 1
    assert [p.id for p in page.liked_examples] == ["2610.00001"]
    assert [p.id for p, _ in page.dismissed] == ["2611.00012"]
    assert page.authors[0][1][0].id == "2611.00012"  # followed authors always show
