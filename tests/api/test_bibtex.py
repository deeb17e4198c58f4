"""BibTeX escaping: untrusted titles cannot break out of their field."""

from __future__ import annotations

from datetime import date

from paperboy.api.bibtex import cite_key, escape, to_bibtex
from paperboy.models.paper import Paper


def test_unbalanced_braces_are_dropped():
    assert escape("a } b {") == "a  b "
    assert escape("a \\{ b") == "a  b"  # BibTeX counts escaped braces too
    assert escape("ends in \\") == "ends in "
    assert escape("keeps {GPU} and $\\alpha$") == "keeps {GPU} and $\\alpha$"
    assert escape("50% of R&D #1") == "50\\% of R\\&D \\#1"


def test_entry_stays_balanced_with_hostile_title():
    paper = Paper(id="2401.00001", title="Evil} , note = {pwned", authors=["Zoë Ünal"],
                  published=date(2024, 1, 2), categories=["cs.CL"])  # fmt: skip
    bib = to_bibtex(paper)
    assert "title = {{Evil , note = pwned}}" in bib
    assert "\n  note =" not in bib
    assert cite_key(paper) == "unal2024evil"


def test_non_arxiv_papers_have_no_eprint():
    bib = to_bibtex(Paper(id="seed-1", title="The Paper", namespace="seed"))
    assert "eprint" not in bib and "author = {Unknown}" in bib


def fields(entry: str) -> list[tuple[str, str]]:
    """(name, value) of each field, split as BibTeX does: every brace counts, commas at depth 1."""
    body = entry[entry.index("{") + 1 :]
    parts, depth, start = [], 0, 0
    for i, ch in enumerate(body):
        depth += 1 if ch == "{" else -1 if ch == "}" else 0
        assert depth >= -1, entry
        if depth == -1:  # the entry's closing brace
            assert not body[i + 1 :].strip(), f"text after the entry: {body[i + 1 :]!r}"
            parts.append(body[start:i])
            break
        if ch == "," and depth == 0:
            parts.append(body[start:i])
            start = i + 1
    else:
        raise AssertionError(f"unbalanced entry: {entry}")
    out = []
    for part in parts[1:]:  # parts[0] is the cite key
        name, _, value = part.partition("=")
        out.append((name.strip(), value.strip()))
    return out


def test_bibtex_field_injection_probe():
    """Issue 7 L1: escaped braces closed the title early and injected a url field."""
    title = "X\\}\\}, url = {https://evil.example}, note = {\\{\\{B}"
    paper = Paper(id="2401.00001", title=title, authors=["A. Author"], published=date(2024, 1, 2))
    parsed = fields(to_bibtex(paper))
    names = [name for name, _ in parsed]
    assert names.count("url") == 1 and names.count("note") == 0
    assert dict(parsed)["url"] == "{https://arxiv.org/abs/2401.00001}"
    assert dict(parsed)["title"] == "{{X, url = https://evil.example, note = B}}"


def test_hostile_authors_and_journal_ref_stay_in_their_fields():
    paper = Paper(
        id="2401.00001",
        title="Fine {GPU} title",
        authors=["Eve}, url = {x", "Bob \\"],
        journal_ref="J. {Evil\\}",
        published=date(2024, 1, 2),
    )
    parsed = dict(fields(to_bibtex(paper)))
    assert parsed["title"] == "{{Fine {GPU} title}}"
    assert parsed["author"] == "{Eve, url = x and Bob }"
    assert parsed["note"] == "{J. Evil}"
