-- How each paper's listing day was found: NULL when the source announced it, 'derived' from
-- arXiv's schedule or an OAI datestamp, 'imported' for the day the store first saw it.
-- Papers stored before this had no day at all: they get the day they were first stored
-- (their content hash stays right, as it leaves an import day out).
ALTER TABLE papers ADD COLUMN listing_basis TEXT;
UPDATE papers SET listing_date = substr(first_seen, 1, 10), listing_basis = 'imported'
    WHERE listing_date IS NULL;
