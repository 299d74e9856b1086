"""Every letter template renders the documented context (docs/letter-context.md) in its variations:
hearing with and without a response, outside the regime's period, with and without an objection."""

from __future__ import annotations

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
