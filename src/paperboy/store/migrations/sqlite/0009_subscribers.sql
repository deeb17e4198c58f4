-- Digest subscribers: one row per address, with or without an account. List preferences
-- (categories, saved searches, followed authors) are JSON arrays.
CREATE TABLE subscribers (
    id INTEGER PRIMARY KEY AUTOINCREMENT,  -- never reused: signed links name ids
    email TEXT NOT NULL UNIQUE,
    status TEXT NOT NULL,           -- pending | confirmed | unsubscribed | suspended
    user_id INTEGER REFERENCES users (id) ON DELETE SET NULL,
    created_at TEXT NOT NULL,
    confirmed_at TEXT,
    failures INTEGER NOT NULL DEFAULT 0,
    cadence TEXT NOT NULL,          -- daily | weekly
    weekday INTEGER NOT NULL,
    timezone TEXT NOT NULL,
    send_hour INTEGER NOT NULL,
    trending_count INTEGER NOT NULL,
    categories TEXT NOT NULL,
    searches TEXT NOT NULL,
    authors TEXT NOT NULL,
    more_like_mine INTEGER NOT NULL
);
CREATE INDEX subscribers_status ON subscribers (status, id);
CREATE INDEX subscribers_user ON subscribers (user_id);
