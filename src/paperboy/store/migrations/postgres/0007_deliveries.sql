-- Digest delivery log: one row per (subscriber, period), claimed just before the SMTP
-- transaction and completed after the server accepts, so a rerun never sends twice.
CREATE TABLE digest_runs (
    id BIGSERIAL PRIMARY KEY,
    holder TEXT NOT NULL,
    at TIMESTAMPTZ NOT NULL,
    dry_run BOOLEAN NOT NULL,
    started_at TIMESTAMPTZ NOT NULL,
    beat_at TIMESTAMPTZ NOT NULL,
    finished_at TIMESTAMPTZ,
    sent INTEGER NOT NULL DEFAULT 0,
    empty INTEGER NOT NULL DEFAULT 0,
    failed INTEGER NOT NULL DEFAULT 0,
    in_doubt INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE deliveries (
    id BIGSERIAL PRIMARY KEY,
    subscriber_id BIGINT NOT NULL REFERENCES subscribers (id) ON DELETE CASCADE,
    period TEXT NOT NULL,
    status TEXT NOT NULL,
    run_id BIGINT NOT NULL,
    since TIMESTAMPTZ NOT NULL,
    until TIMESTAMPTZ NOT NULL,
    claimed_at TIMESTAMPTZ NOT NULL,
    finished_at TIMESTAMPTZ,
    attempts INTEGER NOT NULL DEFAULT 1,
    message_id TEXT,
    detail TEXT,
    UNIQUE (subscriber_id, period)
);
CREATE INDEX deliveries_status ON deliveries (status, id);
CREATE INDEX deliveries_latest ON deliveries (subscriber_id, status, until);
CREATE TABLE mailed_papers (
    subscriber_id BIGINT NOT NULL REFERENCES subscribers (id) ON DELETE CASCADE,
    paper_id TEXT NOT NULL,
    delivery_id BIGINT NOT NULL REFERENCES deliveries (id) ON DELETE CASCADE,
    mailed_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (subscriber_id, paper_id)
);
CREATE INDEX mailed_papers_recent ON mailed_papers (subscriber_id, mailed_at);
CREATE INDEX mailed_papers_delivery ON mailed_papers (delivery_id);
