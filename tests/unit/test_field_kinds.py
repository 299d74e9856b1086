"""One handler per field kind, and numbers in Belgian notation both ways (Babel). Plain data: no database."""

from __future__ import annotations

from decimal import Decimal

import pytest
from flask import Flask
from werkzeug.datastructures import MultiDict

from ldapply import formatting
from ldapply.forms import notation
from ldapply.forms.builder import build_step_form, row_count, visible_names, without_row
from ldapply.forms.kinds import HANDLERS, browser_values, display, form_data, handler
from ldapply.workflows import REGIMES, get_regime
from ldapply.workflows import _fields as f
from ldapply.workflows._spec import FieldKind, ShownWhen, Step, Text

GENERAL = {field.name: field for field in get_regime("general").all_fields()}
CHILDCARE = {field.name: field for field in get_regime("childcare").all_fields()}


class TestRegistry:
    def test_every_kind_has_exactly_one_handler(self):
        assert set(HANDLERS) == set(FieldKind)
        assert all(kind is h.kind for kind, h in HANDLERS.items())

    def test_every_field_of_every_regime_is_handled(self):
        for regime in REGIMES.values():
            for field in regime.all_fields():
                assert handler(field).kind is field.kind, (regime.code, field.name)

    def test_the_flags_say_which_kinds_hold_files_or_rows(self):
        assert [k for k, h in HANDLERS.items() if h.is_file] == [FieldKind.FILE]
        assert [k for k, h in HANDLERS.items() if h.is_group] == [FieldKind.GROUP]

    def test_a_file_without_its_name_and_a_yes_no_answer_read_in_the_language_asked(self):
        upload = GENERAL["business_plan"]
        assert display(upload, [{"upload_id": "x"}], "en") == "file"
        assert display(upload, [{"upload_id": "x"}], "nl") == "bestand"
        assert display(GENERAL["has_other_activities"], True, "en") == "Yes"
        assert display(GENERAL["has_other_activities"], False, "nl") == "Nee"

    def test_only_quick_questions_reach_the_pre_check(self):
        assert not HANDLERS[FieldKind.FILE].quick_question
        assert not HANDLERS[FieldKind.GROUP].quick_question
        assert HANDLERS[FieldKind.MONEY].quick_question


class TestBelgianNotation:
    @pytest.mark.parametrize(
        ("typed", "value"),
        [
            ("12.500", Decimal(12500)),
            ("12,5", Decimal("12.5")),
            ("12 500", Decimal(12500)),
            ("12\u00a0500", Decimal(12500)),  # a no-break space, as word processors type it
            ("12\u202f500", Decimal(12500)),  # a narrow no-break space
            ("1.250.000", Decimal(1250000)),
            ("180.000,50", Decimal("180000.50")),
            ("95000.50", Decimal("95000.50")),  # a plain decimal point where it cannot group thousands
            ("0.5", Decimal("0.5")),
            ("12,50", Decimal("12.5")),
            ("0,500", Decimal("0.5")),  # no thousands group can follow a lone 0
            ("1.234,567", Decimal("1234.567")),  # the point groups thousands, so the comma starts decimals
            ("1234,567", Decimal("1234.567")),
            ("999.999.999.999.999", Decimal(999999999999999)),  # fifteen digits before the comma
            ("  6,5 ", Decimal("6.5")),
            ("-3", Decimal(-3)),
        ],
    )
    def test_numbers_are_read_in_belgian_notation(self, typed, value):
        assert notation.parse_number(typed) == value

    @pytest.mark.parametrize(
        ("typed", "value"),
        [
            ("€ 95.000", Decimal(95000)),
            ("95.000 EUR", Decimal(95000)),
            ("€95000", Decimal(95000)),
            ("EUR 12 500,5", Decimal("12500.5")),
            ("180.000,00 euro", Decimal(180000)),
        ],
    )
    def test_amounts_may_carry_the_currency(self, typed, value):
        assert notation.parse_number(typed, money=True) == value

    @pytest.mark.parametrize(
        "typed", ["1,000.50", "12 50", "1.00.0", "1e3", "NaN", "Infinity", "5,5,5", "", "€", "-", "twaalf", "12.5.0"]
    )
    def test_anything_else_is_refused_rather_than_guessed(self, typed):
        with pytest.raises(notation.NotANumber):
            notation.parse_number(typed, money=True)

    @pytest.mark.parametrize("typed", ["0.500", "-0.250"])
    def test_a_point_before_three_digits_always_groups_thousands(self, typed):
        with pytest.raises(notation.NotANumber):
            notation.parse_number(typed)

    @pytest.mark.parametrize(
        ("typed", "thousands", "decimals"),
        [("12,500", "12.500", "12,5"), ("1,250", "1.250", "1,25"), ("-950,000", "-950.000", "-950")],
    )
    def test_a_lone_comma_before_three_digits_is_refused_as_ambiguous(self, typed, thousands, decimals):
        with pytest.raises(notation.Ambiguous) as refused:
            notation.parse_number(typed, money=True)
        assert (refused.value.thousands, refused.value.decimals) == (thousands, decimals)

    @pytest.mark.parametrize("typed", ["1" * 16, "1" * 30, "1.000.000.000.000.000", "1" * 16 + ",5"])
    def test_more_than_fifteen_digits_before_the_comma_is_refused(self, typed):
        with pytest.raises(notation.TooLong):
            notation.parse_number(typed, money=True)

    def test_a_currency_sign_is_no_part_of_a_plain_number(self):
        with pytest.raises(notation.NotANumber):
            notation.parse_number("€ 5")

    def test_numbers_are_stored_as_plain_decimal_strings(self):
        assert notation.stored(Decimal("12500.00")) == "12500"
        assert notation.stored(Decimal("6.50")) == "6.5"
        assert notation.stored_money(Decimal("180000.5")) == "180000.50"
        assert notation.stored_money(Decimal("95000.00")) == "95000"

    def test_numbers_and_amounts_are_shown_in_belgian_notation(self):
        assert formatting.number("12500") == "12.500"
        assert formatting.number("5.5") == "5,5"
        assert formatting.money("180000.50") == "€\u00a0180.000,50"  # no line break after the euro sign
        assert formatting.money("95000") == "€\u00a095.000,00"
        assert formatting.money("180000.50", "en") == "180.000,50\u00a0€"  # Belgian amounts, English page

    def test_a_typed_value_reads_back_as_itself(self):
        for value in ("180000.50", "95000", "12500.5", "0"):
            typed = formatting.plain_money(value)
            assert notation.parse_number(typed, money=True) == Decimal(value), typed


@pytest.fixture
def context():
    """The kinds' messages and labels are read in a request, as on a page (Dutch: no language chosen)."""
    app = Flask(__name__)
    app.config.update(SECRET_KEY="test", WTF_CSRF_ENABLED=False, MAX_UPLOAD_BYTES=10 * 1024 * 1024)
    from ldapply import i18n

    i18n.babel.init_app(app, locale_selector=lambda: "nl")
    with app.test_request_context(method="POST"):
        yield


def submitted(step: Step, data: dict) -> object:
    formdata = MultiDict(data)
    form = build_step_form(step, {}, formdata)(formdata=formdata)
    form.validate()
    return form


def single(field) -> Step:
    return Step("test", Text("Test", "Test"), fields=(field,))


class TestParsingAndValidation:
    @pytest.mark.parametrize(
        ("typed", "stored"),
        [("€ 95.000", "95000"), ("180.000,50", "180000.50"), ("12 500", "12500"), ("95.000 EUR", "95000")],
    )
    def test_an_amount_is_stored_to_the_cent(self, context, typed, stored):
        form = submitted(single(GENERAL["budget_flemish"]), {"budget_flemish": typed})
        assert not form.errors
        assert form.answers() == {"budget_flemish": stored}

    @pytest.mark.parametrize(
        ("typed", "message"),
        [
            ("180.000,505", "Een bedrag heeft hoogstens twee cijfers na de komma, bijvoorbeeld 180.000,50."),
            ("1,000.50", "Vul een bedrag in euro in, bijvoorbeeld 95.000 of 180.000,50"),
            ("-5", "Vul een bedrag in van minstens €\u00a00,00."),
            ("200.000.000", "Vul een bedrag in van hoogstens €\u00a0100.000.000,00."),
            ("1" * 30, "Een bedrag heeft hoogstens 15 cijfers voor de komma, bijvoorbeeld 180.000,50."),
            (
                "12,500",
                "Bedoelt u 12.500 of 12,5? Schrijf duizendtallen met een punt of een spatie, decimalen met een komma.",
            ),
        ],
    )
    def test_a_bad_amount_gets_a_message_with_an_example(self, context, typed, message):
        form = submitted(single(GENERAL["budget_flemish"]), {"budget_flemish": typed})
        assert any(message in error for error in form.errors["budget_flemish"])

    def test_a_number_without_an_upper_bound_still_refuses_thirty_digits(self, context):
        step = single(f.decimal("share", "Aandeel", "Share"))
        form = submitted(step, {"share": "1" * 30})
        assert form.errors["share"] == ["Een getal heeft hoogstens 15 cijfers voor de komma, bijvoorbeeld 5,5."]
        assert submitted(step, {"share": "0," + "1" * 60}).errors["share"] == ["Gebruik hoogstens 40 tekens."]

    def test_an_integer_reads_thousands_and_refuses_decimals(self, context):
        step = single(f.integer("count", "Aantal", "Count", max_value=100000))
        assert submitted(step, {"count": "1.250"}).answers() == {"count": "1250"}
        assert submitted(step, {"count": "12,5"}).errors["count"] == [
            "Vul een geheel getal in, bijvoorbeeld 12 of 1.250."
        ]

    def test_a_decimal_bound_is_shown_in_belgian_notation(self, context):
        form = submitted(single(GENERAL["target_group_fte"]), {"target_group_fte": "0,05"})
        assert form.errors["target_group_fte"] == ["Vul een getal in van minstens 0,1."]

    def test_yes_no_choices_and_dates_become_json_values(self, context):
        step = Step("t", Text("T", "T"), fields=(GENERAL["has_other_activities"], CHILDCARE["kg_date"]))
        form = submitted(step, {"has_other_activities": "yes", "kg_date": "15-01-2026"})
        assert form.answers() == {"has_other_activities": True, "kg_date": "2026-01-15"}

    def test_an_unreadable_date_says_so(self, context):
        form = submitted(single(CHILDCARE["kg_date"]), {"kg_date": "morgen"})
        assert form.errors["kg_date"] == ["Vul een geldige datum in, bijvoorbeeld 15-01-2026."]

    def test_an_enterprise_number_is_stored_compact(self, context):
        form = submitted(single(GENERAL["enterprise_number"]), {"enterprise_number": "BE 0403.170.701"})
        assert form.answers() == {"enterprise_number": "0403170701"}


class TestDisplay:
    @pytest.mark.parametrize(
        ("name", "value", "shown"),
        [
            ("budget_flemish", "180000.50", "€\u00a0180.000,50"),
            ("budget_users", "95000", "€\u00a095.000,00"),
            ("target_group_fte", "6.5", "6,5"),
            ("has_other_activities", False, "Nee"),
            ("legal_form", "vzw", "Vereniging zonder winstoogmerk (vzw)"),
            ("enterprise_number", "403170701", "0403.170.701"),
            ("business_plan", [{"filename": "plan.pdf"}, {"filename": "begroting.ods"}], "plan.pdf\nbegroting.ods"),
            ("business_plan", {"filename": "plan.pdf"}, "plan.pdf"),  # stored before a field took several files
            ("commission_follows_on", "2026-06-30", "30-06-2026"),
            ("organisation_name", None, "—"),
        ],
    )
    def test_answers_are_shown_in_dutch(self, name, value, shown):
        assert display(GENERAL[name], value) == shown

    def test_answers_are_shown_in_english(self):
        assert display(GENERAL["budget_flemish"], "180000.50", "en") == "180.000,50\u00a0€"
        assert display(GENERAL["has_other_activities"], True, "en") == "Yes"
        assert display(GENERAL["service_field"], "bicycle_points", "en") == "Bicycle points"

    def test_a_group_is_shown_row_by_row(self):
        rows = [{"address": "Dorpsstraat 1", "municipality": "Leuven", "places": "1250", "age_group": "0_3"}]
        assert display(CHILDCARE["locations"], rows) == (
            "Adres: Dorpsstraat 1, Gemeente: Leuven, Aantal opvangplaatsen: 1.250, Leeftijdsgroep: Baby's en peuters"
        )

    def test_stored_answers_pre_fill_a_form_as_people_type_them(self):
        fields = (GENERAL["budget_flemish"], GENERAL["target_group_fte"], GENERAL["has_other_activities"])
        data = form_data(
            fields, {"budget_flemish": "180000.50", "target_group_fte": "6.5", "has_other_activities": True}
        )
        assert data == {"budget_flemish": "180.000,50", "target_group_fte": "6,5", "has_other_activities": "yes"}


class TestConditions:
    def test_a_declarative_condition_is_also_the_show_if(self):
        field = f.text("detail", "Welke?", "Which?", show_if=f.when("kind", "other", "else"))
        assert field.shown_when == ShownWhen("kind", ("other", "else"))
        assert field.show_if is not None
        assert field.show_if({"kind": "else"})
        assert not field.show_if({"kind": "this"})
        chosen = f.text("detail", "Welke?", "Which?", show_if=f.when_chosen("tasks", "other"))
        assert chosen.show_if is not None
        assert chosen.show_if({"tasks": ["liveability", "other"]})
        assert not chosen.show_if({"tasks": ["liveability"]})
        assert not chosen.show_if({"tasks": "other"})  # not a list: no multiple choice answer

    def test_a_callable_show_if_keeps_working(self):
        field = f.text("detail", "Welke?", "Which?", show_if=lambda a: a.get("n") == 2)
        assert field.shown_when is None
        assert field.show_if is not None
        assert field.show_if({"n": 2})

    def test_the_browser_sees_yes_and_no_for_a_yes_no_question(self):
        assert browser_values(GENERAL["has_other_activities"], (True,)) == ["yes"]
        assert browser_values(GENERAL["application_type"], ("extension",)) == ["extension"]

    def test_the_submitted_answers_decide_which_questions_are_shown(self):
        step = get_regime("general").step("organisation")
        assert "sui_generis_responsible" not in visible_names(step, {}, None)
        assert "sui_generis_responsible" in visible_names(step, {}, MultiDict({"has_other_activities": "yes"}))
        unticked = visible_names(
            get_regime("caretakers").step("caretaker_tasks"), {"caretaker_tasks": ["other"]}, MultiDict({})
        )
        assert "caretaker_tasks_other" not in unticked  # no box ticked any more: the follow-up goes

    def test_every_regime_states_its_simple_conditions_declaratively(self):
        """A condition on an answer of the same step is declarative, so pages reveal it without a reload."""
        for regime in REGIMES.values():
            for step in regime.steps:
                names = {field.name for field in step.fields}
                for field in step.fields:
                    if field.show_if is not None:
                        assert field.shown_when is not None, (regime.code, field.name)
                        assert field.shown_when.field in names, (regime.code, field.name)


class TestRegimeDeclarations:
    def test_euro_amounts_are_money(self):
        for regime in REGIMES.values():
            for field in regime.all_fields():
                if field.name.startswith("budget_"):
                    assert field.kind is FieldKind.MONEY, (regime.code, field.name)

    def test_locations_and_housing_complexes_take_200_rows(self):
        assert get_regime("childcare").field("locations").max_items >= 200
        assert get_regime("caretakers").field("housing_complexes").max_items >= 200

    def test_upload_fields_declare_known_kinds_and_a_number_of_files(self):
        from ldapply.forms.kinds import FILE_KIND_NAMES

        for regime in REGIMES.values():
            for field in regime.all_fields():
                if field.kind is FieldKind.FILE:
                    assert field.file_kinds, field.name
                    assert set(field.file_kinds) <= set(FILE_KIND_NAMES), field.name
                    assert field.max_files >= 1, field.name


class TestRows:
    GROUP = get_regime("childcare").field("locations")

    def test_a_page_shows_the_stored_rows_and_one_to_add_another(self):
        assert row_count(self.GROUP, {"locations": [{}, {}, {}]}, None) == 4

    def test_asking_for_another_row_adds_one_up_to_the_limit(self):
        posted = MultiDict({"locations-0-address": "a", "locations-1-address": "", "add_row": "locations"})
        assert row_count(self.GROUP, {}, posted) == 3
        full = MultiDict({f"locations-{i}-address": "a" for i in range(200)} | {"add_row": "locations"})
        assert row_count(self.GROUP, {}, full) == 200

    def test_removing_a_row_moves_the_rows_after_it_up(self):
        posted = MultiDict(
            [
                ("locations-0-address", "Eerste"),
                ("locations-1-address", "Tweede"),
                ("locations-2-address", "Derde"),
                ("locations-10-address", "Elfde"),
                ("local_need", "blijft"),
            ]
        )
        kept = without_row(posted, "locations", 1)
        assert kept.to_dict() == {
            "locations-0-address": "Eerste",
            "locations-1-address": "Derde",
            "locations-9-address": "Elfde",
            "local_need": "blijft",
        }
