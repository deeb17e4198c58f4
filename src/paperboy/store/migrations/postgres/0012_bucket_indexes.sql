-- Lexical search at a million papers (bench/README.md, "Lexical search at 1M"): the GIN
-- indexes over tsv and over the titles' lexemes, each split into 16 partial indexes by a
-- hash of the paper id. A search reads them bucket by bucket under its LIMIT and stops at
-- the bucket that fills it (store/postgres/papers.py, BUCKETS), where one index over every
-- paper first intersects the whole posting list of each common word: ~20 ms for three
-- common words at 1M papers. The buckets hold the same entries as the two indexes they
-- replace, so writes cost the same.
CREATE INDEX papers_tsv_b0 ON papers USING gin (tsv) WHERE (hashtext(id) & 15) = 0;
CREATE INDEX papers_tsv_b1 ON papers USING gin (tsv) WHERE (hashtext(id) & 15) = 1;
CREATE INDEX papers_tsv_b2 ON papers USING gin (tsv) WHERE (hashtext(id) & 15) = 2;
CREATE INDEX papers_tsv_b3 ON papers USING gin (tsv) WHERE (hashtext(id) & 15) = 3;
CREATE INDEX papers_tsv_b4 ON papers USING gin (tsv) WHERE (hashtext(id) & 15) = 4;
CREATE INDEX papers_tsv_b5 ON papers USING gin (tsv) WHERE (hashtext(id) & 15) = 5;
CREATE INDEX papers_tsv_b6 ON papers USING gin (tsv) WHERE (hashtext(id) & 15) = 6;
CREATE INDEX papers_tsv_b7 ON papers USING gin (tsv) WHERE (hashtext(id) & 15) = 7;
CREATE INDEX papers_tsv_b8 ON papers USING gin (tsv) WHERE (hashtext(id) & 15) = 8;
CREATE INDEX papers_tsv_b9 ON papers USING gin (tsv) WHERE (hashtext(id) & 15) = 9;
CREATE INDEX papers_tsv_b10 ON papers USING gin (tsv) WHERE (hashtext(id) & 15) = 10;
CREATE INDEX papers_tsv_b11 ON papers USING gin (tsv) WHERE (hashtext(id) & 15) = 11;
CREATE INDEX papers_tsv_b12 ON papers USING gin (tsv) WHERE (hashtext(id) & 15) = 12;
CREATE INDEX papers_tsv_b13 ON papers USING gin (tsv) WHERE (hashtext(id) & 15) = 13;
CREATE INDEX papers_tsv_b14 ON papers USING gin (tsv) WHERE (hashtext(id) & 15) = 14;
CREATE INDEX papers_tsv_b15 ON papers USING gin (tsv) WHERE (hashtext(id) & 15) = 15;
CREATE INDEX papers_title_b0 ON papers USING gin (ts_filter(tsv, '{a}'))
    WHERE (hashtext(id) & 15) = 0;
CREATE INDEX papers_title_b1 ON papers USING gin (ts_filter(tsv, '{a}'))
    WHERE (hashtext(id) & 15) = 1;
CREATE INDEX papers_title_b2 ON papers USING gin (ts_filter(tsv, '{a}'))
    WHERE (hashtext(id) & 15) = 2;
CREATE INDEX papers_title_b3 ON papers USING gin (ts_filter(tsv, '{a}'))
    WHERE (hashtext(id) & 15) = 3;
CREATE INDEX papers_title_b4 ON papers USING gin (ts_filter(tsv, '{a}'))
    WHERE (hashtext(id) & 15) = 4;
CREATE INDEX papers_title_b5 ON papers USING gin (ts_filter(tsv, '{a}'))
    WHERE (hashtext(id) & 15) = 5;
CREATE INDEX papers_title_b6 ON papers USING gin (ts_filter(tsv, '{a}'))
    WHERE (hashtext(id) & 15) = 6;
CREATE INDEX papers_title_b7 ON papers USING gin (ts_filter(tsv, '{a}'))
    WHERE (hashtext(id) & 15) = 7;
CREATE INDEX papers_title_b8 ON papers USING gin (ts_filter(tsv, '{a}'))
    WHERE (hashtext(id) & 15) = 8;
CREATE INDEX papers_title_b9 ON papers USING gin (ts_filter(tsv, '{a}'))
    WHERE (hashtext(id) & 15) = 9;
CREATE INDEX papers_title_b10 ON papers USING gin (ts_filter(tsv, '{a}'))
    WHERE (hashtext(id) & 15) = 10;
CREATE INDEX papers_title_b11 ON papers USING gin (ts_filter(tsv, '{a}'))
    WHERE (hashtext(id) & 15) = 11;
CREATE INDEX papers_title_b12 ON papers USING gin (ts_filter(tsv, '{a}'))
    WHERE (hashtext(id) & 15) = 12;
CREATE INDEX papers_title_b13 ON papers USING gin (ts_filter(tsv, '{a}'))
    WHERE (hashtext(id) & 15) = 13;
CREATE INDEX papers_title_b14 ON papers USING gin (ts_filter(tsv, '{a}'))
    WHERE (hashtext(id) & 15) = 14;
CREATE INDEX papers_title_b15 ON papers USING gin (ts_filter(tsv, '{a}'))
    WHERE (hashtext(id) & 15) = 15;
DROP INDEX papers_tsv;
DROP INDEX papers_title_tsv;
