"""Time: stored in UTC, shown and dated in Brussels time (a letter's date starts legal deadlines)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

LOCAL_ZONE = ZoneInfo("Europe/Brussels")


def utcnow() -> datetime:
    return datetime.now(UTC)


def local(moment: datetime) -> datetime:
    return moment.astimezone(LOCAL_ZONE)


def local_date(moment: datetime) -> date:
    return local(moment).date()


MONTHS_NL = (
    "januari",
    "februari",
    "maart",
    "april",
    "mei",
    "juni",
    "juli",
    "augustus",
    "september",
    "oktober",
    "november",
    "december",
)


def letter_date(moment: datetime) -> str:
    """The date as a Dutch letter writes it, in Brussels time: 27 november 2026."""
    day = local_date(moment)
    return f"{day.day} {MONTHS_NL[day.month - 1]} {day.year}"


def format_local(moment: datetime | None, with_time: bool = True) -> str:
    if moment is None:
        return "—"
    return local(moment).strftime("%d-%m-%Y om %H:%M" if with_time else "%d-%m-%Y")


def add_years(day: date, years: int) -> date:
    """The same day `years` later; 29 February becomes 28 February in a common year."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)
