"""Use cases every door shares (pages, JSON API, feeds, CLI, and later the worker and mailer).

Nothing here imports a web framework: errors are the domain's own (``core.errors``), and the
web edge maps them to HTTP statuses.
"""
