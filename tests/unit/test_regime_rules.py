"""The caretakers and childcare regimes' own rules: condition checks, show_if predicates, step rules, volume.

Pure functions over answers and parameters: no app, no database.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from ldapply.workflows import get_regime
from ldapply.workflows._spec import FieldKind, Regime

CARETAKERS = get_regime("caretakers")
CHILDCARE = get_regime("childcare")
UPLOAD = {"upload_id": "00000000-0000-0000-0000-000000000001", "filename": "bijlage.pdf"}


def _check(regime: Regime, code: str, answers: dict, **params: object):
    check = regime.condition(code).check
    assert check is not None
    return check(answers, {**regime.parameter_values(), **params})


def _visible(regime: Regime, step: str, answers: dict) -> set[str]:
    found = regime.step(step)
    assert found is not None
    return {f.name for f in found.visible_fields(answers)}


def _rules_pass(regime: Regime, step: str, answers: dict) -> bool:
    found = regime.step(step)
    assert found is not None
    return all(rule.check(answers) for rule in found.rules)


def _complexes(*units: int) -> list[dict[str, str]]:
    return [
        {"complex_name": f"Complex {i}", "municipality": "Gent", "rental_units": str(n)} for i, n in enumerate(units)
    ]


def _locations(*places: int) -> list[dict[str, str]]:
    return [
        {"address": f"Kerkstraat {i}", "municipality": "Aalst", "places": str(n), "age_group": "0_3"}
        for i, n in enumerate(places)
    ]


# -- both regimes ----------------------------------------------------------------------------------


@pytest.mark.parametrize("regime", [CARETAKERS, CHILDCARE], ids=lambda r: r.code)
def test_every_condition_states_its_basis_and_reads_declared_fields(regime):
    names = {f.name for f in regime.all_fields()}
    for condition in regime.conditions:
        assert condition.basis.text.strip(), condition.code
        assert set(condition.fields) <= names, condition.code


@pytest.mark.parametrize("regime", [CARETAKERS, CHILDCARE], ids=lambda r: r.code)
def test_the_regime_is_not_run_through_calls_and_cites_its_besluit(regime):
    assert regime.version == 1
    assert regime.uses_calls is False
    assert {basis.numac for basis in regime.legal_basis} >= {"2007035250"}


def test_the_new_parameters_are_unknown_assumptions_until_go_live():
    for regime, name in (
        (CARETAKERS, "units_per_caretaker_fte"),
        (CHILDCARE, "min_target_group_share"),
        (CHILDCARE, "subsidy_per_place"),
    ):
        parameter = regime.parameter(name)
        assert parameter.value is None
        assert parameter.provenance == "assumption"
        assert parameter.source.strip()


# -- caretakers ------------------------------------------------------------------------------------


def test_caretakers_cite_the_besluit_of_4_july_2008():
    assert "2008203785" in {basis.numac for basis in CARETAKERS.legal_basis}


def test_caretakers_do_not_use_the_target_group_condition_but_their_own_staffing_condition():
    codes = {c.code for c in CARETAKERS.conditions}
    assert "target_group" not in codes
    assert {"caretaker_staffing", "shm_involved", "units_per_caretaker", "local_need", "sui_generis"} <= codes
    assert "target_group_fte" not in {f.name for f in CARETAKERS.all_fields()}


def test_the_caretaker_volume_counts_caretaker_and_supervisory_fte():
    assert CARETAKERS.volume is not None
    assert CARETAKERS.volume({"caretaker_fte": "2.5", "supervisory_fte": "0.5"}) == Decimal("3.0")
    assert CARETAKERS.volume({"caretaker_fte": "2"}) == Decimal(2)
    assert CARETAKERS.volume({}) == Decimal(0)


def test_caretaker_staffing_is_met_with_caretaker_fte():
    finding = _check(CARETAKERS, "caretaker_staffing", {"caretaker_fte": "2.5"})
    assert finding is not None
    assert finding.met
    assert "2,5" in finding.text.nl


def test_caretaker_staffing_without_caretakers_is_not_met_and_unknown_without_an_answer():
    finding = _check(CARETAKERS, "caretaker_staffing", {"caretaker_fte": "0"})
    assert finding is not None
    assert not finding.met
    assert _check(CARETAKERS, "caretaker_staffing", {}) is None


def test_an_shm_applying_itself_involves_an_shm():
    finding = _check(CARETAKERS, "shm_involved", {"applicant_type": "shm", "shm_name": "De Ideale Woning"})
    assert finding is not None
    assert finding.met
    assert "De Ideale Woning" in finding.text.nl


def test_a_partner_with_an_agreement_involves_an_shm():
    answers = {"applicant_type": "partner", "shm_name": "Woonpunt", "partnership_agreement": UPLOAD}
    finding = _check(CARETAKERS, "shm_involved", answers)
    assert finding is not None
    assert finding.met


def test_a_partner_without_an_agreement_does_not_involve_an_shm():
    finding = _check(CARETAKERS, "shm_involved", {"applicant_type": "partner", "shm_name": "Woonpunt"})
    assert finding is not None
    assert not finding.met


def test_shm_involvement_without_the_name_of_the_shm_is_not_met_and_unknown_without_an_applicant_type():
    finding = _check(CARETAKERS, "shm_involved", {"applicant_type": "shm", "shm_name": "  "})
    assert finding is not None
    assert not finding.met
    assert _check(CARETAKERS, "shm_involved", {}) is None


def test_units_per_caretaker_is_left_to_the_reviewer_while_the_ratio_is_unknown():
    answers = {"housing_complexes": _complexes(120, 80), "caretaker_fte": "2"}
    assert CARETAKERS.parameter("units_per_caretaker_fte").value is None
    assert _check(CARETAKERS, "units_per_caretaker", answers) is None


def test_units_per_caretaker_is_met_when_the_units_per_fte_reach_the_norm():
    answers = {"housing_complexes": _complexes(120, 80), "caretaker_fte": "2"}
    finding = _check(CARETAKERS, "units_per_caretaker", answers, units_per_caretaker_fte=100)
    assert finding is not None
    assert finding.met
    assert "norm 100 per VTE" in finding.text.nl
    assert "norm 100 per FTE" in finding.text.en
    assert "units_per_caretaker_fte" not in finding.text.nl + finding.text.en  # applicants read findings


def test_units_per_caretaker_is_not_met_when_too_few_units_per_fte():
    answers = {"housing_complexes": _complexes(100, 50), "caretaker_fte": "2"}
    finding = _check(CARETAKERS, "units_per_caretaker", answers, units_per_caretaker_fte=100)
    assert finding is not None
    assert not finding.met
    assert "75" in finding.text.nl
    assert "onder de norm van 100 per VTE" in finding.text.nl
    assert "units_per_caretaker_fte" not in finding.text.nl + finding.text.en


def test_units_per_caretaker_formats_a_fractional_ratio_the_dutch_way():
    answers = {"housing_complexes": _complexes(100), "caretaker_fte": "1.5"}
    finding = _check(CARETAKERS, "units_per_caretaker", answers, units_per_caretaker_fte="80")
    assert finding is not None
    assert not finding.met
    assert "66,67 per VTE" in finding.text.nl
    assert "66.67 per FTE" in finding.text.en


def test_units_per_caretaker_without_complexes_or_fte_says_nothing():
    assert _check(CARETAKERS, "units_per_caretaker", {"caretaker_fte": "2"}, units_per_caretaker_fte=100) is None
    answers = {"housing_complexes": _complexes(100)}
    assert _check(CARETAKERS, "units_per_caretaker", answers, units_per_caretaker_fte=100) is None


def test_units_per_caretaker_skips_rows_that_are_not_rows_or_numbers():
    answers = {
        "housing_complexes": [*_complexes(100), "nonsense", {"complex_name": "X", "rental_units": "veel"}],
        "caretaker_fte": "1",
    }
    finding = _check(CARETAKERS, "units_per_caretaker", answers, units_per_caretaker_fte=100)
    assert finding is not None
    assert finding.met


def test_the_partnership_agreement_is_asked_only_of_a_partner():
    assert "partnership_agreement" in _visible(CARETAKERS, "housing_company", {"applicant_type": "partner"})
    assert "partnership_agreement" not in _visible(CARETAKERS, "housing_company", {"applicant_type": "shm"})
    assert "partnership_agreement" not in _visible(CARETAKERS, "housing_company", {})


def test_other_caretaker_tasks_are_asked_only_when_other_is_among_the_chosen_tasks():
    field = CARETAKERS.field("caretaker_tasks")
    assert field.kind == FieldKind.MULTI_CHOICE
    assert "other" in {c.value for c in field.choices}
    assert "caretaker_tasks_other" in _visible(
        CARETAKERS, "caretaker_tasks", {"caretaker_tasks": ["liveability", "other"]}
    )
    assert "caretaker_tasks_other" not in _visible(CARETAKERS, "caretaker_tasks", {"caretaker_tasks": ["liveability"]})
    assert "caretaker_tasks_other" not in _visible(CARETAKERS, "caretaker_tasks", {"caretaker_tasks": "other"})
    assert "caretaker_tasks_other" not in _visible(CARETAKERS, "caretaker_tasks", {})


def test_the_housing_complexes_are_a_group_of_at_least_one_row():
    field = CARETAKERS.field("housing_complexes")
    assert field.kind == FieldKind.GROUP
    assert field.min_items == 1
    assert [c.name for c in field.fields] == ["complex_name", "municipality", "rental_units"]
    units = next(c for c in field.fields if c.name == "rental_units")
    assert units.kind == FieldKind.INTEGER
    assert units.min_value == 1


def test_a_housing_complex_may_be_listed_only_once():
    assert _rules_pass(CARETAKERS, "complexes", {"housing_complexes": _complexes(10, 20)})
    twice = [*_complexes(10), {"complex_name": " complex 0 ", "municipality": "GENT", "rental_units": "5"}]
    assert not _rules_pass(CARETAKERS, "complexes", {"housing_complexes": twice})


def test_the_fields_the_common_conditions_read_keep_their_names():
    names = {f.name for f in CARETAKERS.all_fields()}
    assert {"supervisory_fte", "guidance_plan", "participation_plan", "local_need", "has_other_activities"} <= names


# -- childcare -------------------------------------------------------------------------------------


def test_childcare_cites_the_besluit_of_9_may_2008():
    assert "2008202840" in {basis.numac for basis in CHILDCARE.legal_basis}


def test_the_childcare_volume_is_the_places_over_all_locations():
    assert CHILDCARE.volume is not None
    assert CHILDCARE.volume({"locations": _locations(18, 12)}) == Decimal(30)
    assert CHILDCARE.volume({}) == Decimal(0)
    assert CHILDCARE.volume_unit.nl == "opvangplaatsen"


def test_childcare_with_the_kind_en_gezin_authorisation_is_met():
    answers = {"kg_status": "granted", "kg_date": "2008-06-01", "kg_authorisation": UPLOAD}
    finding = _check(CHILDCARE, "kind_en_gezin_authorisation", answers)
    assert finding is not None
    assert finding.met
    assert "1 juni 2008" in finding.text.nl  # written out, as letters write dates
    assert "1 June 2008" in finding.text.en


def test_childcare_without_the_kind_en_gezin_authorisation_is_not_met():
    finding = _check(CHILDCARE, "kind_en_gezin_authorisation", {"kg_status": "requested", "kg_date": "2008-06-01"})
    assert finding is not None
    assert not finding.met
    assert "nog niet verleend" in finding.text.nl
    assert "not granted yet" in finding.text.en


def test_the_kind_en_gezin_finding_waits_for_an_answer():
    assert _check(CHILDCARE, "kind_en_gezin_authorisation", {}) is None


def test_childcare_keeps_the_common_target_group_condition():
    finding = _check(CHILDCARE, "target_group", {"target_group_fte": "6"})
    assert finding is not None
    assert finding.met


def test_the_lok_advice_is_met_only_when_attached():
    attached = _check(CHILDCARE, "lok_advice", {"lok_advice": UPLOAD, "lok_advice_date": "2008-05-01"})
    missing = _check(CHILDCARE, "lok_advice", {})
    assert attached is not None
    assert attached.met
    assert missing is not None
    assert not missing.met


def test_fire_safety_is_met_only_with_the_certificate():
    attached = _check(CHILDCARE, "fire_safety", {"fire_safety_certificate": UPLOAD, "quality_handbook": True})
    missing = _check(CHILDCARE, "fire_safety", {"quality_handbook": True})
    assert attached is not None
    assert attached.met
    assert missing is not None
    assert not missing.met


def test_the_authorisation_upload_is_asked_only_once_granted():
    assert "kg_authorisation" in _visible(CHILDCARE, "kind_en_gezin", {"kg_status": "granted"})
    assert "kg_authorisation" not in _visible(CHILDCARE, "kind_en_gezin", {"kg_status": "requested"})
    assert "kg_authorisation" not in _visible(CHILDCARE, "kind_en_gezin", {})


def test_the_contribution_is_explained_only_when_it_is_not_income_related():
    step = "priority_and_contribution"
    assert "contribution_explanation" in _visible(CHILDCARE, step, {"income_related_contribution": False})
    assert "contribution_explanation" not in _visible(CHILDCARE, step, {"income_related_contribution": True})
    assert "contribution_explanation" not in _visible(CHILDCARE, step, {})


def test_the_locations_are_a_group_with_places_and_an_age_group():
    field = CHILDCARE.field("locations")
    assert field.kind == FieldKind.GROUP
    assert field.min_items == 1
    columns = {c.name: c for c in field.fields}
    assert set(columns) == {"address", "municipality", "places", "age_group"}
    assert columns["places"].min_value == 1
    assert {c.value for c in columns["age_group"].choices} == {"0_3", "school", "mixed"}


def test_a_location_may_be_listed_only_once():
    assert _rules_pass(CHILDCARE, "locations", {"locations": _locations(18, 12)})
    twice = [*_locations(18), {"address": "kerkstraat 0", "municipality": "Aalst", "places": "4", "age_group": "mixed"}]
    assert not _rules_pass(CHILDCARE, "locations", {"locations": twice})


def test_the_date_of_the_authorisation_or_request_cannot_lie_in_the_future():
    tomorrow = (date.today() + timedelta(days=1)).isoformat()
    assert _rules_pass(CHILDCARE, "kind_en_gezin", {"kg_status": "requested", "kg_date": "2008-06-01"})
    assert _rules_pass(CHILDCARE, "kind_en_gezin", {"kg_status": "requested", "kg_date": date.today().isoformat()})
    assert not _rules_pass(CHILDCARE, "kind_en_gezin", {"kg_status": "granted", "kg_date": tomorrow})
    assert _rules_pass(CHILDCARE, "kind_en_gezin", {"kg_status": "granted"})


def test_childcare_uses_the_common_staffing_step():
    assert CHILDCARE.step("staffing") is not None
    assert {"target_group_fte", "supervisory_fte", "participation_plan", "local_need"} <= {
        f.name for f in CHILDCARE.all_fields()
    }
