-- Worker leases: at most one holder per job name at a time, across processes and hosts.
-- A holder renews its lease while the job runs; an expired lease may be taken over.
CREATE TABLE job_locks (
    name TEXT PRIMARY KEY,
    holder TEXT NOT NULL,           -- host:pid:random of the worker that holds it
    acquired_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
);
