"""Shared adapter pieces: ids, dates and the result types every format yields."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

from paperboy.models.arxiv_id import parse_arxiv_id
from paperboy.models.paper import ARXIV, Paper, PaperError, normalize, printable

LOCAL = "local"


@dataclass(frozen=True, slots=True)
class Rejected:
    """A record that did not import: where it was and why."""

    source: str
    location: str
    reason: str

    def __str__(self) -> str:
        # Escaped: the location may quote a hostile id, and this goes to terminals and logs.
        return printable(f"{self.source}: {self.location}: {self.reason}")


def to_date(value: object, name: str) -> date | None:
    """Dates as arXiv and HF write them: ``2024-01-02``, RFC 3339 timestamps, or None."""
    if value in (None, ""):
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if not isinstance(value, str):
        raise PaperError(f"{name}: expected a date, got {type(value).__name__}")
    text = value.strip()
    try:
        if len(text) == 10:
            return date.fromisoformat(text)
        return datetime.fromisoformat(text.replace("Z", "+00:00")).date()
    except ValueError:
        raise PaperError(f"{name}: not a date: {text[:40]!r}") from None


def to_moment(value: str | None, name: str) -> datetime | None:
    """An RFC 3339 timestamp (``2024-01-02T18:00:00Z``); naive ones are read as UTC."""
    if value is None or not value.strip():
        return None
    text = value.strip()
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise PaperError(f"{name}: not a timestamp: {text[:40]!r}") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def resolve_id(raw: object, namespace: str | None = None) -> tuple[str, str, int | None]:
    """(id, namespace, version): arXiv ids are canonicalised, anything else kept as given.

    With an explicit non-arXiv ``namespace`` the id is never read as an arXiv id, so a corpus
    whose ids happen to look like arXiv ids keeps them.
    """
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        raise PaperError("id: missing")
    text = str(raw).strip()
    if namespace in (None, ARXIV):
        try:
            parsed = parse_arxiv_id(text)
        except ValueError:
            if namespace == ARXIV:
                raise PaperError(f"id: not an arXiv id: {text[:60]!r}") from None
        else:
            return parsed.id, ARXIV, parsed.version
    return text, namespace or LOCAL, None


def build_paper(source: str, location: str, **fields) -> Paper | Rejected:
    """A normalised Paper, or a Rejected naming the source, the record and the reason."""
    try:
        return normalize(Paper(**fields))
    except (PaperError, TypeError) as exc:
        return Rejected(source, location, str(exc))
