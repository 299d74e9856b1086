"""The forms of staff access: the conflict-of-interest declaration, staff management, advice."""

from __future__ import annotations

from wtforms import BooleanField, TextAreaField
from wtforms.validators import DataRequired, Length

from ..i18n import _l
from ..services.conflicts import MAX_REASON
from .base import LdapplyForm


class DeclarationForm(LdapplyForm):
    """No conflict of interest with the applying organisation: a box that must be ticked."""

    no_conflict = BooleanField(
        _l("Ik verklaar dat ik geen belangenconflict heb met deze organisatie"),
        validators=[DataRequired(_l("Vink de verklaring aan, of onthoud u hieronder met een reden."))],
    )


class RecusalForm(LdapplyForm):
    """A recusal, with the reason it is on record with."""

    reason = TextAreaField(
        _l("Waarom onthoudt u zich?"),
        description=_l("Bijvoorbeeld: ik ben bestuurder van deze organisatie, of een familielid werkt er."),
        validators=[
            DataRequired(_l("Geef de reden waarom u zich onthoudt.")),
            Length(max=MAX_REASON, message=_l("De reden is te lang.")),
        ],
    )
