-- Worker leases: at most one holder per job name at a time, across processes and hosts.
-- A holder renews its lease while the job runs; an expired lease may be taken over.
CREATE TABLE job_locks (
    name TEXT PRIMARY KEY,
    holder TEXT NOT NULL,
    acquired_at TIMESTAMPTZ NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL
);
