-- Digest subscribers: one row per address, with or without an account. List preferences
-- (categories, saved searches, followed authors) are JSON arrays in text.
CREATE TABLE subscribers (
    id BIGSERIAL PRIMARY KEY,
    email TEXT NOT NULL UNIQUE,
    status TEXT NOT NULL,
    user_id BIGINT REFERENCES users (id) ON DELETE SET NULL,
    created_at TIMESTAMPTZ NOT NULL,
    confirmed_at TIMESTAMPTZ,
    failures INTEGER NOT NULL DEFAULT 0,
    cadence TEXT NOT NULL,
    weekday INTEGER NOT NULL,
    timezone TEXT NOT NULL,
    send_hour INTEGER NOT NULL,
    trending_count INTEGER NOT NULL,
    categories TEXT NOT NULL,
    searches TEXT NOT NULL,
    authors TEXT NOT NULL,
    more_like_mine BOOLEAN NOT NULL
);
CREATE INDEX subscribers_status ON subscribers (status, id);
CREATE INDEX subscribers_user ON subscribers (user_id);
