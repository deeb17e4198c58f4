"""The test PostgreSQL itself: version 18, pgvector with HNSW, and isolated fresh databases.

If these fail, every PostgreSQL backend test is meaningless, so they say why first.
"""

from __future__ import annotations

import os
import secrets
from urllib.parse import urlsplit

import numpy as np
import psycopg
import pytest
from pgvector.psycopg import register_vector

from pgserver import ENV_URL, PostgresServer


def test_server_is_postgresql_18_on_localhost(postgres_server: PostgresServer) -> None:
    with psycopg.connect(postgres_server.url) as conn:
        version = conn.execute("SELECT version()").fetchone()[0]
        extension = conn.execute(
            "SELECT extversion FROM pg_extension WHERE extname = 'vector'"
        ).fetchone()
    assert version.startswith("PostgreSQL 18"), version
    assert extension is not None and extension[0].startswith("0.8"), extension
    if not os.environ.get(ENV_URL):
        assert urlsplit(postgres_server.url).hostname == "127.0.0.1"
        assert urlsplit(postgres_server.url).path == "/paperboy_test"


def test_pgvector_hnsw_cosine_nearest(postgres_url: str) -> None:
    with psycopg.connect(postgres_url) as conn:
        register_vector(conn)
        conn.execute("CREATE TABLE item (id text PRIMARY KEY, v vector(3) NOT NULL)")
        conn.execute("CREATE INDEX item_v ON item USING hnsw (v vector_cosine_ops)")
        rows = [
            ("east", np.array([1.0, 0.0, 0.0])),
            ("north", np.array([0.0, 1.0, 0.0])),
            ("up", np.array([0.0, 0.0, 1.0])),
            ("north-east", np.array([1.0, 1.0, 0.0])),
        ]
        with conn.cursor() as cur:
            cur.executemany("INSERT INTO item (id, v) VALUES (%s, %s)", rows)
        conn.execute("SET enable_seqscan = off")  # make the planner use the HNSW index
        query = np.array([0.1, 0.9, 0.05])
        plan = "\n".join(
            r[0]
            for r in conn.execute(
                "EXPLAIN SELECT id FROM item ORDER BY v <=> %s LIMIT 2", (query,)
            ).fetchall()
        )
        found = conn.execute(
            "SELECT id, v <=> %s AS d FROM item ORDER BY v <=> %s LIMIT 2", (query, query)
        ).fetchall()
        back = conn.execute("SELECT v FROM item WHERE id = 'up'").fetchone()[0]
    assert "item_v" in plan, plan
    assert [r[0] for r in found] == ["north", "north-east"]
    assert found[0][1] == pytest.approx(1 - 0.9 / np.linalg.norm(query), abs=1e-6)
    assert back.to_list() == [0.0, 0.0, 1.0]  # pgvector adapter, both ways


def test_fresh_databases_are_independent(postgres_server: PostgresServer) -> None:
    a, b = (f"paperboy_iso_{secrets.token_hex(4)}" for _ in "ab")  # unique on a shared server
    first = postgres_server.fresh_database(a)
    second = postgres_server.fresh_database(b)
    try:
        with psycopg.connect(first) as conn:
            conn.execute("CREATE TABLE only_here (x int)")
            conn.execute("INSERT INTO only_here VALUES (1)")
        with psycopg.connect(second) as conn:
            tables = conn.execute(
                "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'"
            ).fetchone()[0]
            has_vector = conn.execute("SELECT '[1,2,3]'::vector(3) <=> '[1,2,3]'").fetchone()[0]
        with psycopg.connect(first) as conn:
            assert conn.execute("SELECT x FROM only_here").fetchall() == [(1,)]
        assert tables == 0
        assert has_vector == 0
    finally:
        postgres_server.drop_database(a)
        postgres_server.drop_database(b)
    with pytest.raises(psycopg.OperationalError, match=a):
        psycopg.connect(first).close()


def test_postgres_url_is_empty_each_time(postgres_url: str) -> None:
    with psycopg.connect(postgres_url) as conn:
        count = conn.execute(
            "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'"
        ).fetchone()[0]
    assert count == 0  # the HNSW test's table did not leak into this database
