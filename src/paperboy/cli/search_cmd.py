"""Search commands: search, related, embed, eval. Each parses, calls ``paperboy.search``, prints."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from paperboy.cli.app import Context, date_option, err, fail, print_json, progress_bar
from paperboy.models.query import Filters
from paperboy.search.types import SORTS, SearchRequest, SearchResponse

out = Console()


def register(app: typer.Typer) -> None:
    app.command()(search)
    app.command()(related)
    app.command()(embed)
    app.command("eval")(eval_cmd)


def _rows(resp: SearchResponse) -> list[dict]:
    return [
        {"id": r.paper.id, "title": r.paper.title, "score": round(r.score, 6)} for r in resp.results
    ]


def search(
    ctx: typer.Context,
    query: Annotated[
        str | None, typer.Argument(help='Words, "phrases", ids, cat:/author:/after:/before:.')
    ] = None,  # noqa: E501
    limit: Annotated[int, typer.Option(help="How many results.")] = 20,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    facets: Annotated[
        bool, typer.Option("--facets", help="Group the top results by topic.")
    ] = False,  # noqa: E501
    facet: Annotated[str | None, typer.Option(help="Narrow to the facet with this key.")] = None,
    cat: Annotated[
        list[str] | None, typer.Option(help="Category, e.g. cs.CL (repeatable).")
    ] = None,  # noqa: E501
    author: Annotated[list[str] | None, typer.Option(help="Author name (repeatable).")] = None,
    after: Annotated[str | None, typer.Option(help="Listed on or after YYYY-MM-DD.")] = None,
    before: Annotated[str | None, typer.Option(help="Listed on or before YYYY-MM-DD.")] = None,
    sort: Annotated[str, typer.Option(help="relevance, date or trending.")] = "relevance",
    batch: Annotated[
        Path | None,
        typer.Option(help='JSONL of {"_id","text"} queries; one JSON line out per query.'),
    ] = None,  # noqa: E501
) -> None:
    """Search papers by keyword and meaning."""
    from paperboy.search.service import Searcher

    if sort not in SORTS:
        fail(f"--sort {sort!r}: expected one of {', '.join(SORTS)}")
    if (query is None) == (batch is None):
        fail("give a QUERY or --batch FILE (not both)")
    filters = Filters(
        categories=tuple(cat or ()),
        authors=tuple(author or ()),
        after=date_option(after, "--after"),
        before=date_option(before, "--before"),
    )
    c: Context = ctx.obj
    with c.store() as store:
        searcher = Searcher(store, c.settings)
        if batch is not None:
            _run_batch(searcher, batch, filters, sort, limit)
            return
        assert query is not None  # exactly one of QUERY and --batch, checked above
        req = SearchRequest(query, filters, sort, limit, facets=facets or bool(facet), facet=facet)
        try:
            resp = searcher.search(req)
        except ValueError as exc:  # QueryError too: a filter out of bounds, an unusable query
            fail(escape(str(exc)))
    if as_json:
        rows = _rows(resp)
        if facets:
            print_json(
                {
                    "results": rows,
                    "facets": [{"key": f.key, "label": f.label, "ids": f.ids} for f in resp.facets],
                }
            )
        else:
            print_json(rows)
        return
    for note in resp.notes:
        err.print(f"[yellow]{note}[/yellow]", highlight=False)
    if resp.lexical_only:
        err.print("[dim]keyword search only (no vectors yet: run `paperboy embed`)[/dim]")
    table = Table(show_header=True, header_style="bold", box=None)
    for col in ("#", "id", "score", "title"):
        table.add_column(col)
    for i, r in enumerate(resp.results, 1):
        table.add_row(str(i), r.paper.id, f"{r.score:.3f}", r.paper.title)
    out.print(table)
    out.print(f"[dim]{resp.total} matching[/dim]")
    for f in resp.facets:
        out.print(f"  facet {f.key}: {f.label} ({len(f.ids)})", highlight=False)


def _run_batch(searcher, path: Path, filters: Filters, sort: str, limit: int) -> None:
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        fail(f"{path}: {exc.strerror}")
    for n, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
            qid, text = str(item["_id"]), str(item["text"])
        except (json.JSONDecodeError, KeyError, TypeError):
            fail(f"{path}:{n}: expected a JSON object with _id and text")
        try:
            resp = searcher.search(SearchRequest(text, filters, sort, limit))
        except ValueError as exc:  # QueryError too: a filter out of bounds, an unusable query
            fail(escape(f"{path}:{n}: {exc}"))
        print_json({"query_id": qid, "results": _rows(resp)})


def related(
    ctx: typer.Context,
    paper_id: Annotated[str, typer.Argument(help="A paper id.")],
    limit: Annotated[int, typer.Option(help="How many papers.")] = 5,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Papers nearest in meaning to one paper, each with a short reason."""
    from paperboy.search.service import Searcher

    c: Context = ctx.obj
    with c.store() as store:
        try:
            found = Searcher(store, c.settings).related(paper_id.strip(), limit)
        except KeyError:
            fail(f"no paper {paper_id!r} in {c.settings.database_url}")
    if as_json:
        print_json(
            [
                {"id": r.paper.id, "title": r.paper.title, "score": round(r.score, 6),
                 "reason": r.reason}
                for r in found
            ]
        )  # fmt: skip
        return
    for r in found:
        out.print(f"{r.score:.3f}  {r.paper.id:<14} {r.paper.title}", highlight=False)
        out.print(f"       [dim]{r.reason}[/dim]", highlight=False)


def embed(
    ctx: typer.Context,
    batch_size: Annotated[int, typer.Option(help="Texts per model call.")] = 64,
    with_passages: Annotated[
        bool,
        typer.Option(
            "--passages/--no-passages",
            help="Also embed sentence windows of abstracts (better ranking, ~5x the work).",
        ),
    ] = True,
) -> None:
    """Compute vectors for new and changed papers (the others keep theirs)."""
    from paperboy.core.embed import ModelUnavailable, embed_new

    c: Context = ctx.obj
    with c.store() as store:
        try:
            with progress_bar("embedding papers") as advance:
                report = embed_new(
                    store,
                    c.settings,
                    passages=with_passages,
                    batch_size=batch_size,
                    progress=advance,
                    on_total=advance.set_total,
                )
        except ModelUnavailable as exc:
            fail(str(exc))
    out.print(
        f"embedded {report.embedded} papers ({report.passages} passages) with {report.model}; "
        f"{report.current} were already up to date"
        + (f"; related papers stored for {report.related}" if report.related else "")
    )


def eval_cmd(
    ctx: typer.Context,
    corpus: Annotated[Path, typer.Option(help="BEIR corpus.jsonl ({_id, title, text}).")],
    queries: Annotated[Path, typer.Option(help="BEIR queries.jsonl ({_id, text}).")],
    qrels: Annotated[Path, typer.Option(help="BEIR qrels TSV (query-id, corpus-id, score).")],
    db: Annotated[
        str | None, typer.Option("--db", help="Keep the store here (default: a temporary one).")
    ] = None,  # noqa: E501
    namespace: Annotated[
        str, typer.Option(help="Namespace the corpus is imported under.")
    ] = "eval",  # noqa: E501
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Measure nDCG@10 and recall@100 of lexical, dense and hybrid search on a BEIR set."""
    from paperboy.search.evaluate import run_eval

    for path in (corpus, queries, qrels):
        if not path.is_file():
            fail(f"{path}: no such file")
    c: Context = ctx.obj
    with tempfile.TemporaryDirectory(prefix="paperboy-eval-") as tmp:
        url = db or str(Path(tmp) / "eval.db")
        settings = c.settings.with_overrides(database_url=url)
        try:
            table = run_eval(settings, corpus, queries, qrels, namespace, progress=progress_bar)
        except ValueError as exc:
            fail(str(exc))
    if as_json:
        print_json(table)
        return
    t = Table("method", "nDCG@10", "recall@100", "queries", box=None)
    for method, row in table["methods"].items():
        t.add_row(method, f"{row['ndcg@10']:.4f}", f"{row['recall@100']:.4f}", str(row["queries"]))
    out.print(t)
    for note in table.get("notes", []):
        err.print(f"[yellow]{note}[/yellow]", highlight=False)
