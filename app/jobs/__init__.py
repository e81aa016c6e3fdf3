"""Scheduled jobs: each takes the instant 'now' and does what is due then, idempotently."""
