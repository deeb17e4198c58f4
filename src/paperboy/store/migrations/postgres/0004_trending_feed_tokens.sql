-- Trending scores, refreshed in the background (core/trending.py), and the secret of each
-- account's private library feed (only its hash: a copied database opens no feed).
CREATE TABLE trending (
    paper_id TEXT PRIMARY KEY REFERENCES papers (id) ON DELETE CASCADE,
    score DOUBLE PRECISION NOT NULL,
    votes INTEGER NOT NULL,
    saves INTEGER NOT NULL,
    imported_upvotes INTEGER NOT NULL,
    age_hours DOUBLE PRECISION NOT NULL,
    computed_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX trending_score ON trending (score DESC, paper_id);

CREATE TABLE feed_tokens (
    user_id BIGINT PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    token_hash TEXT NOT NULL UNIQUE,
    created_at TIMESTAMPTZ NOT NULL
);

INSERT INTO counters (name, value) VALUES ('trending', 0);
