"""Stores written once in SQL that both backends speak, run through a small executor.

The community tables (accounts, sessions, tokens, votes, saves, rate limits) use only
portable SQL (``INSERT … ON CONFLICT``, ``RETURNING``), so one implementation serves SQLite
and PostgreSQL; each backend supplies an executor that translates placeholders and
timestamps. The store contract suite runs them on both.
"""
