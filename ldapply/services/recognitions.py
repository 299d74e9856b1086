"""An active recognition's life after the decision: renewal, expiry at its end date, reminders before."""

from __future__ import annotations

from datetime import date


def expire_and_remind(today: date) -> int:
    """Expire recognitions whose term ended and remind those whose end comes near; the number handled."""
    return 0
