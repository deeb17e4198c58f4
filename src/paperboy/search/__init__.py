"""Search: query parsing, BM25, dense vectors, hybrid fusion, topic facets, related papers.

Callers (CLI, pages, API, digests) use ``Searcher`` from ``paperboy.search.service`` with the
types in ``paperboy.search.types``.
"""
