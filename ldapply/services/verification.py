"""Is this letter genuine? The public check behind /verify: by reference and code, without personal data."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select

from ..clock import MONTHS_NL
from ..extensions import db
from ..i18n import format_day, text
from ..models import Application, Letter, LetterStatus
from ..workflows import get_regime


@dataclass(frozen=True)
class Verified:
    """What /verify shows, in the page's language."""

    kind: str
    date: str
    sha256: str
    replaced: bool
    sample: bool  # a sample letter for review, not a decision on anyone's application


def normalised_code(code: str) -> str:
    return re.sub(r"[^A-Z0-9]", "", code.upper())


def _shown_date(printed: str) -> str:
    """The date printed on the letter ("27 november 2026"), in the page's language."""
    match = re.fullmatch(r"(\d{1,2}) (\w+) (\d{4})", printed.strip())
    if match is None or match.group(2) not in MONTHS_NL:
        return printed
    day, month, year = int(match.group(1)), MONTHS_NL.index(match.group(2)) + 1, int(match.group(3))
    return format_day(date(year, month, day))


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
        kind=text(get_regime(letter.regime_code, letter.regime_version).letter(letter.kind).title),
        date=_shown_date(str(letter.context.get("date", ""))),
        sha256=letter.sha256,
        replaced=replaced > 0,
        sample=letter.regime_code is not None and letter.context.get("sample") is True,
    )
