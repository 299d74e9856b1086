"""Domain errors raised by services; views map them to pages with the message shown to the user."""

from __future__ import annotations

from ..i18n import _


class DomainError(Exception):
    """A refusal the user can understand and act on. `message` is written for the user, translated with
    `_()` when raised (Dutch outside a request); it never goes into a letter."""

    status_code = 400

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotFound(DomainError):
    """Missing, or not visible to this user: the two are indistinguishable on purpose (no existence leak)."""

    status_code = 404

    def __init__(self, message: str | None = None) -> None:
        super().__init__(message or _("Deze pagina bestaat niet."))


class Forbidden(DomainError):
    status_code = 403

    def __init__(self, message: str | None = None) -> None:
        super().__init__(message or _("U hebt geen toegang tot deze pagina."))


class TransitionNotAllowed(DomainError):
    status_code = 409


class ChangedMeanwhile(DomainError):
    status_code = 409

    def __init__(self) -> None:
        super().__init__(
            _("Deze aanvraag is intussen door iemand anders gewijzigd. Bekijk de nieuwe toestand en probeer opnieuw.")
        )


class InvalidUpload(DomainError):
    """An uploaded file refused for a reason the applicant can fix; `field` is where to show it."""

    def __init__(self, message: str, field: str = "") -> None:
        super().__init__(message)
        self.field = field


class StepIncomplete(DomainError):
    pass
