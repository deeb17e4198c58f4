-- Related papers, computed when vectors are made, so that a paper page only reads them.
-- One row per paper: its neighbours as a JSON list of [id, score, reason], best first.
-- The 'related' counter moves with these writes, so cached pages pick the lists up.
CREATE TABLE related (
    model TEXT NOT NULL,
    paper_id TEXT NOT NULL REFERENCES papers (id) ON DELETE CASCADE,
    items TEXT NOT NULL,
    PRIMARY KEY (model, paper_id)
) WITHOUT ROWID;
INSERT INTO counters (name, value) VALUES ('related', 1);
