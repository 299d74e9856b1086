"""Reading answers in conditions and volumes: numbers, group rows, attachments."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from .._spec import Answers, Finding, Params, Text


def decimal_answer(answers: Answers, name: str) -> Decimal | None:
    try:
        return Decimal(str(answers[name])) if answers.get(name) not in (None, "") else None
    except InvalidOperation:
        return None


def nl_number(value: Decimal | int) -> str:
    """A number as Dutch writes it: a decimal comma, no trailing zeros."""
    number = Decimal(value)
    text = f"{number.normalize():f}" if number == number.to_integral_value() else f"{number.normalize()}"
    return text.replace(".", ",")


def group_rows(answers: Answers, name: str) -> list[Mapping[str, Any]]:
    """The rows of a GROUP answer; anything that is not a row is left out."""
    rows = answers.get(name)
    return [row for row in rows if isinstance(row, Mapping)] if isinstance(rows, list | tuple) else []


def whole_number(value: object) -> int | None:
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return None
    return int(number) if number.is_finite() and number == number.to_integral_value() else None


def requested_fte(answers: Answers) -> Decimal:
    """Target-group and supervisory FTE together: the call's cap counts both (domain brief 2.6)."""
    return sum((decimal_answer(answers, n) or Decimal(0) for n in ("target_group_fte", "supervisory_fte")), Decimal(0))


def attachment_check(field: str, present: Text, missing: Text) -> Callable[[Answers, Params], Finding | None]:
    """A condition check that is met when the upload `field` was attached."""

    def check(answers: Answers, params: Params) -> Finding | None:
        return Finding(True, present) if answers.get(field) else Finding(False, missing)

    check.__name__ = f"{field}_attached"
    return check
