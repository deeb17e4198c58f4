r"""BibTeX for one paper, in the shape arXiv itself exports (``@misc`` with eprint fields).

Titles and names are untrusted text: a field whose braces do not balance loses them all
(BibTeX counts every brace, ``\{`` included, so escaping cannot help), so one record
cannot close its field early, inject fields or swallow the rest of a user's bibliography;
and BibTeX's comment and macro characters are escaped everywhere.
"""

from __future__ import annotations

import re
import unicodedata

from fastapi import APIRouter, Request
from starlette.responses import Response

from paperboy.api.cache import Rendered
from paperboy.api.deps import paper_response
from paperboy.api.responses import PAPER, BibtexResponse
from paperboy.models.paper import Paper

router = APIRouter()

_SPECIAL = re.compile(r"(?<!\\)([&%#])")
_BRACE = re.compile(r"\\?[{}]")  # a brace with the backslash that meant to escape it
_KEY_WORD = re.compile(r"[A-Za-z0-9]+")
_STOP = {"a", "an", "the", "on", "of", "for", "in", "to", "and", "with", "towards", "toward"}


def _balanced(text: str) -> bool:
    """Whether every brace pairs up, counted as BibTeX counts them: all of them."""
    depth = 0
    for ch in text:
        depth += 1 if ch == "{" else -1 if ch == "}" else 0
        if depth < 0:
            return False
    return depth == 0


def escape(text: str) -> str:
    """Text safe inside a braced BibTeX field; math such as ``$\\alpha$`` is kept."""
    text = _SPECIAL.sub(r"\\\1", text or "")
    # BibTeX counts every brace; LaTeX, reading the field later, skips escaped ones.
    if not (_balanced(text) and _balanced(text.replace("\\{", "").replace("\\}", ""))):
        text = _BRACE.sub("", text)
    return text.rstrip("\\")  # a trailing one would escape the closing brace


def _ascii_word(text: str) -> str:
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(_KEY_WORD.findall(plain)).lower()


def cite_key(paper: Paper) -> str:
    """``surname`` + ``year`` + first significant title word, as Google Scholar does."""
    surname = _ascii_word(paper.authors[0].split()[-1]) if paper.authors else "anon"
    day = paper.published or paper.listing_date
    year = str(day.year) if day else ""
    words = [_ascii_word(w) for w in paper.title.split()]
    word = next((w for w in words if w and w not in _STOP), "")
    return (surname or "anon") + year + word


def to_bibtex(paper: Paper) -> str:
    fields: list[tuple[str, str]] = [
        ("title", "{" + escape(paper.title) + "}"),
        ("author", " and ".join(escape(a) for a in paper.authors) or "Unknown"),
    ]
    day = paper.published or paper.listing_date
    if day:
        fields.append(("year", str(day.year)))
    if paper.is_arxiv:
        fields += [("eprint", paper.id), ("archivePrefix", "arXiv")]
        if paper.primary_category:
            fields.append(("primaryClass", escape(paper.primary_category)))
        fields.append(("url", f"https://arxiv.org/abs/{paper.id}"))
    if paper.doi:
        fields.append(("doi", escape(paper.doi)))
    if paper.journal_ref:
        fields.append(("note", escape(paper.journal_ref)))
    body = ",\n".join(f"  {name} = {{{value}}}" for name, value in fields)
    return f"@misc{{{cite_key(paper)},\n{body}\n}}\n"


@router.get(
    "/papers/{paper_id:path}.bib",
    tags=["Export"],
    summary="One paper as BibTeX",
    response_class=BibtexResponse,
    responses=PAPER,
)
async def paper_bib(request: Request, paper_id: str) -> Response:
    def render(paper: Paper) -> Rendered:
        filename = cite_key(paper) + ".bib"
        return Rendered(
            to_bibtex(paper).encode(),
            "application/x-bibtex; charset=utf-8",
            (("Content-Disposition", f'inline; filename="{filename}"'),),
        )

    return await paper_response(request, paper_id, render)
