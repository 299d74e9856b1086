"""Admins manage staff: users, role grants per regime, advisory bodies."""

from __future__ import annotations

from .backoffice import bp  # noqa: F401  (routes register on the back office's blueprint)
