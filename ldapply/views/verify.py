"""The public letter check: anyone with a letter's reference and code learns whether it is genuine."""

from __future__ import annotations

from flask import Blueprint, current_app, render_template, request

from ..extensions import limiter
from ..forms.base import VerifyForm
from ..services import verification

bp = Blueprint("verify", __name__)


def _verify_limit() -> str:
    return str(current_app.config["VERIFY_RATE_LIMIT"])


@bp.route("/verify", methods=["GET", "POST"])
@limiter.limit(_verify_limit, methods=["POST"])
def verify_letter() -> tuple[str, int]:
    form = VerifyForm()
    result, checked, status = None, False, 200
    if form.validate_on_submit():
        checked = True
        result = verification.verify(form.reference.data or "", form.code.data or "")
        status = 200 if result is not None else 404
    elif request.method == "POST":
        status = 400
    return render_template("verify.html", form=form, result=result, checked=checked), status
