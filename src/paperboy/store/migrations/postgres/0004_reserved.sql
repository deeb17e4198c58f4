-- Placeholder so 0005 applies on this branch alone: number 0004 belongs to a parallel branch.
-- Delete this file when that branch's 0004 is merged.
SELECT 1;
