"""Every letter template renders the documented context (docs/letter-context.md) in its variations:
hearing with and without a response, outside the regime's period, with and without an objection."""

from __future__ import annotations

import re

import pytest

from ldapply.services import letters
from ldapply.workflows import REGIMES
from tests.letter_example import KINDS, VARIANTS, example_context

CASES = [(code, kind, {}) for code in ("general", "caretakers", "childcare") for kind in KINDS] + list(VARIANTS)


@pytest.mark.parametrize(
    ("code", "kind", "options"), CASES, ids=[f"{c}-{k}-{'-'.join(o) or 'plain'}" for c, k, o in CASES]
)
def test_the_template_renders_the_documented_context(code, kind, options):
    context = example_context(code, kind, **options)
    html = letters.render_html(code, kind, context)
    assert context["signatory"]["name"] in html
    assert context["verification"]["code"] in html
    assert ("Raad van State" in html) == REGIMES[code].letter(kind).is_decision
    assert ("Let op: deze aanvraag werd gestart buiten de periode" in html) == context["regime"]["outside_period"]


def test_a_text_typed_by_people_is_escaped_in_every_letter():
    context = example_context("general", "decision_refused")
    context["motivation"] = "<script>alert(1)</script>"
    html = letters.render_html("general", "decision_refused", context)
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


@pytest.mark.parametrize("code", ["general", "childcare"])  # the caretakers example holds no files
def test_the_receipt_lists_each_attachment_with_its_sha256_and_the_time_of_submission(code):
    context = example_context(code, "receipt")
    assert context["attachments"], "the example receipt has files"
    html = letters.render_html(code, "receipt", context)
    assert context["submitted_at"] in html
    for attachment in context["attachments"]:
        assert attachment["filename"] in html
        assert attachment["sha256"] in html


def test_a_receipt_without_files_says_so_and_an_older_frozen_receipt_still_renders():
    context = example_context("caretakers", "receipt")
    context["attachments"] = []
    assert "U diende geen bijlagen in." in letters.render_html("caretakers", "receipt", context)
    for key in ("attachments", "submitted_at"):  # frozen before these keys existed
        del context[key]
    assert context["verification"]["code"] in letters.render_html("caretakers", "receipt", context)


@pytest.mark.parametrize("code", ["general", "childcare", "label_2013"])
def test_the_receipt_of_additions_lists_the_changes_their_files_and_the_time_of_the_hand_in(code):
    context = example_context(code, "additions_received")
    html = letters.render_html(code, "additions_received", context)
    assert context["submitted_at"] in html
    assert "Wat u hebt gewijzigd" in html
    for row in context["sections"][0]["rows"]:
        assert row["label"] in html
    for attachment in context["attachments"]:
        assert attachment["sha256"] in html


def test_a_receipt_of_additions_without_changes_says_so():
    context = example_context("caretakers", "additions_received")
    context.update(sections=[], attachments=[])
    html = letters.render_html("caretakers", "additions_received", context)
    assert "U wijzigde bij de aanvulling geen antwoorden van uw aanvraag." in html
    assert "Bijlagen bij uw aanvulling" not in html


def text_of(html: str) -> str:
    return " ".join(html.split())


@pytest.mark.parametrize("code", ["general", "caretakers", "childcare"])
def test_the_receipt_states_the_admissibility_term_as_the_administrations_own_rule_and_no_stopped_clock(code):
    context = example_context(code, "receipt")
    html = text_of(letters.render_html(code, "receipt", context))
    assert "termijn van 7 kalenderdagen" in html
    assert (
        "Die termijn is een regel die de administratie zelf hanteert, naar het model van de regeling van 2013" in html
    )
    assert "staat de behandeling van uw aanvraag stil" not in html


@pytest.mark.parametrize("code", ["general", "caretakers", "childcare"])
def test_a_receipt_is_signed_for_the_team_without_a_delegation_and_addressed_to_the_registered_address(code):
    context = example_context(code, "receipt")
    context["signatory"]["delegation"] = "het besluit houdende delegatie van beslissingsbevoegdheden"
    html = text_of(letters.render_html(code, "receipt", context))
    assert "delegatie van beslissingsbevoegdheden" not in html
    assert f"namens het {context['sender']['unit']}" in html
    for line in context["organisation"]["address"]:
        assert line in html


def test_a_decision_keeps_its_delegation_line():
    context = example_context("general", "decision_granted")
    context["signatory"]["delegation"] = "het besluit houdende delegatie van beslissingsbevoegdheden"
    assert "Handelend krachtens het besluit houdende delegatie" in letters.render_html(
        "general", "decision_granted", context
    )


def test_the_receipt_hides_questions_left_empty():
    context = example_context("general", "receipt")
    context["sections"][0]["rows"].append({"label": "Of: de beslissing volgt uiterlijk op", "value": "—"})
    assert "Of: de beslissing volgt uiterlijk op" not in letters.render_html("general", "receipt", context)


def test_the_receipt_of_additions_lists_each_item_asked_and_whether_it_changed():
    context = example_context("general", "additions_received")
    html = text_of(letters.render_html("general", "additions_received", context))
    for item in context["additions_request"]["asked"]:
        assert item["label"] in html
    assert "gewijzigd" in html
    assert "niet gewijzigd" in html
    assert "Wij nemen uw aanvulling mee in de behandeling van uw aanvraag." in html
    # The admissibility period stood still while the additions were awaited and resumes with what was left
    # (services/legal_clock.py): it does not start again.
    assert "De termijn van 7 kalenderdagen voor dat onderzoek stond stil" in html
    assert "loopt nu verder met de dagen die nog overbleven" in html
    assert "na ontvangst van uw aanvulling" not in html


def test_a_receipt_of_additions_that_changed_nothing_names_the_items_asked():
    context = example_context("general", "additions_received")
    context.update(sections=[], attachments=[])
    for item in context["additions_request"]["asked"]:
        item["changed"] = False
    html = text_of(letters.render_html("general", "additions_received", context))
    assert "U diende de aanvulling in zonder de gevraagde gegevens te wijzigen: " in html
    assert "Wij beoordelen uw aanvraag op basis van de stukken die wij hebben." in html


NOT_APPLICABLE_REASON = "De organisatie voert geen opdracht uit voor een openbaar bestuur."


def _condition_text(html: str, title: str) -> str:
    """The letter's words about one condition (its <div class="condition">)."""
    block = next(b for b in html.split('<div class="condition">')[1:] if title in b.split("</div>")[0])
    return text_of(re.sub(r"<[^>]+>", " ", block.split("</div>")[0]))


@pytest.mark.parametrize("kind", ["decision_granted", "decision_refused"])
def test_a_condition_not_applicable_is_printed_so_with_its_reason_never_as_met(kind):
    context = example_context("general", kind)
    condition = context["conditions"][-1]
    condition.update(met=None, verdict="not_applicable", reason=NOT_APPLICABLE_REASON)
    shown = _condition_text(letters.render_html("general", kind, context), condition["title"])
    assert "Oordeel: niet van toepassing" in shown
    assert NOT_APPLICABLE_REASON in shown
    assert "vervuld" not in shown
    assert "niet beoordeeld" not in shown


def test_the_hearing_notice_names_only_the_conditions_not_met_as_its_grounds():
    context = example_context("general", "intended_refusal")
    failing = [c for c in context["conditions"] if c["met"] is False]
    assert failing, "the example refusal has a condition not met"
    other = next(c for c in context["conditions"] if c["met"] is not False)
    other.update(met=None, verdict="not_applicable", reason=NOT_APPLICABLE_REASON)
    html = text_of(letters.render_html("general", "intended_refusal", context))
    assert all(c["title"] in html for c in failing)
    assert other["title"] not in html
    assert NOT_APPLICABLE_REASON not in html


def test_a_letter_stored_before_verdicts_had_three_values_still_prints_met_and_not_met():
    context = example_context("general", "decision_refused")
    for condition in context["conditions"]:
        condition.pop("verdict", None)  # as frozen then: "met" alone
    html = letters.render_html("general", "decision_refused", context)
    met = next(c for c in context["conditions"] if c["met"] is True)
    not_met = next(c for c in context["conditions"] if c["met"] is False)
    assert "Oordeel: vervuld" in _condition_text(html, met["title"])
    assert "Oordeel: niet vervuld" in _condition_text(html, not_met["title"])


def test_a_condition_judged_not_applicable_applies_no_norm_of_its_own():
    """The own rules a grant applies leave out the norm of a condition that does not concern the application (a
    regime whose condition with a norm may be not applicable: the caretakers ratio, made so here)."""
    from dataclasses import replace

    from ldapply.services.letter_context import VerdictRecord, own_rules_context, reliances
    from ldapply.services.samples import sample_case
    from ldapply.workflows._spec import Text, Verdict

    base = REGIMES["caretakers"]
    ratio = replace(base.condition("units_per_caretaker"), inapplicable_when=Text("iets", "something"))
    regime = replace(base, conditions=tuple(ratio if c.code == ratio.code else c for c in base.conditions))
    case = sample_case(regime, "decision_granted", code="NORM00000000")
    case = replace(case, parameters={**case.parameters, "units_per_caretaker_fte": 40})  # a ratio set by an admin
    applied = [rule["text"] for rule in own_rules_context(case, regime, "decision_granted")]
    assert any(text.startswith(ratio.title.nl) for text in applied)
    judged = replace(case, verdicts={**case.verdicts, ratio.code: VerdictRecord(Verdict.NOT_APPLICABLE, "Reden.")})
    applied = [rule["text"] for rule in own_rules_context(judged, regime, "decision_granted")]
    assert not any(text.startswith(ratio.title.nl) for text in applied)
    assert "units_per_caretaker_fte" not in {name for _kind, name, _p in reliances(judged, regime, "decision_granted")}


def test_a_delegation_not_found_is_printed_as_the_administrations_record_never_as_a_found_act():
    from dataclasses import replace

    from ldapply.services.letter_context import build_context
    from ldapply.services.samples import sample_case
    from tests.support import TEST_SENDER

    regime = REGIMES["general"]
    case = sample_case(regime, "decision_granted", code="DELEGATION00")
    said = "het delegatiebesluit zelf is niet in de regelgeving teruggevonden"
    recorded = text_of(
        letters.render_html("general", "decision_granted", build_context(case, regime, "decision_granted", TEST_SENDER))
    )
    assert (
        f"handelend krachtens {case.signatory.delegation} (een delegatie zoals de administratie die vastlegde; {said})"
        in recorded
    )
    found = replace(case, signatory=replace(case.signatory, delegation_found=True))
    context = build_context(found, regime, "decision_granted", TEST_SENDER)
    assert said not in text_of(letters.render_html("general", "decision_granted", context))
    del context["signatory"]["delegation_found"]  # a context stored before the provenance was kept: as it was
    assert said not in text_of(letters.render_html("general", "decision_granted", context))
