"""The regimes' parameters in the back office: every member of staff sees the values in effect, where they come
from and how they changed; an admin of a regime sets a new value, with its reason (and for law, its legal source)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from flask import flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from .. import formatting
from ..forms.parameters import value_form
from ..i18n import _, current_locale
from ..services import parameter_changes, staff
from ..services.errors import TransitionNotAllowed
from ..services.parameter_changes import Change
from ..services.parameter_kinds import InvalidValue, Kind, kind_of, shown_value
from ..workflows import all_versions
from ..workflows._spec import Parameter, Regime
from ._helpers import me
from .backoffice import bp


@dataclass(frozen=True)
class RegimeParameters:
    """One regime version on the page: its parameters as in effect, the change behind each, and the history."""

    regime: Regime  # as declared: title, version, legal basis
    parameters: tuple[Parameter, ...]  # as in effect now
    changes: dict[str, Change]  # the change in effect, per parameter an admin changed
    history: list[Change]
    editable: bool  # the viewer is an admin of this regime


@bp.app_template_global("parameter_value")
def parameter_value(parameter: Parameter, value: Any) -> str:
    """A value as pages show it (without its unit): yes or no, a number in Belgian notation, a text."""
    if value is None:
        return _("Onbekend")
    kind = kind_of(parameter).kind
    if kind is Kind.BOOLEAN:
        return _("ja") if value else _("nee")
    if kind is Kind.CHOICE or kind is Kind.TEXT or not isinstance(value, int | str | Decimal):
        return str(value)
    return formatting.number(value, current_locale())


@bp.get("/parameters")
def parameters() -> str:
    """Every parameter of every regime version, with the value in effect, where it comes from and its history."""
    declared = all_versions()
    history = parameter_changes.history()
    sections = []
    for regime in declared:
        key = (regime.code, regime.version)
        sections.append(
            RegimeParameters(
                regime=regime,
                parameters=parameter_changes.in_effect(regime).parameters,
                changes=parameter_changes.current_changes(regime),
                history=history.get(key, []),
                editable=staff.may_admin(me(), regime.code),
            )
        )
    return render_template("backoffice/parameters.html", sections=sections)


@bp.route("/parameters/<code>/<int:version>/<name>", methods=["GET", "POST"])
def parameter(code: str, version: int, name: str) -> str | Response | tuple[str, int]:
    """An admin of the regime sets a new value for one parameter, from now on; others may not (403)."""
    regime, declared = parameter_changes.editable(me(), code, version, name)
    current = parameter_changes.in_effect(regime).parameter(name)
    kind = kind_of(declared)
    revision = parameter_changes.latest_revision(regime, name)
    posted = request.method == "POST"
    form = value_form(
        kind,
        law=declared.is_law,
        formdata=request.form if posted else None,
        value=shown_value(declared, current.value),
        revision=revision,
    )
    problem, status = None, 200
    if posted:
        status = 400
        if form.validate_on_submit():
            try:
                parameter_changes.set_value(
                    actor=me(),
                    regime_code=code,
                    version=version,
                    name=name,
                    typed=form.value.data or "",
                    reason=form.reason.data or "",
                    legal_source=(form.legal_source.data or "") if declared.is_law else "",
                    revision=_int(form.revision.data),
                )
            except InvalidValue as invalid:
                getattr(form, invalid.field).errors = [invalid.message]
            except TransitionNotAllowed as refusal:
                problem, status = refusal.message, refusal.status_code
                form.revision.data = str(revision)
            else:
                flash(_saved_message(), "success")
                return redirect(url_for("backoffice.parameters", _anchor=f"parameter-{code}-{version}-{name}"))
    page = render_template(
        "backoffice/parameter.html",
        regime=regime,
        declared=declared,
        current=current,
        change=parameter_changes.current_changes(regime).get(name),
        history=parameter_changes.history([regime], name=name).get((code, version), []),
        form=form,
        problem=problem,
    )
    return page, status


def _int(value: str | None) -> int:
    return int(value) if value and value.isdigit() else -1  # a missing or forged revision never matches


def _saved_message() -> str:
    return _(
        "De nieuwe waarde is opgeslagen. Ze geldt voor aanvragen die vanaf nu worden ingediend; een ingediende "
        "aanvraag houdt de waarden waaronder ze werd ingediend."
    )
