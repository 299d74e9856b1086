"""The form an admin sets a parameter's value with: the value (a list for a yes/no or a choice), the reason, and for
a value that is law the legal source of its change. The services read and check the value itself."""

from __future__ import annotations

from typing import Any

from werkzeug.datastructures import MultiDict
from wtforms import HiddenField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length

from ..i18n import _l
from ..services.parameter_changes import MAX_REASON, MAX_SOURCE
from ..services.parameter_kinds import ValueKind
from .base import LdapplyForm


class ParameterValueForm(LdapplyForm):
    reason = TextAreaField(
        _l("Reden van de wijziging"),
        description=_l("Waarom de administratie deze waarde hanteert. Komt in de geschiedenis en het auditspoor."),
        validators=[
            DataRequired(_l("Geef de reden van de wijziging.")),
            Length(max=MAX_REASON, message=_l("De reden is te lang.")),
        ],
    )
    legal_source = TextAreaField(
        _l("Rechtsbron van de wijziging"),
        description=_l("Het nieuwe artikel, met de datum van de regelgeving en van het Belgisch Staatsblad."),
        validators=[Length(max=MAX_SOURCE, message=_l("De rechtsbron is te lang."))],
    )
    revision = HiddenField()


def value_form(kind: ValueKind, *, law: bool, formdata: MultiDict[str, Any] | None, value: str, revision: int) -> Any:
    """The form for a parameter of `kind`: a list to choose from, or a text box for a number or a text; the legal
    source only for a value that is law."""
    label = _l("Nieuwe waarde")
    required = DataRequired(_l("Vul de nieuwe waarde in."))
    field: Any
    if kind.selects:
        field = SelectField(label, validators=[required], validate_choice=False)  # the service says what it takes
    else:
        field = StringField(
            label, description=_l("Getallen zoals in België: 30, 2,5 of 12.500."), validators=[required]
        )

    class Form(ParameterValueForm):
        pass

    Form.value = field
    if not law:
        Form.legal_source = None  # WTForms leaves a field set to None out
    form = Form(formdata=formdata, data={"value": value, "revision": str(revision)})
    if kind.selects:
        form.value.choices = [SelectChoice(code, str(label)) for code, label in kind.choices]
    return form
