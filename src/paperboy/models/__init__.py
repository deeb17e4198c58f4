"""Plain data types shared by every layer: ids, papers and their limits."""

from paperboy.models.arxiv_id import ArxivId, find_arxiv_ids, parse_arxiv_id
from paperboy.models.paper import Paper

__all__ = ["ArxivId", "Paper", "find_arxiv_ids", "parse_arxiv_id"]
