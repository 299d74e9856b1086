"""ldapply: applications for recognition in the Flemish local service economy.

`create_app` is loaded on first use, so that `ldapply.workflows` (plain data) imports without Flask.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .app import create_app

__all__ = ["create_app"]


def __getattr__(name: str) -> Any:
    if name == "create_app":
        from .app import create_app

        return create_app
    raise AttributeError(name)
