"""Numbers, amounts, file sizes and enterprise numbers as people read them: the one place pages and
letters format them.

Numbers keep the Belgian notation in both languages ("12.500", "5,5", "€ 180.000,50"; see ldapply.i18n):
the figures are Belgian, and they read the same on a page, in a letter and where they are typed. Babel
and python-stdnum only, no Flask: letters (always Dutch) are formatted outside a request too, and each
function takes the language it writes in. Reading what applicants type is forms.notation's job.
"""

from __future__ import annotations

from decimal import Decimal

from babel.numbers import format_currency, format_decimal
from stdnum.be import vat

NOTHING = "—"  # no value
BELGIAN = "nl_BE"
# The page's language -> the Babel locale numbers are written in: Belgian notation in both languages.
LOCALES = {"nl": BELGIAN, "en": "en_BE"}
NUMBER_FORMAT = "#,##0.###############"  # thousands grouped, no trailing zeros


def _locale(locale: str) -> str:
    return LOCALES.get(locale[:2], BELGIAN)


def _blank(value: object) -> bool:
    return value is None or value == ""


def number(value: Decimal | int | float | str | None, locale: str = "nl") -> str:
    """ "12.500", "5,5", "180.000" (no trailing zeros); "—" for no value."""
    if _blank(value):
        return NOTHING
    return format_decimal(Decimal(str(value)), format=NUMBER_FORMAT, locale=_locale(locale))


def money(value: Decimal | int | str | None, locale: str = "nl") -> str:
    """An amount in euro: "€ 180.000,50" (in English "180.000,50 €", still Belgian notation); "—" for none."""
    if _blank(value):
        return NOTHING
    return format_currency(Decimal(str(value)), "EUR", locale=_locale(locale))


def plain_number(value: Decimal | int | str) -> str:
    """A number as an applicant types it back into a form: "12.500", "6,5" (Dutch, whatever the page)."""
    return number(value, "nl")


def plain_money(value: Decimal | int | str) -> str:
    """An amount as typed into a form: "180.000,50", "95.000" (whole euros without cents, no currency sign)."""
    amount = Decimal(str(value))
    if amount == amount.to_integral_value():
        return number(amount, "nl")
    return format_decimal(amount, format="#,##0.00", locale=BELGIAN)


def filesize(size: int, locale: str = "nl") -> str:
    """ "27 bytes", "1,2 kB", "3,4 MB": one decimal, with a comma."""
    if size < 1024:
        return f"{size} bytes"
    value, unit = (size / 1024, "kB") if size < 1024 * 1024 else (size / 1024 / 1024, "MB")
    return f"{format_decimal(value, format='#,##0.0', locale=_locale(locale))} {unit}"


def enterprise_number(number: str | None) -> str:
    """An enterprise number as people write it, "0403.170.701", from any spelling ("BE 403170701");
    anything that is not ten digits as it is."""
    if not number:
        return ""
    compact = vat.compact(number)
    return f"{compact[:4]}.{compact[4:7]}.{compact[7:]}" if len(compact) == 10 and compact.isdigit() else number
