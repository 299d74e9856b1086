"""Is this letter genuine? The public check behind /verify: by reference and code, without personal data."""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import func, select

from ..extensions import db
from ..models import Application, Letter, LetterStatus
from ..workflows import get_regime


@dataclass(frozen=True)
class Verified:
    kind: str
    date: str
    sha256: str
    replaced: bool
    sample: bool  # a sample letter for review, not a decision on anyone's application


def normalised_code(code: str) -> str:
    return re.sub(r"[^A-Z0-9]", "", code.upper())


def verify(reference: str, code: str) -> Verified | None:
    """The letter with this reference and code, or None when there is none (a wrong character included)."""
    letter = db.session.scalar(
        select(Letter)
        .join(Application, Application.id == Letter.application_id)
        .where(
            Application.reference == reference.strip().upper(),
            Letter.verification_code == normalised_code(code),
            Letter.status == LetterStatus.RENDERED,
        )
    )
    if letter is None or letter.sha256 is None:
        return None
    replaced = db.session.scalar(select(func.count(Letter.id)).where(Letter.replaces_id == letter.id)) or 0
    return Verified(
        kind=get_regime(letter.regime_code, letter.regime_version).letter(letter.kind).title.nl,
        date=str(letter.context.get("date", "")),
        sha256=letter.sha256,
        replaced=replaced > 0,
        sample=letter.regime_code is not None and letter.context.get("sample") is True,
    )
