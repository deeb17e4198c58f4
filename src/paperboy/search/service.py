"""``Searcher``: the one search use case that the CLI, pages, API and digests call.

A search parses the query, pins papers named by id or exact title, ranks the rest by BM25
fused with dense vectors (when the store has them and the model loads), optionally groups the
top results into topic facets, then sorts and pages. Without vectors it still answers, from
BM25 alone, and says so (``lexical_only``).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from paperboy.config import Settings
from paperboy.models.paper import Paper
from paperboy.models.query import Filters, Hit
from paperboy.search import hybrid
from paperboy.search.batching import QueryBatcher
from paperboy.search.embed import Embedder, ModelUnavailable
from paperboy.search.facets import TOP as FACET_TOP
from paperboy.search.facets import topic_groups
from paperboy.search.lexical import LexicalResult, lexical_hits
from paperboy.search.query import ParsedQuery, merge_filters, parse_query
from paperboy.search.related import related_papers, stored_related
from paperboy.search.types import (
    SORTS,
    Facet,
    RelatedPaper,
    SearchRequest,
    SearchResponse,
    SearchResult,
)
from paperboy.store import Store

log = logging.getLogger(__name__)

POOL = 100  # candidates ranked per search (relevance), before paging
SORT_POOL = 200  # candidates re-sorted by date or trending
AND_ENOUGH = 10  # AND hits below this (or below the page) fall back to OR
DENSE_POOL = 100  # nearest neighbours fetched per search
RETRY_MODEL = 60.0  # seconds before trying again to load a model that failed
LIST_ORDERS = {"relevance": "listing", "date": "listing", "trending": "upvotes"}
METHODS = ("lexical", "dense", "hybrid")
LOADING_NOTE = "The meaning-based search model is still loading; these results match keywords only."
# Searches allowed in the dense path at once per Searcher (one per process); their queries
# are encoded together (``search/batching.py``). Under overload the rest answer from BM25
# alone, marked ``degraded`` so that nobody caches them: two cores cannot encode for 200
# connections one query at a time, and queueing for the encoder made every search wait
# seconds (bench/README.md, "The load mix").
MAX_ENCODING = 8
BUSY_NOTE = "Search by meaning is busy; these results match keywords only."
# When a model last failed to load, per model name: every Searcher in the process (CLI, web
# app, tests) then skips it for RETRY_MODEL seconds instead of retrying on each search.
_MODEL_FAILED_AT: dict[str, float] = {}


class Searcher:
    """Search over one store. Thread-safe; loads the embedding model lazily, once."""

    def __init__(
        self,
        store: Store,
        settings: Settings,
        *,
        overloaded: Callable[[], bool] | None = None,
    ) -> None:
        self.store = store
        self.settings = settings
        # True while the server is overloaded (the web app's render wait): keywords only.
        self.overloaded = overloaded or (lambda: False)
        self.embedder = Embedder(settings.embed_model)
        self.queries = QueryBatcher(lambda texts: self.embedder.encode(texts, query=True))
        self._workers: ThreadPoolExecutor | None = None
        # Set once a background preload finished; None when none was started (the CLI),
        # so that a search then loads the model itself, as it always did.
        self._loaded: threading.Event | None = None
        # Free encoding slots: taken without waiting before a search encodes its query,
        # given back when the encoding and nearest-neighbour scan are done.
        self.encoding_slots = threading.BoundedSemaphore(MAX_ENCODING)

    # --- start-up -------------------------------------------------------------------------
    def start_preload(self, done: Callable[[], None] | None = None) -> threading.Thread:
        """Load the model and the vector index on a thread; until then searches answer by
        keywords only and say so, instead of the first one waiting for the model (~13 s).
        ``done`` runs afterwards (the app empties its response cache there)."""
        self._loaded = threading.Event()
        thread = threading.Thread(
            target=self._preload, args=(done,), name="paperboy-preload", daemon=True
        )
        thread.start()
        return thread

    def _preload(self, done: Callable[[], None] | None) -> None:
        assert self._loaded is not None
        try:
            if self.store.vectors.count(self.embedder.name) > 0:  # builds the vector index
                self.encode_query("warm up")  # loads the model; a failure is remembered
        except Exception:
            log.exception("preloading the search model failed")
        finally:
            self._loaded.set()
            if done is not None:
                done()

    @property
    def loading(self) -> bool:
        """Whether a background preload is still running."""
        return self._loaded is not None and not self._loaded.is_set()

    @property
    def workers(self) -> ThreadPoolExecutor:
        """Threads that embed the query while BM25 runs; made on first search, not at import.

        Searches are many small requests. BLAS pools spin after each matrix product and
        steal the cores the query encoder and SQLite need, so BLAS runs on one thread here
        (a 75k exact scan: ~5 ms); concurrent requests still use every core.
        """
        if self._workers is None:
            # Imported here: threadpoolctl sets KMP_DUPLICATE_LIB_OK in os.environ on import.
            from threadpoolctl import threadpool_limits

            threadpool_limits(limits=1, user_api="blas")
            self._workers = ThreadPoolExecutor(
                max_workers=MAX_ENCODING, thread_name_prefix="paperboy-embed"
            )
        return self._workers

    def close(self) -> None:
        """Stop the worker threads; a later search (the app started again) makes new ones."""
        workers, self._workers = self._workers, None
        if workers is not None:
            workers.shutdown(wait=False)

    # --- search -------------------------------------------------------------------------
    def search(self, req: SearchRequest) -> SearchResponse:
        if req.sort not in SORTS:
            raise ValueError(f"unknown sort {req.sort!r}; expected one of {', '.join(SORTS)}")
        parsed = parse_query(req.q)
        filters = merge_filters(req.filters, parsed.filters)
        want = req.offset + req.limit
        if not parsed.text_query("or") and not parsed.ids:
            return self._browse(req, filters)
        pinned = self._pinned(parsed, filters)
        pool = max(POOL, want) if req.sort == "relevance" else max(SORT_POOL, want)
        if req.facets or req.facet:
            pool = max(pool, FACET_TOP)
        ranked, matched, lexical_only, notes = self._rank(parsed, filters, pool, want)
        degraded = BUSY_NOTE in notes
        pin_ids = {p for p, _ in pinned}
        ranked = [h for h in ranked if h.id not in pin_ids]
        # Papers are loaded only where they are needed: the page, the top FACET_TOP that
        # facets group (from document vectors: none without them, and none under overload,
        # where grouping is optional work like meaning), or the whole candidate pool for
        # another sort order.
        model = self.embedder.name
        faceting = (
            bool(req.facets or req.facet) and not degraded and self.store.vectors.count(model) > 0
        )
        if req.sort != "relevance":
            loaded = len(ranked)
        elif faceting:
            loaded = max(FACET_TOP, want - len(pinned))
        else:
            loaded = max(0, want - len(pinned))
        needed = ranked[:loaded]
        papers = self.store.papers.get_papers([h.id for h in needed] + [p for p, _ in pinned])
        if req.sort != "relevance" or faceting:
            ranked = [h for h in needed if h.id in papers] + ranked[loaded:]
        facets: list[Facet] = []
        if faceting:
            facets = self._facets(ranked[:FACET_TOP], papers, parsed)
        if req.facet:
            chosen = next((f for f in facets if f.key == req.facet), None)
            if chosen is None:
                notes.append(f"No facet {req.facet!r} in these results; showing all.")
            else:
                keep = set(chosen.ids)
                ranked = [h for h in ranked if h.id in keep]
        if req.sort != "relevance":
            scores = self.store.trending.scores(papers) if req.sort == "trending" else {}
            ranked = _sort(ranked, papers, req.sort, scores)
        top = max((h.score for h in ranked), default=0.0)
        pins = [Hit(pid, top + 1.0) for pid, _ in pinned]
        matched.update(dict(pinned))
        order = pins + ranked
        for pid in parsed.ids:
            if pid not in papers:
                notes.append(f"arXiv:{pid} is not in this database.")
        page = [h for h in order[req.offset : want] if h.id in papers]
        results = [SearchResult(papers[h.id], h.score, matched.get(h.id, "lexical")) for h in page]
        return SearchResponse(results, len(order), facets, lexical_only, notes, degraded)

    def _browse(self, req: SearchRequest, filters: Filters) -> SearchResponse:
        """No words: the newest (or most upvoted) papers that pass the filters."""
        papers = self.store.papers.list_papers(
            filters, order=LIST_ORDERS[req.sort], limit=req.limit, offset=req.offset
        )
        results = [SearchResult(p, 0.0, "lexical") for p in papers]
        return SearchResponse(
            results, total=self.store.papers.count_papers(filters), lexical_only=True
        )

    def _pinned(self, parsed: ParsedQuery, filters: Filters) -> list[tuple[str, str]]:
        """Papers named by arXiv id (in order), then exact title matches."""
        found = self.store.papers.get_papers(parsed.ids) if parsed.ids else {}
        out = [(pid, "id") for pid in parsed.ids if pid in found]
        title = parsed.title_candidate
        if title and len(title) >= 8:
            ids = self.store.papers.find_by_title(title)
            if filters.namespace and ids:
                keep = self.store.papers.filter_ids(ids, Filters(namespace=filters.namespace))
                ids = [i for i in ids if i in keep]
            out += [(pid, "title") for pid in ids if pid not in dict(out)]
        return out

    def _rank(
        self, parsed: ParsedQuery, filters: Filters, pool: int, want: int
    ) -> tuple[list[Hit], dict[str, str], bool, list[str]]:
        """Candidates best first, how each matched, whether only BM25 was used, notes.

        The query is embedded and its nearest vectors found on a worker thread while BM25 runs
        here: all of it releases the GIL (torch, BLAS or faiss, SQLite), so on two cores a
        search costs about the slower of the two.
        """
        # While the preload runs, not even ``has_vectors``: it would wait for the index.
        loading = bool(parsed.text) and self.loading
        dense_on = bool(parsed.text) and not loading and self.has_vectors()
        # Overloaded (renders wait, or no free encoding slot): keywords only, not a queue.
        busy = dense_on and (self.overloaded() or not self.encoding_slots.acquire(blocking=False))
        nearest = None
        if dense_on and not busy:
            try:
                nearest = self.workers.submit(self._nearest_slot, parsed.text, DENSE_POOL, filters)
            except BaseException:
                self.encoding_slots.release()
                raise
        lex = lexical_hits(
            self.store, parsed, filters or None, limit=pool, enough=min(AND_ENOUGH, want)
        )
        notes = list(lex.notes) + ([LOADING_NOTE] if loading else [])
        if busy:
            log.debug("%d query encodings in flight; searching by keywords only", MAX_ENCODING)
            notes.append(BUSY_NOTE)
        found = nearest.result() if nearest is not None else None
        if found is None:
            return lex.hits, {h.id: "lexical" for h in lex.hits}, True, notes
        q = found[0]
        dense = self._dense_scores(found, lex)
        lexical = hybrid.normalised_lexical(lex.bm25)
        fused = hybrid.convex(lexical, dense)
        # Passages can only reorder what is already near the top: look them up for those.
        top = [h.id for h in fused[: hybrid.PASSAGE_CANDIDATES]]
        dense.update(hybrid.with_passages({i: dense[i] for i in top if i in dense}, q,
                                          self.store, self.embedder.name))  # fmt: skip
        fused = hybrid.convex(lexical, dense)
        if lex.mode == "and" and lex.hits:
            # Every word matched for these: the dense side may add to them, not push them out.
            full = {h.id for h in lex.hits}
            fused = [h for h in fused if h.id in full] + [h for h in fused if h.id not in full]
        lexical_ids = {h.id for h in lex.hits}
        matched = {h.id: ("hybrid" if h.id in lexical_ids else "dense") for h in fused}
        return fused[:pool], matched, False, notes

    # --- dense --------------------------------------------------------------------------
    def has_vectors(self) -> bool:
        """Whether dense search can run: the store has vectors and the model has not just
        failed to load."""
        failed = _MODEL_FAILED_AT.get(self.embedder.name)
        if failed is not None and time.monotonic() - failed < RETRY_MODEL:
            return False
        return self.store.vectors.count(self.embedder.name) > 0

    def encode_query(self, text: str) -> np.ndarray | None:
        try:
            vector = self.queries.encode(text)
        except ModelUnavailable as exc:
            log.warning("%s; searching by keywords only", exc)
            _MODEL_FAILED_AT[self.embedder.name] = time.monotonic()
            return None
        _MODEL_FAILED_AT.pop(self.embedder.name, None)
        return vector

    def _nearest_slot(
        self, text: str, k: int, filters: Filters
    ) -> tuple[np.ndarray, list[Hit]] | None:
        """``_nearest``, giving back the encoding slot that ``_rank`` took for it."""
        try:
            return self._nearest(text, k, filters)
        finally:
            self.encoding_slots.release()

    def _nearest(self, text: str, k: int, filters: Filters) -> tuple[np.ndarray, list[Hit]] | None:
        """(query vector, nearest papers), or None when the model is unavailable."""
        q = self.encode_query(text)
        if q is None:
            return None
        return q, self.store.vectors.nearest(self.embedder.name, q, k, filters or None)

    def _dense_scores(
        self, found: tuple[np.ndarray, list[Hit]], lex: LexicalResult
    ) -> dict[str, float]:
        """Dense similarity of the nearest papers and of every lexical candidate."""
        q, hits = found
        near = {h.id: h.score for h in hits}
        missing = [h.id for h in lex.bm25 if h.id not in near]
        for pid, v in self.store.vectors.get_vectors(self.embedder.name, missing).items():
            near[pid] = float(v @ q)
        return near

    def rank_ids(self, text: str, method: str, filters: Filters, k: int = 100) -> list[str]:
        """Plain rankings for evaluation: ``lexical``, ``dense`` or ``hybrid`` (the default
        search path, ids and titles aside)."""
        parsed = parse_query(text)
        if method == "dense":
            found = self._nearest(parsed.text, k, filters) if self.has_vectors() else None
            return [h.id for h in found[1]] if found is not None else []
        if method == "lexical":
            lex = lexical_hits(self.store, parsed, filters or None, limit=k, enough=AND_ENOUGH)
            return [h.id for h in lex.hits]
        ranked, *_ = self._rank(parsed, filters, max(POOL, k), k)
        return [h.id for h in ranked[:k]]

    # --- facets -------------------------------------------------------------------------
    def _facets(
        self, hits: list[Hit], papers: dict[str, Paper], parsed: ParsedQuery
    ) -> list[Facet]:
        found = self.store.vectors.get_vectors(self.embedder.name, [h.id for h in hits])
        rows = [(h.id, found[h.id]) for h in hits if h.id in found]
        if not rows:
            return []
        vectors = np.stack([v for _, v in rows])
        groups = topic_groups([papers[pid] for pid, _ in rows], vectors, parsed.terms)
        return [Facet(f"t{i}", g.label, g.ids) for i, g in enumerate(groups, 1)]

    # --- related ------------------------------------------------------------------------
    def related(self, paper_id: str, limit: int = 5) -> list[RelatedPaper]:
        """Nearest papers to ``paper_id`` (never itself), each with a short reason.

        The list stored when vectors were made when it is long enough; otherwise computed
        now (nearest vectors, or BM25 without them). Raises KeyError when the paper is not
        in the store.
        """
        paper = self.store.papers.get_paper(paper_id)
        if paper is None:
            raise KeyError(paper_id)
        stored = stored_related(self.store, self.embedder.name, paper.id, limit)
        if stored is not None:
            return stored
        return related_papers(self.store, paper, self.embedder.name, limit)


def _sort(
    hits: list[Hit], papers: dict[str, Paper], sort: str, scores: dict[str, float] | None = None
) -> list[Hit]:
    """``date``: newest first. ``trending``: papers with a trending score first, by score
    (``core/trending.py``), then by imported upvotes, then newest."""
    scores = scores or {}

    def day(p: Paper) -> str:
        d = p.listing_date or p.published
        return d.isoformat() if d else ""

    if sort == "date":
        return sorted(hits, key=lambda h: (day(papers[h.id]), h.id), reverse=True)
    return sorted(
        hits,
        key=lambda h: (scores.get(h.id, -1.0), papers[h.id].upvotes or 0, day(papers[h.id]), h.id),
        reverse=True,
    )
