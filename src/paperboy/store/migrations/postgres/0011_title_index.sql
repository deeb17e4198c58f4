-- Large collections: lexical search takes its candidates from the papers whose *titles*
-- match first (a small GIN over the title's lexemes, the 'A' weights of tsv), and reads
-- tsv from the row itself instead of a TOAST table (each out-of-line tsv cost an index
-- look-up and a second page per candidate). bench/README.md, "Lexical search at 1M".
CREATE INDEX papers_title_tsv ON papers USING gin (ts_filter(tsv, '{a}'));
-- MAIN: compressed in the row when it fits; rows written from now on (a rewrite such as
-- VACUUM FULL moves the existing ones).
ALTER TABLE papers ALTER COLUMN tsv SET STORAGE MAIN;
-- count_papers() subtracts the hidden papers: an index, not a scan of every row.
CREATE INDEX papers_hidden ON papers (hidden_at) WHERE hidden_at IS NOT NULL;
