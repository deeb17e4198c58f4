-- Submissions by arXiv id (the first submitter of a paper wins) and comments on papers,
-- replies one level deep, soft-deleted and hidden in place so threads keep their shape.
CREATE TABLE submissions (
    paper_id TEXT PRIMARY KEY REFERENCES papers (id) ON DELETE CASCADE,
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    submitted_at TEXT NOT NULL,
    day TEXT NOT NULL               -- UTC day, YYYY-MM-DD: the daily list it joins
);
CREATE INDEX submissions_day ON submissions (day);
CREATE INDEX submissions_user ON submissions (user_id, submitted_at);

CREATE TABLE comments (
    id INTEGER PRIMARY KEY,
    paper_id TEXT NOT NULL REFERENCES papers (id) ON DELETE CASCADE,
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    parent_id INTEGER REFERENCES comments (id) ON DELETE CASCADE,  -- a top-level comment
    body TEXT NOT NULL,             -- Markdown source; blanked on delete
    created_at TEXT NOT NULL,
    edited_at TEXT,
    deleted_at TEXT,
    hidden_at TEXT
);
CREATE INDEX comments_paper ON comments (paper_id);

INSERT INTO counters (name, value) VALUES ('comments', 1);
INSERT INTO counters (name, value) VALUES ('submissions', 1);
