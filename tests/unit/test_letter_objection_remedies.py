"""Where the administration provides an objection (objection_enabled, its own rule): a decision offers it, says
that it does not stop the Raad van State's term, and lists the objection procedure among the administration's
own rules; the decision on an objection offers no further objection."""

from __future__ import annotations

import pytest

from ldapply.services import letters
from ldapply.workflows import REGIMES
from tests.support import sample_letter_context

LDE = ["general", "caretakers", "childcare"]


def objection_letter(code: str, kind: str, enabled: bool = True) -> tuple[dict, str]:
    regime = REGIMES[code]
    parameters = {**regime.parameter_values(), "objection_enabled": enabled}
    context = sample_letter_context(regime, kind, parameters=parameters)
    return context, " ".join(letters.render_html(code, kind, context).split())


@pytest.mark.parametrize("code", LDE)
def test_the_decision_on_an_objection_offers_no_further_objection(code):
    context, text = objection_letter(code, "objection_decision")
    assert context["remedies"]["objection"] is None
    assert "U kunt bezwaar indienen" not in text
    assert "Raad van State" in text
    assert any(rule["text"].startswith("Bezwaar bij de administratie") for rule in context["own_rules"])


@pytest.mark.parametrize("code", LDE)
@pytest.mark.parametrize("kind", ["decision_granted", "decision_refused"])
def test_a_decision_offering_the_objection_says_it_does_not_stop_the_appeal_term(code, kind):
    context, text = objection_letter(code, kind)
    assert "U kunt bezwaar indienen" in text
    assert "schorst daarom de termijn van 60 dagen voor een beroep bij de Raad van State niet" in text
    rules = [rule for rule in context["own_rules"] if rule["text"].startswith("Bezwaar bij de administratie")]
    assert len(rules) == 1
    assert rules[0]["text"].endswith("binnen 30 dagen na de kennisgeving van de beslissing")
    assert rules[0]["text"] in text


@pytest.mark.parametrize("kind", ["decision_granted", "objection_decision"])
def test_without_the_objection_no_objection_rule_is_listed(kind):
    context, text = objection_letter("general", kind, enabled=False)
    assert context["remedies"]["objection"] is None
    assert not any(rule["text"].startswith("Bezwaar bij de administratie") for rule in context["own_rules"])
    assert "U kunt bezwaar indienen" not in text
