"""With the real packaged model on the 46 seed papers: hybrid search, facets, related."""

import json

from typer.testing import CliRunner

from paperboy.config import load_settings
from paperboy.search.service import Searcher
from paperboy.search.types import SearchRequest

# Title fragments of the seed papers of each meaning of "alignment".
KINDS = {
    "llm-preference": ["Aligning Large Language Models with Human: A Survey",
                       "Large Language Model Alignment: A Survey",
                       "Aligning Multimodal LLM with Human Preference",
                       "CycleAlign", "Transfer Q Star", "Baichuan Alignment"],
    "dna": ["DNA Sequence Alignment", "Comparative Genomic Analysis", "Find Central Dogma"],
    "speech": ["Optimize Desired Properties in CTC", "acoustic CTC loss"],
    "kg-entity": ["Entity Alignment in Knowledge Graphs"],
}  # fmt: skip


def kinds_by_id(store):
    out = {}
    for batch in store.papers.iter_papers():
        for p in batch:
            for kind, fragments in KINDS.items():
                if any(f.lower() in p.title.lower() for f in fragments):
                    out[p.id] = kind
    assert sorted(out.values()).count("dna") == 3 and len(out) == 12
    return out


def test_alignment_facets_separate_the_meanings(seed_store):
    resp = Searcher(seed_store, load_settings({})).search(
        SearchRequest("alignment", limit=50, facets=True)
    )
    assert resp.lexical_only is False
    assert 3 <= len(resp.facets) <= 8
    kinds = kinds_by_id(seed_store)
    facet_of = {pid: f.key for f in resp.facets for pid in f.ids}
    assert set(kinds) <= set(facet_of), "every paper of a known kind is in some facet"
    by_facet: dict[str, set[str]] = {}
    for pid, kind in kinds.items():
        by_facet.setdefault(facet_of[pid], set()).add(kind)
    mixed = {k: v for k, v in by_facet.items() if len(v) > 1}
    assert not mixed, f"facets mixing meanings: {mixed}"
    labels = {kinds[pid]: f.label for f in resp.facets for pid in f.ids if pid in kinds}
    assert "alignment" not in " ".join(labels.values())  # the query word labels nothing
    assert any(w in labels["dna"] for w in ("dna", "genom", "sequenc"))


def test_narrowing_to_a_facet(seed_store):
    searcher = Searcher(seed_store, load_settings({}))
    resp = searcher.search(SearchRequest("alignment", limit=50, facets=True))
    dna = next(f for f in resp.facets if any("sequenc" in w or "dna" in w
                                             for w in f.label.split(", ")))  # fmt: skip
    narrowed = searcher.search(SearchRequest("alignment", limit=50, facet=dna.key))
    assert {r.paper.id for r in narrowed.results} == set(dna.ids)
    assert narrowed.facets and narrowed.facets[0].key == resp.facets[0].key  # stable keys


def test_hybrid_finds_meaning_without_the_words(seed_store):
    searcher = Searcher(seed_store, load_settings({}))
    resp = searcher.search(SearchRequest("genome comparison of bacteria", limit=5))
    assert resp.lexical_only is False
    titles = " ".join(r.paper.title for r in resp.results[:3])
    assert "Genomic" in titles or "DNA" in titles or "Dogma" in titles
    assert any(r.matched in ("dense", "hybrid") for r in resp.results)


def test_related_papers_exclude_the_paper_and_give_reasons(seed_store):
    searcher = Searcher(seed_store, load_settings({}))
    kinds = kinds_by_id(seed_store)
    ctc = next(pid for pid, k in kinds.items() if k == "speech")
    related = searcher.related(ctc, limit=3)
    assert len(related) == 3 and ctc not in {r.paper.id for r in related}
    assert kinds.get(related[0].paper.id) == "speech"  # the other CTC paper is nearest
    assert related[0].reason.startswith("shares ") and "ctc" in related[0].reason
    assert [r.score for r in related] == sorted((r.score for r in related), reverse=True)


def test_cli_facets_json_shape(seed_store):
    from paperboy.cli import app

    runner = CliRunner()
    args = ["--db", seed_store.url, "search", "alignment", "--limit", "50", "--json"]
    plain = json.loads(runner.invoke(app, args).stdout)
    assert isinstance(plain, list) and set(plain[0]) == {"id", "title", "score"}
    faceted = json.loads(runner.invoke(app, [*args, "--facets"]).stdout)
    assert [r["id"] for r in faceted["results"]] == [r["id"] for r in plain]
    assert faceted["facets"] and all({"label", "ids"} <= set(f) for f in faceted["facets"])
    related = runner.invoke(app, ["--db", seed_store.url, "related", plain[0]["id"], "--json"])
    assert related.exit_code == 0 and len(json.loads(related.stdout)) == 5
