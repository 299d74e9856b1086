"""Advisors: the cases sent to their body, and the advice they record."""

from __future__ import annotations

from .backoffice import bp  # noqa: F401  (routes register on the back office's blueprint)
