-- Submissions by arXiv id (the first submitter of a paper wins) and comments on papers,
-- replies one level deep, soft-deleted and hidden in place so threads keep their shape.
CREATE TABLE submissions (
    paper_id TEXT PRIMARY KEY REFERENCES papers (id) ON DELETE CASCADE,
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    submitted_at TIMESTAMPTZ NOT NULL,
    day DATE NOT NULL
);
CREATE INDEX submissions_day ON submissions (day);
CREATE INDEX submissions_user ON submissions (user_id, submitted_at);

CREATE TABLE comments (
    id BIGSERIAL PRIMARY KEY,
    paper_id TEXT NOT NULL REFERENCES papers (id) ON DELETE CASCADE,
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    parent_id BIGINT REFERENCES comments (id) ON DELETE CASCADE,
    body TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    edited_at TIMESTAMPTZ,
    deleted_at TIMESTAMPTZ,
    hidden_at TIMESTAMPTZ
);
CREATE INDEX comments_paper ON comments (paper_id);

INSERT INTO counters (name, value) VALUES ('comments', 1);
INSERT INTO counters (name, value) VALUES ('submissions', 1);
