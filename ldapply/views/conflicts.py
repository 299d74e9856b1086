"""The conflict-of-interest declaration a member of staff or an advisor makes before first seeing a case."""

from __future__ import annotations

from .backoffice import bp  # noqa: F401  (routes register on the back office's blueprint)
