-- How each paper's listing day was found: NULL when the source announced it, 'derived' from
-- arXiv's schedule, an OAI datestamp or the publication day, 'imported' for the day the
-- store first saw it (see models/paper.py settle_listing_day).
ALTER TABLE papers ADD COLUMN listing_basis TEXT;
-- Papers stored before had no day at all. arXiv papers: the first-version date at noon ET
-- through the schedule (Mon-Thu: next day; Fri: Monday; Sat: Tuesday; Sun: Tuesday).
UPDATE papers SET listing_basis = 'derived', listing_date = date(published,
        CASE strftime('%w', published)
            WHEN '5' THEN '+3 days' WHEN '6' THEN '+3 days' WHEN '0' THEN '+2 days'
            ELSE '+1 day' END)
    WHERE listing_date IS NULL AND published IS NOT NULL AND namespace = 'arxiv';
UPDATE papers SET listing_basis = 'derived', listing_date = published
    WHERE listing_date IS NULL AND published IS NOT NULL;
-- The rest: the day they were first stored (left out of the content hash, so it stays right).
UPDATE papers SET listing_date = substr(first_seen, 1, 10), listing_basis = 'imported'
    WHERE listing_date IS NULL;
