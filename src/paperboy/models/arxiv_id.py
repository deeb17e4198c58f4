"""arXiv identifiers in every form people paste, normalised to one canonical id.

arXiv has two schemes: new style ``YYMM.NNNN`` (2007-2014) / ``YYMM.NNNNN`` (2015-) and old
style ``archive/YYMMNNN`` where the archive may carry a subject class (``math.GT/0309136``);
the subject class is not part of the identifier, so it is dropped when normalising.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Archives that used the old scheme (before April 2007).
OLD_ARCHIVES = frozenset(
    """acc-phys adap-org alg-geom ao-sci astro-ph atom-ph bayes-an chao-dyn chem-ph cmp-lg
    comp-gas cond-mat cs dg-ga funct-an gr-qc hep-ex hep-lat hep-ph hep-th math math-ph mtrl-th
    nlin nucl-ex nucl-th patt-sol physics plasm-ph q-alg q-bio quant-ph solv-int supr-con""".split()
)

_NEW = r"(?P<new>\d{4}\.\d{4,5})"
_OLD = r"(?P<old>(?P<archive>[a-z][a-z\-]+)(?:\.[A-Za-z\-]{2,})?/(?P<num>\d{7}))"
_VERSION = r"(?:v(?P<version>\d{1,3}))?"
_CORE = rf"(?:{_NEW}|{_OLD}){_VERSION}"
_URL_PREFIX = r"(?:https?://)?(?:www\.|export\.)?arxiv\.org/(?:abs|pdf|html)/"

_FULL = re.compile(rf"^\s*(?:arxiv:\s*|{_URL_PREFIX})?{_CORE}(?:\.pdf)?/?\s*$", re.IGNORECASE)
_FIND = re.compile(rf"(?:arxiv:\s*|{_URL_PREFIX})?{_CORE}(?:\.pdf)?(?!\d|\.\d)", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class ArxivId:
    """A canonical arXiv id (no version) and the version that was named, if any."""

    id: str
    version: int | None = None

    def __str__(self) -> str:
        return f"{self.id}v{self.version}" if self.version else self.id

    @property
    def abs_url(self) -> str:
        return f"https://arxiv.org/abs/{self}"

    @property
    def pdf_url(self) -> str:
        return f"https://arxiv.org/pdf/{self}"


def _from_match(m: re.Match[str]) -> ArxivId | None:
    version = int(m.group("version")) if m.group("version") else None
    if version == 0:
        return None
    if m.group("new"):
        new = m.group("new")
        yymm, number = new.split(".")
        month = int(yymm[2:])
        if not 1 <= month <= 12:
            return None
        # The scheme starts at 0704; four-digit numbers ran until 1412, five-digit from 1501.
        if int(yymm) < _NEW_SCHEME_START or (len(number) == 5) != (int(yymm) >= 1501):
            return None
        return ArxivId(new, version)
    archive = m.group("archive").lower()
    if archive not in OLD_ARCHIVES:
        return None
    num = m.group("num")
    if not 1 <= int(num[2:4]) <= 12 or not _OLD_SCHEME_FIRST <= _yymm_sortable(num[:4]) <= 703:
        return None  # old-style ids ran from August 1991 to March 2007
    return ArxivId(f"{archive}/{num}", version)


_NEW_SCHEME_START = 704  # April 2007
_OLD_SCHEME_FIRST = 9108 - 10_000  # August 1991, as _yymm_sortable spells it


def _yymm_sortable(yymm: str) -> int:
    """YYMM as an int that sorts 1991-2007 in order: 9108 → -892, 0703 → 703."""
    value = int(yymm)
    return value - 10_000 if value >= 9000 else value


def parse_arxiv_id(text: str) -> ArxivId:
    """Parse one id, ``arXiv:`` form or abs/pdf URL; raise ValueError naming the input."""
    m = _FULL.match(text or "")
    parsed = _from_match(m) if m else None
    if parsed is None:
        raise ValueError(f"not an arXiv id: {text!r}")
    return parsed


def is_arxiv_id(text: str) -> bool:
    try:
        parse_arxiv_id(text)
    except ValueError:
        return False
    return True


def find_arxiv_ids(text: str) -> list[ArxivId]:
    """Every arXiv id or URL mentioned in free text, in order, without repeats."""
    found: list[ArxivId] = []
    for m in _FIND.finditer(text or ""):
        before = text[m.start() - 1] if m.start() else " "
        if before.isalnum() or before in "./":
            continue  # part of a longer token, such as a version string or a path
        parsed = _from_match(m)
        if parsed and parsed not in found:
            found.append(parsed)
    return found
