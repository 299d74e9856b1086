"""The case page's forms beside its moves: an internal note, a hold, an assignment."""

from __future__ import annotations

from wtforms import SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from ..i18n import _l
from .base import LdapplyForm

NOTE_MAX = 10_000
HOLD_REASON_MAX = 2_000


class NoteForm(LdapplyForm):
    body = TextAreaField(
        _l("Interne notitie"),
        validators=[
            DataRequired(_l("Schrijf de notitie.")),
            Length(max=NOTE_MAX, message=_l("De notitie is te lang (hoogstens %(max)d tekens).")),
        ],
    )


class HoldForm(LdapplyForm):
    hold_reason = TextAreaField(
        _l("Reden"),
        validators=[
            DataRequired(_l("Geef de reden waarom het dossier in wacht gaat.")),
            Length(max=HOLD_REASON_MAX, message=_l("De reden is te lang (hoogstens %(max)d tekens).")),
        ],
    )


class AssignForm(LdapplyForm):
    """`assignee`: a user id, "" to unassign; the choices are the case's assignable staff, set by the view."""

    assignee = SelectField(_l("Toewijzen aan"), validate_choice=False)
    assign_reason = StringField(_l("Reden (niet verplicht)"), validators=[Optional(), Length(max=500)])
