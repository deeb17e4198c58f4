-- Placeholder so 0008 applies on this branch alone: number 0007 belongs to a parallel branch.
-- Delete this file when that branch's 0007 is merged.
SELECT 1;
