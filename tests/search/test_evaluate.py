"""BEIR metrics on a tiny hand-made corpus, by hand-computed values."""

import json
import math

import pytest

from paperboy.search.evaluate import ndcg_at, read_qrels, recall_at, score_run


def test_ndcg_by_hand():
    rel = {"a": 1, "b": 1}
    assert ndcg_at(["a", "b", "c"], rel) == pytest.approx(1.0)
    assert ndcg_at(["c", "a"], rel) == pytest.approx((1 / math.log2(3)) / (1 + 1 / math.log2(3)))
    assert ndcg_at(["x"] * 10 + ["a"], rel) == 0.0  # past the cut-off
    graded = {"a": 2, "b": 1}
    assert ndcg_at(["b", "a"], graded) == pytest.approx(
        (1 + 2 / math.log2(3)) / (2 + 1 / math.log2(3))
    )


def test_recall_and_means():
    rel = {"a": 1, "b": 1, "z": 0}
    assert recall_at(["a", "x"], rel) == 0.5
    assert recall_at(["x"] * 100 + ["a"], rel) == 0.0
    run = {"q1": ["a", "b"], "q2": ["x"]}
    qrels = {"q1": {"a": 1, "b": 1}, "q2": {"y": 1}, "q3": {"n": 0}}
    s = score_run(run, qrels)
    assert s.queries == 2  # q3 has no relevant document
    assert s.ndcg10 == pytest.approx(0.5) and s.recall100 == pytest.approx(0.5)


def test_read_qrels_skips_the_header(tmp_path):
    p = tmp_path / "q.tsv"
    p.write_text("query-id\tcorpus-id\tscore\n1\td1\t1\n1\td2\t0\n2\td3\t2\n")
    assert read_qrels(p) == {"1": {"d1": 1, "d2": 0}, "2": {"d3": 2}}


def write_beir(folder):
    corpus = [
        {"_id": "d1", "title": "Aspirin and heart attacks", "text": "Low dose aspirin lowers "
         "the risk of myocardial infarction in adults."},
        {"_id": "d2", "title": "Coffee and sleep", "text": "Caffeine delays sleep onset."},
        {"_id": "d3", "title": "Statins", "text": "Statins reduce cholesterol and cardiac events."},
        {"_id": "d4", "title": "Exercise", "text": "Running improves mood and sleep quality."},
    ]  # fmt: skip
    queries = [{"_id": "1", "text": "aspirin prevents heart attacks"},
               {"_id": "2", "text": "caffeine keeps people awake"},
               {"_id": "3", "text": "unjudged query"}]  # fmt: skip
    (folder / "corpus.jsonl").write_text("\n".join(json.dumps(d) for d in corpus))
    (folder / "queries.jsonl").write_text("\n".join(json.dumps(q) for q in queries))
    (folder / "qrels.tsv").write_text("query-id\tcorpus-id\tscore\n1\td1\t1\n2\td2\t1\n")
    return folder


def test_paperboy_eval_end_to_end(tmp_path):
    """The real command on a four-document corpus: every method finds both answers first."""
    from typer.testing import CliRunner

    from paperboy.cli import app

    f = write_beir(tmp_path)
    result = CliRunner().invoke(
        app,
        ["eval", "--corpus", str(f / "corpus.jsonl"), "--queries", str(f / "queries.jsonl"),
         "--qrels", str(f / "qrels.tsv"), "--json"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    table = json.loads(result.stdout.strip().splitlines()[-1])
    assert set(table["methods"]) == {"lexical", "dense", "hybrid"}
    for row in table["methods"].values():
        assert row["queries"] == 2
        assert row["ndcg@10"] == 1.0 and row["recall@100"] == 1.0
