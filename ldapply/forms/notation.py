"""Numbers and amounts typed in Belgian notation, read with Babel (ldapply.formatting writes them).

The amounts in an application are Belgian, so they are read in Belgian notation whatever the page's
language: a point groups thousands ("12.500" is twelve thousand five hundred), a comma starts the
decimals ("12,5"), spaces may group thousands too ("12 500"), and an amount may carry "€" or "EUR".
A plain decimal point is accepted only where it cannot be read as a thousands separator ("95000.50",
"0.5"); a point before exactly three digits always groups thousands, so "0.500" is refused. A lone comma
before exactly three digits ("12,500") is refused as ambiguous: it is 12,5 in Belgian notation but
twelve thousand five hundred in English. At most fifteen digits stand before the comma. Anything else is
refused rather than guessed at.
"""

from __future__ import annotations

import re
from decimal import Decimal

from babel.numbers import NumberFormatError, parse_decimal

from ..formatting import number as show_number

READ_LOCALE = "nl_BE"

CURRENCY = re.compile(r"^(?:€|eur(?:o)?)\s*|\s*(?:€|eur(?:o)?)$", re.IGNORECASE)
# A space (normal, no-break or narrow no-break) between digits that groups thousands: "12 500".
GROUPING_SPACE = re.compile(r"(?<=\d)[ \u00a0\u202f](?=\d{3}(?:\D|$))")
PLAIN = re.compile(r"-?[\d.,]+")
THOUSANDS_POINT = re.compile(r"-?[1-9]\d{0,2}\.\d{3}")  # "12.500": the point groups thousands
POINT_BEFORE_THREE = re.compile(r"-?\d+\.\d{3}")  # "0.500": a thousands group after a lone zero
AMBIGUOUS_COMMA = re.compile(r"-?[1-9]\d{0,2},\d{3}")  # "12,500": 12,5 here, 12 500 in English
MAX_INTEGER_DIGITS = 15  # well within Decimal's 28 digits, also once an amount is rounded to the cent


class NotANumber(ValueError):
    """The text is no number in Belgian notation."""


class TooLong(NotANumber):
    """More than MAX_INTEGER_DIGITS digits before the comma."""


class Ambiguous(NotANumber):
    """A lone comma before three digits: `thousands` and `decimals` are the two readings, as shown."""

    def __init__(self, text: str, thousands: str, decimals: str) -> None:
        super().__init__(text)
        self.thousands, self.decimals = thousands, decimals


def parse_number(text: str, *, money: bool = False) -> Decimal:
    """The number `text` stands for in Belgian notation; raises NotANumber for anything else."""
    compact = text.strip()
    if money:
        compact = CURRENCY.sub("", compact, count=2).strip()
    compact = GROUPING_SPACE.sub(".", compact)
    if not PLAIN.fullmatch(compact) or not any(ch.isdigit() for ch in compact):
        raise NotANumber(text)
    if AMBIGUOUS_COMMA.fullmatch(compact):
        whole, decimals = compact.split(",")
        raise Ambiguous(text, show_number(whole + decimals), show_number(f"{whole}.{decimals}"))
    if "," not in compact and compact.count(".") == 1 and not THOUSANDS_POINT.fullmatch(compact):
        if POINT_BEFORE_THREE.fullmatch(compact):
            raise NotANumber(text)
        compact = compact.replace(".", ",")  # a plain decimal point, as in 95000.50 or 0.5
    try:
        value = parse_decimal(compact, locale=READ_LOCALE, strict=True)
    except NumberFormatError:
        raise NotANumber(text) from None
    if not value.is_finite():
        raise NotANumber(text)
    if value and value.adjusted() >= MAX_INTEGER_DIGITS:
        raise TooLong(text)
    return value


def stored(value: Decimal) -> str:
    """The JSON form of a number: a plain decimal string with a point and no exponent ("180000.5")."""
    text = f"{value.normalize():f}"
    return "0" if text in ("-0", "0") else text


def stored_money(value: Decimal) -> str:
    """An amount as JSON keeps it: whole euros without decimals, else to the cent ("180000.50")."""
    if value == value.to_integral_value():
        return stored(value)
    return f"{value.quantize(Decimal('0.01')):f}"
