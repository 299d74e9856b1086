"""Bulk actions on a selection from the queue, run by the worker with their progress kept in bulk_jobs."""

from __future__ import annotations

import uuid


def run_job(job_id: uuid.UUID) -> None:
    """Run one bulk job to its end, case by case, each with its own timeline entry."""
