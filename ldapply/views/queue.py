"""The back office's work queue."""

from __future__ import annotations

from flask import render_template, request

from ..services import queue as queues
from ..services.regimes import regime_of
from ._helpers import me
from .backoffice import bp


@bp.get("/")
def queue() -> str:
    only_mine = request.args.get("view", "mine") == "mine"
    cases = queues.queue(me(), only_my_move=only_mine)
    return render_template("backoffice/queue.html", cases=cases, only_mine=only_mine, regime_of=regime_of)
