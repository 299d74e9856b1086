"""One formatting module for pages and letters: numbers, amounts, sizes and enterprise numbers. No Flask."""

from __future__ import annotations

from decimal import Decimal

import pytest

from ldapply import formatting
from ldapply.services.letter_context import nl_number
from ldapply.workflows import get_regime


class TestNumbers:
    @pytest.mark.parametrize(
        ("value", "shown"),
        [("12500", "12.500"), ("5.5", "5,5"), (Decimal("180000.00"), "180.000"), (3, "3"), ("0", "0"), (None, "—")],
    )
    def test_numbers_group_thousands_and_drop_trailing_zeros(self, value, shown):
        assert formatting.number(value) == shown

    def test_amounts_are_in_euro_to_the_cent(self):
        assert formatting.money("180000.5") == "€\u00a0180.000,50"  # no line break after the euro sign
        assert formatting.money("95000") == "€\u00a095.000,00"
        assert formatting.money("180000.50", "en") == "180.000,50\u00a0€"  # Belgian amounts, English page
        assert formatting.money(None) == "—"

    def test_letters_print_numbers_as_the_pages_do(self):
        assert nl_number(Decimal(180000)) == formatting.number(180000) == "180.000"
        assert nl_number(Decimal("12.5")) == "12,5"
        assert nl_number(None) == "—"

    def test_a_number_reads_back_as_it_is_typed(self):
        assert formatting.plain_number("12500") == "12.500"
        assert formatting.plain_money("180000.50") == "180.000,50"
        assert formatting.plain_money("95000") == "95.000"


class TestOtherValues:
    @pytest.mark.parametrize(
        ("size", "shown"), [(27, "27 bytes"), (1260, "1,2 kB"), (3_565_158, "3,4 MB"), (10 * 1024 * 1024, "10,0 MB")]
    )
    def test_file_sizes_have_a_decimal_comma(self, size, shown):
        assert formatting.filesize(size) == shown

    @pytest.mark.parametrize("typed", ["0403170701", "403170701", "BE 0403.170.701", "0403 170 701"])
    def test_an_enterprise_number_is_written_with_points_from_any_spelling(self, typed):
        assert formatting.enterprise_number(typed) == "0403.170.701"

    def test_what_is_no_enterprise_number_stays_as_it_is(self):
        assert formatting.enterprise_number("12345") == "12345"
        assert formatting.enterprise_number(None) == ""


@pytest.mark.parametrize("code", ["general", "caretakers", "childcare"])
def test_every_unit_reads_in_english_on_english_pages_and_in_dutch_in_letters(code):
    regime = get_regime(code)
    for parameter in regime.parameters:
        assert parameter.unit_text.nl == parameter.unit, parameter.name
        assert parameter.unit_en, parameter.name
        assert parameter.unit_text.en == parameter.unit_en


class TestDays:
    """format_day puts Babel's month names together itself (a queue page shows a hundred dates): it must write
    every day as Babel's own format_date does, in both languages."""

    @pytest.mark.parametrize("language", ["nl", "en"])
    def test_every_month_reads_as_babel_writes_it(self, language):
        from datetime import UTC, date, datetime

        from flask import Flask
        from flask_babel import Babel, force_locale, format_date

        from ldapply.i18n import DAY_PATTERN, format_day

        def babel_day(day: date) -> str:
            return str(format_date(day, DAY_PATTERN, rebase=False))

        app = Flask(__name__)
        Babel(app, default_timezone="Europe/Brussels")
        with app.test_request_context(), force_locale(language):
            for month in range(1, 13):
                day = date(2026, month, 1 if month % 2 else 28)
                assert format_day(day) == babel_day(day), (language, day)
            assert format_day(datetime(2026, 12, 31, 23, 30, tzinfo=UTC)) == babel_day(date(2027, 1, 1))  # Brussels
            assert format_day(None) == "—"
        with app.app_context(), force_locale(language):  # a mail from a Celery task: no request, its own language
            assert format_day(date(2026, 3, 1)) == babel_day(date(2026, 3, 1))
