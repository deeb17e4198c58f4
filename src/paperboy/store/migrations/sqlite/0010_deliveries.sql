-- Digest delivery log: one row per (subscriber, period), claimed just before the SMTP
-- transaction and completed after the server accepts, so a rerun never sends twice.
CREATE TABLE digest_runs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    holder TEXT NOT NULL,           -- host:pid of the process, to tell a dead run
    at TEXT NOT NULL,               -- the moment the run sends for
    dry_run INTEGER NOT NULL,
    started_at TEXT NOT NULL,
    beat_at TEXT NOT NULL,          -- renewed while the run sends
    finished_at TEXT,
    sent INTEGER NOT NULL DEFAULT 0,
    empty INTEGER NOT NULL DEFAULT 0,
    failed INTEGER NOT NULL DEFAULT 0,
    in_doubt INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE deliveries (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    subscriber_id INTEGER NOT NULL REFERENCES subscribers (id) ON DELETE CASCADE,
    period TEXT NOT NULL,           -- 2026-11-27 (daily) or 2026-W48 (weekly)
    status TEXT NOT NULL,           -- claimed | sent | empty | temporary | permanent | in_doubt
    run_id INTEGER NOT NULL,
    since TEXT NOT NULL,            -- the papers' listing window, [since, until)
    until TEXT NOT NULL,
    claimed_at TEXT NOT NULL,
    finished_at TEXT,
    attempts INTEGER NOT NULL DEFAULT 1,
    message_id TEXT,
    detail TEXT,
    UNIQUE (subscriber_id, period)
);
CREATE INDEX deliveries_status ON deliveries (status, id);
CREATE INDEX deliveries_latest ON deliveries (subscriber_id, status, until);
CREATE TABLE mailed_papers (
    subscriber_id INTEGER NOT NULL REFERENCES subscribers (id) ON DELETE CASCADE,
    paper_id TEXT NOT NULL,
    delivery_id INTEGER NOT NULL REFERENCES deliveries (id) ON DELETE CASCADE,
    mailed_at TEXT NOT NULL,
    PRIMARY KEY (subscriber_id, paper_id)
);
CREATE INDEX mailed_papers_recent ON mailed_papers (subscriber_id, mailed_at);
CREATE INDEX mailed_papers_delivery ON mailed_papers (delivery_id);
