"""What kind of value a regime parameter takes, read from its unit (and its declared value), and how a value an
admin types for it is read and checked. The regimes declare no type beside the unit: the unit says it ("kalenderdagen"
is a whole number of days, "ja/nee" a yes or no), so no parameter needs a second declaration that could disagree."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from typing import Any

from ..formatting import plain_money, plain_number
from ..forms.notation import NotANumber, parse_number, stored, stored_money
from ..i18n import _, _l
from ..workflows._spec import Parameter
from .errors import DomainError

MAX_DAYS = 3650  # ten years: a bound against typing errors, not a legal limit
MAX_YEARS = 99
MAX_TEXT = 500


class Kind(StrEnum):
    DAYS = "days"
    YEARS = "years"
    COUNT = "count"  # a whole number of things (pathways)
    NUMBER = "number"  # a decimal quantity (FTE, a ratio)
    SHARE = "share"  # a fraction from 0 to 1
    MONEY = "money"  # euro
    BOOLEAN = "boolean"
    CHOICE = "choice"
    TEXT = "text"


NUMBERS = frozenset({Kind.DAYS, Kind.YEARS, Kind.COUNT, Kind.NUMBER, Kind.SHARE, Kind.MONEY})
DAY_UNITS = frozenset({"kalenderdagen", "werkdagen"})
TEXT_UNITS = frozenset({"instantie", "adres", "vorm"})
# The values a parameter of choice may take, each with what it does (the code that reads it knows no other).
CHOICES: dict[str, tuple[tuple[str, Any], ...]] = {
    "information_request_lapse": (
        ("review", _l("terug naar de behandelaar, gemarkeerd als verlopen; die beslist op wat er is")),
    ),
}
BOOLEAN_CHOICES = (("yes", _l("ja")), ("no", _l("nee")))


class InvalidValue(DomainError):
    """A value the parameter cannot take, or a missing reason or source: `field` is the form field to show it at."""

    def __init__(self, message: str, field: str = "value") -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class ValueKind:
    kind: Kind
    choices: tuple[tuple[str, Any], ...] = ()  # (value, label) for a boolean or a choice

    @property
    def selects(self) -> bool:
        return bool(self.choices)


def kind_of(parameter: Parameter) -> ValueKind:
    """The kind of value `parameter` takes: from its unit first, from its declared value where the unit says
    nothing more."""
    unit, value = parameter.unit.lower(), parameter.value
    if isinstance(value, bool) or unit == "ja/nee":
        return ValueKind(Kind.BOOLEAN, BOOLEAN_CHOICES)
    if parameter.name in CHOICES:
        return ValueKind(Kind.CHOICE, CHOICES[parameter.name])
    if unit in DAY_UNITS:
        return ValueKind(Kind.DAYS)
    if unit == "jaar":
        return ValueKind(Kind.YEARS)
    if unit.startswith("eur"):
        return ValueKind(Kind.MONEY)
    if "(0 tot 1)" in unit:
        return ValueKind(Kind.SHARE)
    if "vte" in unit or isinstance(value, Decimal):
        return ValueKind(Kind.NUMBER)
    if isinstance(value, int):
        return ValueKind(Kind.COUNT)
    return ValueKind(Kind.TEXT)


def read(parameter: Parameter, typed: str) -> Any:
    """The value as JSON keeps it (decimals as strings), from what an admin typed or chose; raises InvalidValue
    with what the parameter takes."""
    kind, typed = kind_of(parameter), typed.strip()
    if not typed:
        raise InvalidValue(_("Vul de nieuwe waarde in."))
    if kind.selects:
        return _chosen(kind, typed)
    if kind.kind is Kind.TEXT:
        if len(typed) > MAX_TEXT:
            raise InvalidValue(_("De waarde is te lang (hoogstens %(max)s tekens).", max=MAX_TEXT))
        return typed
    return _number(kind.kind, typed)


def _chosen(kind: ValueKind, typed: str) -> Any:
    if typed not in {value for value, _label in kind.choices}:
        raise InvalidValue(_("Kies een van de waarden in de lijst."))
    if kind.kind is Kind.BOOLEAN:
        return typed == "yes"
    return typed


def _number(kind: Kind, typed: str) -> Any:
    try:
        value = parse_number(typed, money=kind is Kind.MONEY)
    except NotANumber:
        raise InvalidValue(_("Vul een getal in, bijvoorbeeld 30 of 2,5.")) from None
    if kind in (Kind.DAYS, Kind.YEARS, Kind.COUNT):
        return _whole(kind, value)
    if value < 0:
        raise InvalidValue(_("De waarde mag niet negatief zijn."))
    if kind is Kind.SHARE and value > 1:
        raise InvalidValue(_("Een aandeel ligt tussen 0 en 1, bijvoorbeeld 0,6."))
    if kind is Kind.MONEY:
        if value != value.quantize(Decimal("0.01")):
            raise InvalidValue(_("Een bedrag heeft hoogstens twee cijfers na de komma."))
        return _json_number(value, money=True)
    return _json_number(value)


def _whole(kind: Kind, value: Decimal) -> int:
    if value != value.to_integral_value():
        raise InvalidValue(_("Vul een geheel getal in, zonder komma."))
    if kind is Kind.DAYS and not 1 <= value <= MAX_DAYS:
        raise InvalidValue(_("Een termijn telt van 1 tot %(max)s dagen.", max=MAX_DAYS))
    if kind is Kind.YEARS and not 1 <= value <= MAX_YEARS:
        raise InvalidValue(_("Een duur telt van 1 tot %(max)s jaar.", max=MAX_YEARS))
    if value < 0:
        raise InvalidValue(_("De waarde mag niet negatief zijn."))
    return int(value)


def _json_number(value: Decimal, *, money: bool = False) -> int | str:
    """A whole number as an int, like the declared values; else a decimal string, as pinned values keep it."""
    if value == value.to_integral_value():
        return int(value)
    return stored_money(value) if money else stored(value)


def typed_value(parameter: Parameter, stored_value: Any) -> Any:
    """The JSON form back as the regime declares values: a decimal string of a number as a Decimal."""
    numeric = kind_of(parameter).kind in NUMBERS
    return Decimal(stored_value) if numeric and isinstance(stored_value, str) else stored_value


def shown_value(parameter: Parameter, value: Any) -> str:
    """A value as an admin types it back into the form (numbers in Belgian notation)."""
    kind = kind_of(parameter)
    if value is None:
        return ""
    if kind.kind is Kind.BOOLEAN:
        return "yes" if value else "no"
    if kind.kind is Kind.MONEY:
        return plain_money(value)
    if isinstance(value, int | Decimal):
        return plain_number(value)
    return str(value)
