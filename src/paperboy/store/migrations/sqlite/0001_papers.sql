-- Papers, their full-text index (kept in step by triggers) and importer state.
CREATE TABLE papers (
    rowid INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    namespace TEXT NOT NULL,
    version INTEGER,
    title TEXT NOT NULL,
    abstract TEXT NOT NULL,
    authors TEXT NOT NULL,          -- JSON list, in order
    categories TEXT NOT NULL,       -- JSON list, primary first
    primary_category TEXT,
    published TEXT,
    updated TEXT,
    listing_date TEXT,
    comment TEXT,
    journal_ref TEXT,
    doi TEXT,
    code_links TEXT NOT NULL,       -- JSON list
    upvotes INTEGER,
    upvote_sources TEXT NOT NULL,   -- JSON list
    first_seen TEXT NOT NULL,
    last_seen TEXT NOT NULL,
    content_hash TEXT NOT NULL
);
CREATE INDEX papers_listing_date ON papers (listing_date);
CREATE INDEX papers_published ON papers (published);
CREATE INDEX papers_primary_category ON papers (primary_category);
CREATE INDEX papers_title_lower ON papers (lower(title));

CREATE VIRTUAL TABLE papers_fts USING fts5 (
    title, abstract, authors,
    content = 'papers', content_rowid = 'rowid',
    tokenize = 'porter unicode61 remove_diacritics 2'
);

CREATE TRIGGER papers_fts_insert AFTER INSERT ON papers BEGIN
    INSERT INTO papers_fts (rowid, title, abstract, authors)
    VALUES (new.rowid, new.title, new.abstract, new.authors);
END;
CREATE TRIGGER papers_fts_delete AFTER DELETE ON papers BEGIN
    INSERT INTO papers_fts (papers_fts, rowid, title, abstract, authors)
    VALUES ('delete', old.rowid, old.title, old.abstract, old.authors);
END;
CREATE TRIGGER papers_fts_update AFTER UPDATE OF title, abstract, authors ON papers BEGIN
    INSERT INTO papers_fts (papers_fts, rowid, title, abstract, authors)
    VALUES ('delete', old.rowid, old.title, old.abstract, old.authors);
    INSERT INTO papers_fts (rowid, title, abstract, authors)
    VALUES (new.rowid, new.title, new.abstract, new.authors);
END;

CREATE TABLE state (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
