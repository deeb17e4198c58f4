-- Related papers, computed when vectors are made, so that a paper page only reads them.
-- One row per paper: its neighbours as a JSON list of [id, score, reason], best first.
CREATE TABLE related (
    model TEXT NOT NULL,
    paper_id TEXT NOT NULL REFERENCES papers (id) ON DELETE CASCADE,
    items JSONB NOT NULL,
    PRIMARY KEY (model, paper_id)
);
INSERT INTO counters (name, value) VALUES ('related', 1);
