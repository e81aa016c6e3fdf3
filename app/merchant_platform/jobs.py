"""Scheduled jobs of the merchant platform (collected by ``app.jobs.catalog``)."""

from __future__ import annotations

from .order_jobs import JOBS as ORDER_JOBS

JOBS = [*ORDER_JOBS]
