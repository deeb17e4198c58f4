-- People: accounts, server-side sessions, single-use mailed tokens, API tokens, votes,
-- saves and per-paper counts kept in step with them; hidden papers; rate-limit windows.
CREATE TABLE users (
    id BIGSERIAL PRIMARY KEY,
    email TEXT NOT NULL UNIQUE,
    display_name TEXT,
    created_at TIMESTAMPTZ NOT NULL,
    is_admin BOOLEAN NOT NULL DEFAULT FALSE,
    banned_at TIMESTAMPTZ
);

CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at TIMESTAMPTZ NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);

CREATE TABLE one_time_tokens (
    token_hash TEXT PRIMARY KEY,
    purpose TEXT NOT NULL,
    subject TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL,
    used_at TIMESTAMPTZ
);

CREATE TABLE api_tokens (
    id BIGSERIAL PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    created_at TIMESTAMPTZ NOT NULL,
    last_used_at TIMESTAMPTZ,
    revoked_at TIMESTAMPTZ
);

CREATE TABLE votes (
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    paper_id TEXT NOT NULL REFERENCES papers (id) ON DELETE CASCADE,
    created_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (user_id, paper_id)
);
CREATE INDEX votes_paper ON votes (paper_id);

CREATE TABLE saves (
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    paper_id TEXT NOT NULL REFERENCES papers (id) ON DELETE CASCADE,
    created_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (user_id, paper_id)
);
CREATE INDEX saves_paper ON saves (paper_id);

CREATE TABLE paper_counts (
    paper_id TEXT PRIMARY KEY REFERENCES papers (id) ON DELETE CASCADE,
    votes INTEGER NOT NULL DEFAULT 0,
    saves INTEGER NOT NULL DEFAULT 0,
    last_activity TIMESTAMPTZ NOT NULL
);
CREATE INDEX paper_counts_activity ON paper_counts (last_activity);

ALTER TABLE papers ADD COLUMN hidden_at TIMESTAMPTZ;

CREATE TABLE rate_limits (
    bucket TEXT NOT NULL,
    window_start BIGINT NOT NULL,
    hits INTEGER NOT NULL,
    PRIMARY KEY (bucket, window_start)
);

INSERT INTO counters (name, value) VALUES ('community', 1);
