"""Digests: when each subscriber is due (period), what goes in (build), sending it once (send)."""
