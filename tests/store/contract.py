"""Helpers shared by the store contract suite and the backend-specific store tests."""

from __future__ import annotations

from datetime import date

import numpy as np

from paperboy.models.paper import Paper


def all_vectors(store, model: str) -> tuple[list[str], np.ndarray]:
    rows = [row for batch in store.vectors.iter_vectors(model) for row in batch]
    if not rows:
        return [], np.zeros((0, 0), np.float32)
    return [r[0] for r in rows], np.stack([r[2] for r in rows])


def paper(pid: str, **kw) -> Paper:
    base = dict(
        id=pid,
        title=f"Paper {pid}",
        abstract="An abstract.",
        authors=["Ada Lovelace"],
        categories=["cs.CL"],
        version=1,
        listing_date=date(2024, 1, 2),
    )
    return Paper(**{**base, **kw})


# Words that each stem to one lexeme of their own in both backends' tokenisers.
TERMS = ("alpha", "bravo", "delta", "echo", "foxtrot", "kilo", "lima", "oscar")


def _words(i: int, salt: int) -> str:
    """A few TERMS for paper ``i``, picked by ``salt`` (so an update changes them)."""
    return " ".join(t for k, t in enumerate(TERMS) if (i * (salt + 3) + k * salt) % 3 == 0)


def write_term_history(store) -> list[Paper]:
    """Inserts, text updates, duplicates inside one batch, and two concurrent writers with
    overlapping batches; returns nothing the caller needs beyond the store's end state."""
    import threading

    from paperboy.store import open_store

    pid = "2402.{:05d}".format
    ups = store.papers.upsert_papers
    ups([paper(pid(i), title=_words(i, 1), abstract=_words(i, 2)) for i in range(60)])
    # New versions with other words (their old lexemes must leave the counts), plus new ones.
    ups([paper(pid(i), version=2, title=_words(i, 4), abstract="Kilo") for i in range(0, 80, 2)])
    # The same paper twice in one batch merges first: counted once.
    ups([paper(pid(90), title="lima oscar"), paper(pid(90), version=3, title="lima echo")])
    errors: list[BaseException] = []

    def run(salt: int, ids: range) -> None:
        try:
            with open_store(store.url) as s:
                batch = [paper(pid(i), version=salt, title=_words(i, salt)) for i in ids]
                for k in range(0, len(batch), 20):
                    s.papers.upsert_papers(batch[k : k + 20])
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=a) for a in ((5, range(40, 120)),
                                                             (6, range(70, 150)))]  # fmt: skip
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not errors
    return [p for batch in store.papers.iter_papers() for p in batch]


def recount(papers: list[Paper]) -> dict[str, int]:
    """How many papers hold each of TERMS, counted from their text."""

    def words(p: Paper) -> set[str]:
        return set(" ".join([p.title, p.abstract, *p.authors]).lower().split())

    return {t: sum(t in words(p) for p in papers) for t in TERMS}
