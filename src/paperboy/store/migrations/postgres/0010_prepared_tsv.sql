-- An insert may bring its tsv and doc_len already made by paperboy_tsv() from the very same
-- text (the importer computes them on a second connection while the previous batch is
-- written: bench/README.md, bench_postgres run 4); an update, or an insert without them,
-- is indexed here as before.
CREATE OR REPLACE FUNCTION paperboy_index_paper() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' AND NEW.tsv <> ''::tsvector THEN
        RETURN NEW;
    END IF;
    NEW.tsv := paperboy_tsv(NEW.title, NEW.abstract, NEW.authors);
    NEW.doc_len := paperboy_doc_len(NEW.tsv);
    RETURN NEW;
END
$$;
