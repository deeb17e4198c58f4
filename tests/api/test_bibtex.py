"""BibTeX escaping: untrusted titles cannot break out of their field."""

from __future__ import annotations

from datetime import date

from paperboy.api.bibtex import cite_key, escape, to_bibtex
from paperboy.models.paper import Paper


def test_unbalanced_braces_are_escaped():
    assert escape("a } b {") == "a \\} b \\{"
    assert escape("keeps {GPU} and $\\alpha$") == "keeps {GPU} and $\\alpha$"
    assert escape("50% of R&D #1") == "50\\% of R\\&D \\#1"


def test_entry_stays_balanced_with_hostile_title():
    paper = Paper(id="2401.00001", title="Evil} , note = {pwned", authors=["Zoë Ünal"],
                  published=date(2024, 1, 2), categories=["cs.CL"])  # fmt: skip
    bib = to_bibtex(paper)
    assert "title = {{Evil\\} , note = \\{pwned}}" in bib
    assert "\n  note =" not in bib
    assert cite_key(paper) == "unal2024evil"


def test_non_arxiv_papers_have_no_eprint():
    bib = to_bibtex(Paper(id="seed-1", title="The Paper", namespace="seed"))
    assert "eprint" not in bib and "author = {Unknown}" in bib
