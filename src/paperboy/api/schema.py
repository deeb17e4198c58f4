"""Paper → JSON shapes shared by the JSON API, the feeds and the pages.

The outer shapes follow Hugging Face Papers, field for field, so the unmodified
``huggingface_hub`` client (``HfApi(endpoint=...)``) reads them: ``paper_json`` is what
``/api/papers/{id}`` returns (``PaperInfo(**json)``), ``daily_item`` is one element of
``/api/daily_papers`` and ``/api/papers/search`` (the paper nested under ``"paper"``, the
title and the day it was listed beside it). Everything Hugging Face has no field for lives
under one ``"paperboy"`` object, so our additions never collide with theirs.

``upvotes`` is the documented sum of upvotes imported from Hugging Face and local votes;
``paperboy.importedUpvotes``, ``paperboy.votes`` and ``paperboy.saves`` give the parts. Local
counts are holes (``paperboy.api.holes``) filled when the answer is served, so a cached
answer still shows the latest votes.
"""

from __future__ import annotations

import re
from datetime import date
from urllib.parse import quote

from paperboy.api.holes import Holes
from paperboy.models.paper import Paper

# Characters XML 1.0 forbids; imported text may carry them and they would break the feeds.
MAX_LIST_AUTHORS = 100  # per paper in list JSON; big collaborations list thousands
_XML_BAD = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def xml_safe(text: str | None) -> str:
    return _XML_BAD.sub("", text or "")


def iso_day(day: date | None) -> str | None:
    """A day as Hugging Face writes timestamps (midnight UTC, milliseconds, ``Z``)."""
    return f"{day.isoformat()}T00:00:00.000Z" if day else None


SHORT_AUTHORS = 3


def authors_short(authors: list[str], n: int = SHORT_AUTHORS) -> str:
    """``A, B, C et al.`` for cards and mails; the paper page lists everyone."""
    if not authors:
        return "Unknown authors"
    if len(authors) <= n + 1:
        return ", ".join(authors)
    return ", ".join(authors[:n]) + " et al."


def paper_path(paper_id: str) -> str:
    """Our page for a paper; ids may carry ``/`` (old arXiv style) and other odd characters."""
    return "/papers/" + quote(paper_id, safe="/:")


def web_links(urls: list[str]) -> list[str]:
    """Only http(s) links: an imported ``javascript:`` or ``data:`` URL is dropped, not shown."""
    return [u for u in urls if u.lower().startswith(("https://", "http://"))]


def github_repo(paper: Paper) -> str | None:
    return next((u for u in web_links(paper.code_links) if "github.com/" in u.lower()), None)


def project_page(paper: Paper) -> str | None:
    return next((u for u in web_links(paper.code_links) if "github.com/" not in u.lower()), None)


def paperboy_json(paper: Paper) -> dict:
    """Our own fields for one paper, namespaced so they never clash with Hugging Face's."""
    return {
        "id": paper.id,
        "namespace": paper.namespace,
        "version": paper.version,
        "categories": paper.categories,
        "primaryCategory": paper.primary_category,
        "published": paper.published.isoformat() if paper.published else None,
        "updated": paper.updated.isoformat() if paper.updated else None,
        "listingDate": paper.listing_date.isoformat() if paper.listing_date else None,
        "comment": paper.comment,
        "journalRef": paper.journal_ref,
        "doi": paper.doi,
        "codeLinks": web_links(paper.code_links),
        "upvoteSources": paper.upvote_sources,
        "absUrl": paper.abs_url,
        "pdfUrl": paper.pdf_url,
        "url": paper_path(paper.id),
        "bibtexUrl": paper_path(paper.id) + ".bib",
    }


def community_json(paper: Paper, holes: Holes | None) -> dict:
    """Imported upvotes and local votes and saves, apart (live holes when ``holes``)."""
    imported = paper.upvotes or 0
    if holes is None:
        return {"importedUpvotes": imported}
    return {
        "importedUpvotes": imported,
        "votes": holes.json("v", paper.id),
        "saves": holes.json("s", paper.id),
    }


def upvotes(paper: Paper, holes: Holes | None) -> object:
    """Hugging Face's ``upvotes``: imported + local votes."""
    imported = paper.upvotes or 0
    return holes.json("u", paper.id, imported) if holes is not None else imported


def paper_json(paper: Paper, *, extra: dict | None = None, holes: Holes | None = None) -> dict:
    """The flat paper object of ``GET /api/papers/{id}`` (Hugging Face ``PaperInfo``)."""
    published = paper.published or paper.listing_date
    ours = paperboy_json(paper)
    ours.update(community_json(paper, holes))
    if extra:
        ours.update(extra)
    return {
        "id": paper.id,
        "authors": [{"name": name, "hidden": False} for name in paper.authors],
        "publishedAt": iso_day(published),
        "submittedOnDailyAt": iso_day(paper.listing_date),
        "title": paper.title,
        "summary": paper.abstract,
        "upvotes": upvotes(paper, holes),
        "numComments": 0,
        "githubRepo": github_repo(paper),
        "projectPage": project_page(paper),
        "paperboy": ours,
    }


def daily_item(paper: Paper, *, extra: dict | None = None, holes: Holes | None = None) -> dict:
    """One element of ``/api/daily_papers`` and ``/api/papers/search``.

    As on Hugging Face, ``paper.publishedAt`` is the paper's own date and the outer
    ``publishedAt`` the day it was listed (``PaperInfo.submitted_at``). Lists carry at most
    ``MAX_LIST_AUTHORS`` names per paper (a page of big collaborations would weigh megabytes);
    ``paperboy.authorCount`` gives the full count and ``/api/papers/{id}`` every name.
    """
    inner = paper_json(paper, holes=holes)
    inner["authors"] = inner["authors"][:MAX_LIST_AUTHORS]
    ours = inner.pop("paperboy")
    ours["authorCount"] = len(paper.authors)
    if extra:
        ours.update(extra)
    return {
        "paper": inner,
        "title": paper.title,
        "summary": paper.abstract,
        "publishedAt": iso_day(paper.listing_date or paper.published),
        "numComments": 0,
        # The client reads these beside "paper", not inside it.
        "githubRepo": inner["githubRepo"],
        "projectPage": inner["projectPage"],
        "paperboy": ours,
    }


def paper_markdown(paper: Paper) -> str:
    """The page of one paper as Markdown (``/papers/{id}.md``, ``HfApi.read_paper``)."""
    lines = [f"# {paper.title}", ""]
    if paper.authors:
        lines += [f"**Authors:** {', '.join(paper.authors)}", ""]
    facts = [f"**ID:** {paper.id}" + (f"v{paper.version}" if paper.version else "")]
    if paper.published:
        facts.append(f"**Published:** {paper.published.isoformat()}")
    if paper.listing_date:
        facts.append(f"**Listed:** {paper.listing_date.isoformat()}")
    if paper.categories:
        facts.append(f"**Categories:** {', '.join(paper.categories)}")
    if paper.upvotes:
        facts.append(f"**Upvotes:** {paper.upvotes}")
    lines += [" · ".join(facts), "", "## Abstract", "", paper.abstract or "(no abstract)", ""]
    links = [u for u in (paper.abs_url, paper.pdf_url, *web_links(paper.code_links)) if u]
    if links:
        lines += ["## Links", "", *[f"- <{u}>" for u in links], ""]
    if paper.comment:
        lines += ["## Comment", "", paper.comment, ""]
    return "\n".join(lines)
