"""How stored answers are shown to people."""

from __future__ import annotations

import pytest

from ldapply.formatting import enterprise_number as format_enterprise_number
from ldapply.services.answers import display_value
from ldapply.workflows import get_regime

FIELDS = {f.name: f for f in get_regime("general").all_fields()}


@pytest.mark.parametrize(
    ("field", "value", "shown"),
    [
        ("has_other_activities", True, "Ja"),
        ("has_other_activities", False, "Nee"),
        ("legal_form", "vzw", "Vereniging zonder winstoogmerk (vzw)"),
        ("target_group_fte", "6.5", "6,5"),
        ("enterprise_number", "0403170701", "0403.170.701"),
        ("business_plan", {"filename": "plan.pdf"}, "plan.pdf"),
        ("organisation_name", None, "—"),
    ],
)
def test_answers_are_shown_in_dutch(field, value, shown):
    assert display_value(FIELDS[field], value) == shown


def test_answers_can_be_shown_in_english():
    assert display_value(FIELDS["has_other_activities"], True, "en") == "Yes"
    assert display_value(FIELDS["legal_form"], "vzw", "en") == "Non-profit association (vzw)"


def test_a_short_enterprise_number_is_padded_and_grouped():
    assert format_enterprise_number("403170701") == "0403.170.701"
