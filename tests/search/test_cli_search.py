"""The search commands' output shapes, on a small store without vectors."""

import json

from typer.testing import CliRunner

from paperboy.cli import app


def run(store, *args):
    result = CliRunner().invoke(app, ["--db", store.url, *args])
    return result


def test_search_json_is_a_plain_list(store):
    result = run(store, "search", "planning", "--json", "--limit", "1")
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert len(rows) == 1 and set(rows[0]) == {"id", "title", "score"}


def test_search_options_become_filters(store):
    args = ["search", "models", "--json", "--author", "LeCun", "--cat", "cs.RO"]
    assert [r["id"] for r in json.loads(run(store, *args).stdout)] == ["2503.00003"]
    rows = json.loads(run(store, "search", "models OR planning", "--json", "--after",
                          "2025-03-01", "--sort", "date").stdout)  # fmt: skip
    assert [r["id"] for r in rows] == ["2505.00005", "2503.00003"]
    bad = run(store, "search", "x", "--after", "soon")
    assert bad.exit_code != 0 and "--after" in bad.output


def test_batch_prints_one_line_per_query(store, tmp_path):
    queries = tmp_path / "q.jsonl"
    queries.write_text('{"_id": "q1", "text": "world models"}\n\n{"_id": 2, "text": "speech"}\n')
    result = run(store, "search", "--batch", str(queries), "--limit", "3", "--json")
    assert result.exit_code == 0, result.output
    lines = [json.loads(x) for x in result.stdout.splitlines()]
    assert [x["query_id"] for x in lines] == ["q1", "2"]
    assert lines[0]["results"][0]["id"] == "2503.00003"
    assert lines[1]["results"][0]["id"] == "2504.00004"


def test_related_without_vectors_uses_words(store):
    result = run(store, "related", "2505.00005", "--json", "--limit", "2")
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert rows and "2505.00005" not in {r["id"] for r in rows}
    assert rows[0]["id"] == "2503.00003" and "planning" in rows[0]["reason"]
    assert run(store, "related", "2512.99999").exit_code != 0


def test_embed_then_search_uses_vectors(store):
    first = run(store, "embed")
    assert first.exit_code == 0, first.output
    assert "embedded 5 papers" in first.stdout
    assert "embedded 0 papers" in run(store, "embed", "--no-passages").stdout
    rows = json.loads(run(store, "search", "robots that plan ahead", "--json").stdout)
    assert rows[0]["id"] in {"2503.00003", "2505.00005"}
