"""The childcare regime's dates of the Kind en Gezin permit and of the LOK advice: reported as past, so never
after the day they are handed in; and the example the sample letters use dates them before its submission."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from ldapply.workflows import get_regime
from tests.support import sample_letter_context

CHILDCARE = get_regime("childcare")


def _problems(step: str, answers: dict) -> list[str]:
    found = CHILDCARE.step(step)
    assert found is not None
    return [rule.message.nl for rule in found.rules if not rule.check(answers)]


@pytest.mark.parametrize(
    ("step", "name", "message"),
    [
        ("kind_en_gezin", "kg_date", "De datum van de vergunning of van de aanvraag kan niet in de toekomst liggen."),
        ("lok_advice", "lok_advice_date", "De datum van het advies kan niet in de toekomst liggen."),
    ],
)
def test_a_permit_or_advice_date_after_today_is_refused_with_a_dutch_message(step, name, message):
    tomorrow = (date.today() + timedelta(days=1)).isoformat()
    assert _problems(step, {name: tomorrow}) == [message]
    assert _problems(step, {name: date.today().isoformat()}) == []


@pytest.mark.parametrize("kind", ["receipt", "decision_granted"])
def test_the_example_dates_the_permit_and_the_advice_before_the_submission(kind):
    context = sample_letter_context(CHILDCARE, kind)
    submitted = date(2009, 2, 26) if kind == "decision_granted" else date(2009, 3, 16)
    assert date.fromisoformat(context["answers"]["kg_date"]) < submitted
    assert date.fromisoformat(context["answers"]["lok_advice_date"]) < submitted
    assert "2026" not in " ".join(str(v) for v in context["answers"].values())
