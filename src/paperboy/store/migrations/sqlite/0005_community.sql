-- People: accounts, server-side sessions, single-use mailed tokens, API tokens, votes,
-- saves and per-paper counts kept in step with them; hidden papers; rate-limit windows.
CREATE TABLE users (
    id INTEGER PRIMARY KEY,
    email TEXT NOT NULL UNIQUE,     -- lower-cased
    display_name TEXT,
    created_at TEXT NOT NULL,
    is_admin INTEGER NOT NULL DEFAULT 0,
    banned_at TEXT
);

CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,    -- sha256 of the cookie's token: a leaked table signs nobody in
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);

CREATE TABLE one_time_tokens (
    token_hash TEXT PRIMARY KEY,
    purpose TEXT NOT NULL,          -- login | subscribe | ...
    subject TEXT NOT NULL,          -- what the token is about (an email address)
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    used_at TEXT
);

CREATE TABLE api_tokens (
    id INTEGER PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    last_used_at TEXT,
    revoked_at TEXT
);

CREATE TABLE votes (
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    paper_id TEXT NOT NULL REFERENCES papers (id) ON DELETE CASCADE,
    created_at TEXT NOT NULL,
    PRIMARY KEY (user_id, paper_id)
);
CREATE INDEX votes_paper ON votes (paper_id);

CREATE TABLE saves (
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    paper_id TEXT NOT NULL REFERENCES papers (id) ON DELETE CASCADE,
    created_at TEXT NOT NULL,
    PRIMARY KEY (user_id, paper_id)
);
CREATE INDEX saves_paper ON saves (paper_id);

-- Counts of votes and saves by accounts in good standing, per paper.
CREATE TABLE paper_counts (
    paper_id TEXT PRIMARY KEY REFERENCES papers (id) ON DELETE CASCADE,
    votes INTEGER NOT NULL DEFAULT 0,
    saves INTEGER NOT NULL DEFAULT 0,
    last_activity TEXT NOT NULL
);
CREATE INDEX paper_counts_activity ON paper_counts (last_activity);

ALTER TABLE papers ADD COLUMN hidden_at TEXT;

CREATE TABLE rate_limits (
    bucket TEXT NOT NULL,
    window_start INTEGER NOT NULL,  -- unix seconds
    hits INTEGER NOT NULL,
    PRIMARY KEY (bucket, window_start)
);

INSERT INTO counters (name, value) VALUES ('community', 1);
