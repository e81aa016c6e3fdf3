"""Scheduled customer-service work."""

from __future__ import annotations

from datetime import datetime

from ..jobs.registry import Job
from .service_level import alert_unanswered_complaints


async def _complaint_service_level(now: datetime) -> str:
    return f"{await alert_unanswered_complaints(now)} unanswered complaints alerted"


JOBS = [Job("complaint-service-level", 600, _complaint_service_level)]
