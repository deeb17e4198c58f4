"""`paperboy worker`: the scheduled ingest, embedding, trending refresh and digests.

``jobs`` holds what each job calls (the CLI's own use cases), ``schedule`` turns crontab
settings into triggers, ``lease`` keeps one copy of a job running across processes, and
``runner`` ties them to APScheduler and to SIGTERM.
"""
