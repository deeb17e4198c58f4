-- "Not interested" marks: one per account and paper, the negatives of personal picks.
CREATE TABLE dismissals (
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    paper_id TEXT NOT NULL REFERENCES papers (id) ON DELETE CASCADE,
    created_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (user_id, paper_id)
);
CREATE INDEX dismissals_user_time ON dismissals (user_id, created_at);
