"""A renewal's letters as the lawyer read them: decided after the current recognition ended, they speak of it
in the past tense and say which days the renewed term does not cover; decided before, as before."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from ldapply.clock import LOCAL_ZONE
from ldapply.services import letters
from ldapply.services.samples import sample_case
from ldapply.workflows import REGIMES
from tests.support import TEST_SENDER

ENDS = date(2014, 3, 15)
LDE = ["general", "caretakers", "childcare"]


def renewal_letter(code: str, kind: str, issued: date) -> tuple[dict, str]:
    from dataclasses import replace

    from ldapply.services.letter_context import build_context

    regime = REGIMES[code]
    case = sample_case(regime, kind, code="RENEWAL00000")
    shift = datetime(issued.year, issued.month, issued.day, 11, tzinfo=LOCAL_ZONE) - case.issued_at
    case = replace(
        case,
        events=tuple(replace(e, at=e.at + shift) for e in case.events),
        issued_at=case.issued_at + shift,
        started_on=case.started_on + shift,
        submitted_on=case.submitted_on + shift if case.submitted_on else None,
        call=None,
        reference=case.reference + "-V1",
        renewal_of=case.reference,
        renewal_of_ends_on=ENDS,
    )
    context = build_context(case, regime, kind, TEST_SENDER)
    return context, " ".join(letters.render_html(code, kind, context).split())


@pytest.mark.parametrize("code", LDE)
@pytest.mark.parametrize("kind", ["decision_granted", "decision_partly_granted"])
def test_a_renewal_granted_after_the_last_day_says_which_days_it_does_not_cover(code, kind):
    context, text = renewal_letter(code, kind, ENDS + timedelta(days=5))
    assert context["renewal"]["gap"]
    assert context["renewal"]["ended"]
    assert "tot dan loopt de huidige erkenning" not in text
    assert "De huidige erkenning liep af op 15 maart 2014" in text
    assert "de dagen van 16 maart 2014 tot en met 19 maart 2014 niet" in text
    assert "die liep tot en met 15 maart 2014" in text
    assert context["decision"]["start_date"] == "20 maart 2014"


@pytest.mark.parametrize("code", LDE)
def test_a_renewal_granted_before_the_last_day_starts_the_day_after_it(code):
    context, text = renewal_letter(code, "decision_granted", ENDS - timedelta(days=30))
    assert not context["renewal"]["gap"]
    assert not context["renewal"]["ended"]
    assert "gaat in op 16 maart 2014; tot dan loopt de huidige erkenning" in text
    assert "die loopt tot en met 15 maart 2014" in text


@pytest.mark.parametrize("code", LDE)
def test_a_renewal_refused_after_the_last_day_speaks_of_it_in_the_past_tense(code):
    _context, text = renewal_letter(code, "decision_refused", ENDS + timedelta(days=5))
    assert "blijft gelden tot en met" not in text
    assert "de huidige erkenning gold tot en met 15 maart 2014 en is afgelopen" in text
    _context, before = renewal_letter(code, "decision_refused", ENDS - timedelta(days=30))
    assert "de huidige erkenning blijft gelden tot en met 15 maart 2014 en loopt dan af" in before


@pytest.mark.parametrize("code", LDE)
@pytest.mark.parametrize("kind", ["decision_granted", "decision_refused", "receipt", "intended_refusal"])
def test_a_renewal_letter_says_it_is_one_in_its_subject(code, kind):
    context, text = renewal_letter(code, kind, ENDS - timedelta(days=30))
    assert context["title"].endswith("(verlenging van een erkenning)")
    assert f"<th>Onderwerp</th><td>{context['title']}</td>" in text


def test_the_general_renewal_receipt_and_decision_do_not_speak_of_a_new_initiative_or_a_call():
    _context, receipt = renewal_letter("general", "receipt", ENDS - timedelta(days=30))
    assert "beoordeeld binnen de oproep waarin ze werden ingediend" not in receipt
    assert "Een verlenging valt buiten elke oproep" in receipt
    context, decision = renewal_letter("general", "decision_granted", ENDS - timedelta(days=30))
    assert "betrekking heeft op een nieuw initiatief" not in decision
    assert "betrekking heeft op de verlenging van de erkenning van een initiatief" in decision
    commission = next(c for c in context["conditions"] if c["code"] == "public_commission")
    assert not commission["basis_is_law"]
    assert commission["basis"].startswith("Regel van de administratie: een verlenging valt buiten elke oproep")
    assert "waarop de aanvraag ingaat" not in decision


def test_a_first_application_keeps_the_call_as_the_basis_of_the_public_commission():
    from tests.support import sample_letter_context

    context = sample_letter_context(REGIMES["general"], "decision_granted")
    commission = next(c for c in context["conditions"] if c["code"] == "public_commission")
    assert commission["basis_is_law"]
    assert "waarop de aanvraag ingaat" in commission["basis"]


@pytest.mark.parametrize("code", LDE)
def test_the_intended_refusal_of_a_renewal_says_the_current_recognition_then_ends_on_its_last_day(code):
    _context, text = renewal_letter(code, "intended_refusal", ENDS - timedelta(days=30))
    assert "Weigeren wij de verlenging, dan loopt de huidige erkenning af op haar laatste dag, 15 maart 2014." in text


@pytest.mark.parametrize("kind", ["receipt", "intended_refusal", "decision_granted", "decision_refused"])
def test_a_renewal_letter_gives_its_type_as_the_renewal_never_as_the_new_initiative_its_answers_kept(kind):
    """The answers a renewal starts from keep the type the renewed application gave; the letter's own words name
    the renewal (an annex of the answers handed in still shows them as given)."""
    context, text = renewal_letter("general", kind, ENDS - timedelta(days=30))
    assert context["answers"].get("application_type") == "new"
    assert "<th>Soort aanvraag</th><td>nieuw initiatief</td>" not in text
    assert "een nieuw initiatief in de lokale diensteneconomie" not in text
    if kind in ("receipt", "intended_refusal"):
        assert f"<th>Soort aanvraag</th><td>verlenging van de erkenning {context['renewal']['reference']}</td>" in text
