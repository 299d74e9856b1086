"""Exports, figures, failed letters and bulk actions on a selection from the queue."""

from __future__ import annotations

from .backoffice import bp  # noqa: F401  (routes register on the back office's blueprint)
