"""The ranking model on plain items: edge cases a store never hands it in the happy path."""

from __future__ import annotations

import numpy as np

from paperboy.recommend.features import paper_text
from paperboy.recommend.model import Item, Params, rank

SPEECH = Item("s", paper_text("Speech recognition", "Acoustic models for speech.", ["eess.AS"]))
VISION = Item("v", paper_text("Image segmentation", "Masks for images.", ["cs.CV"]))
NEW_SPEECH = Item("n", paper_text("Streaming speech recognition", "Speech decoding.", []))


def test_nothing_to_go_on_gives_nothing() -> None:
    assert rank([], [VISION, NEW_SPEECH]) == []
    assert rank([SPEECH], []) == []


def test_author_names_never_reach_the_features() -> None:
    assert paper_text("T", "A", ["cs.CL"]) == "T\nA\ncat_cs_cl"


def test_a_lone_candidate_and_stop_word_texts_still_rank() -> None:
    only = rank([SPEECH], [NEW_SPEECH])
    assert [s.id for s in only] == ["n"] and only[0].because == "s"
    blank = rank([Item("a", "the of and")], [Item("b", "and the"), Item("c", "of")])
    assert sorted(s.id for s in blank) == ["b", "c"]


def test_dislikes_and_vectors_move_the_ranking() -> None:
    pos = [SPEECH, Item("i", paper_text("Image classification", "Images.", ["cs.CV"]))]
    cands = [VISION, NEW_SPEECH]
    assert {s.id for s in rank(pos, cands)} == {"v", "n"}
    no_vision = rank(pos, cands, negatives=[Item("x", VISION.text)])
    assert no_vision[0].id == "n"
    e = np.eye(4, dtype=np.float32)
    with_vectors = [Item(c.id, c.text, e[k]) for k, c in enumerate(cands)]
    liked = [Item(p.id, p.text, e[0]) for p in pos]  # both liked papers mean what VISION means
    boosted = rank(liked, with_vectors, params=Params(dense_weight=5.0))
    assert boosted[0].id == "v" and boosted[0].similarity == 1.0
