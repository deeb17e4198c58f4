-- Papers with a weighted full-text vector (title A, abstract B, authors C) and the term
-- statistics BM25 needs; importer state; counters that caches key on.
CREATE EXTENSION IF NOT EXISTS vector;

-- Every field through the same English stemmer, so one query lexeme matches in each; the
-- weight letter says which field a position came from (A title, B abstract, C authors).
CREATE FUNCTION paperboy_tsv(title TEXT, abstract TEXT, authors TEXT[]) RETURNS tsvector
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT setweight(to_tsvector('english'::regconfig, title), 'A')
        || setweight(to_tsvector('english'::regconfig, abstract), 'B')
        || setweight(to_tsvector('english'::regconfig, array_to_string(authors, ', ')), 'C')
$$;

CREATE FUNCTION paperboy_doc_len(tsv tsvector) RETURNS INTEGER
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT COALESCE(sum(array_length(u.positions, 1)), 0)::INTEGER FROM unnest(tsv) u
$$;

CREATE TABLE papers (
    seq BIGSERIAL UNIQUE,           -- insertion order
    id TEXT PRIMARY KEY,
    namespace TEXT NOT NULL,
    version INTEGER,
    title TEXT NOT NULL,
    abstract TEXT NOT NULL,
    authors TEXT[] NOT NULL,
    categories TEXT[] NOT NULL,     -- primary first
    primary_category TEXT,
    published DATE,
    updated DATE,
    listing_date DATE,
    comment TEXT,
    journal_ref TEXT,
    doi TEXT,
    code_links TEXT[] NOT NULL,
    upvotes INTEGER,
    upvote_sources TEXT[] NOT NULL,
    first_seen TIMESTAMPTZ NOT NULL,
    last_seen TIMESTAMPTZ NOT NULL,
    content_hash TEXT NOT NULL,
    listing_basis TEXT,             -- NULL: announced; 'derived'; 'imported' (models/paper.py)
    tsv TSVECTOR NOT NULL DEFAULT ''::tsvector,  -- set by papers_index below
    doc_len INTEGER NOT NULL DEFAULT 0  -- tokens indexed: BM25's document length
);

-- One trigger fills both from one to_tsvector pass (generated columns would run the text
-- search parser twice per row: over half of an import's time).
CREATE FUNCTION paperboy_index_paper() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.tsv := paperboy_tsv(NEW.title, NEW.abstract, NEW.authors);
    NEW.doc_len := paperboy_doc_len(NEW.tsv);
    RETURN NEW;
END
$$;
CREATE TRIGGER papers_index BEFORE INSERT OR UPDATE OF title, abstract, authors ON papers
    FOR EACH ROW EXECUTE FUNCTION paperboy_index_paper();
CREATE INDEX papers_listing_date ON papers (listing_date);
CREATE INDEX papers_published ON papers (published);
CREATE INDEX papers_sort_day ON papers ((COALESCE(listing_date, published)) DESC, id DESC);
CREATE INDEX papers_title_lower ON papers (lower(title));
CREATE INDEX papers_tsv ON papers USING gin (tsv);
CREATE INDEX papers_categories ON papers USING gin (categories);

-- How many papers hold each lexeme, kept in step by every paper write (BM25's idf).
CREATE TABLE lexemes (
    lexeme TEXT PRIMARY KEY,
    df BIGINT NOT NULL
);

CREATE TABLE counters (
    name TEXT PRIMARY KEY,
    value BIGINT NOT NULL
);
INSERT INTO counters (name, value) VALUES
    ('papers', 1), ('vectors', 1), ('documents', 0), ('tokens', 0);

CREATE TABLE state (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);

-- Document vectors: one per paper and model; an HNSW index per model is made when that
-- model's first vectors arrive (the column has no fixed dimension until then).
CREATE TABLE vectors (
    paper_id TEXT NOT NULL REFERENCES papers (id) ON DELETE CASCADE,
    model TEXT NOT NULL,
    text_hash TEXT NOT NULL,
    embedding vector NOT NULL,
    seq BIGSERIAL,
    PRIMARY KEY (model, paper_id)
);

-- Passage vectors: one row per passage (sentence window) of a paper, half precision.
CREATE TABLE passage_vectors (
    paper_id TEXT NOT NULL REFERENCES papers (id) ON DELETE CASCADE,
    model TEXT NOT NULL,
    idx SMALLINT NOT NULL,
    text_hash TEXT NOT NULL,
    embedding halfvec NOT NULL,
    PRIMARY KEY (model, paper_id, idx)
);
