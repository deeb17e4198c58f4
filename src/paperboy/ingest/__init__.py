"""Ingest: wire formats → adapters → Paper, merged idempotently into the store."""
