-- Embedding vectors, one per paper and model; text_hash says which text was embedded.
CREATE TABLE vectors (
    paper_id TEXT NOT NULL REFERENCES papers (id) ON DELETE CASCADE,
    model TEXT NOT NULL,
    text_hash TEXT NOT NULL,
    dim INTEGER NOT NULL,
    vector BLOB NOT NULL,           -- float32, little endian
    PRIMARY KEY (model, paper_id)
);
