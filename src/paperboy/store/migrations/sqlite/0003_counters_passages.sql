-- A papers-changed counter (and one for vectors) that caches key on, moved by writes of
-- those rows only; passage vectors in a table of their own.
CREATE TABLE counters (
    name TEXT PRIMARY KEY,
    value INTEGER NOT NULL
);
INSERT INTO counters (name, value) VALUES ('papers', 1), ('vectors', 1);

CREATE TABLE passage_vectors (
    paper_id TEXT NOT NULL REFERENCES papers (id) ON DELETE CASCADE,
    model TEXT NOT NULL,
    text_hash TEXT NOT NULL,
    dim INTEGER NOT NULL,
    vectors BLOB NOT NULL,          -- n × dim float16, little endian
    PRIMARY KEY (model, paper_id)
);
INSERT INTO passage_vectors (paper_id, model, text_hash, dim, vectors)
    SELECT paper_id, substr(model, 1, length(model) - 9), text_hash, dim, vector
    FROM vectors WHERE model LIKE '%#passages';
DELETE FROM vectors WHERE model LIKE '%#passages';
