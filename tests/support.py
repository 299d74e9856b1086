"""Helpers for tests: CSRF-aware posting, logging in, reading the broker, and the applicant's journey."""

from __future__ import annotations

import contextlib
import os
import re
import signal
import subprocess
import sys
import uuid
from collections.abc import Iterator
from io import BytesIO
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from flask import Flask
from flask.testing import FlaskClient
from itsdangerous import BadSignature

from ldapply.services.letter_context import Sender
from ldapply.services.motivation import norm_unset
from ldapply.workflows._spec import Condition, Regime

PASSWORD = "correct horse battery staple"
TEST_REGIME_TEMPLATES = str(Path(__file__).parent / "regimes" / "templates")


SQLITE_AUDIT_GUARDS = {
    "audit_entries_no_update": "CREATE TRIGGER audit_entries_no_update BEFORE UPDATE ON audit_entries "
    "BEGIN SELECT RAISE(ABORT, 'audit_entries is append-only: UPDATE refused'); END",
    "audit_entries_no_delete": "CREATE TRIGGER audit_entries_no_delete BEFORE DELETE ON audit_entries "
    "BEGIN SELECT RAISE(ABORT, 'audit_entries is append-only: DELETE refused'); END",
}


@contextlib.contextmanager
def audit_guard_lifted() -> Iterator[None]:
    """Tamper with the audit trail as only a database owner could: the append-only triggers are off
    inside (migration 0006 made them), and back on after. For the tests that clean up or tamper."""
    from sqlalchemy import text

    from ldapply.extensions import db

    postgres = db.engine.dialect.name == "postgresql"
    if postgres:
        db.session.execute(text("ALTER TABLE audit_entries DISABLE TRIGGER audit_entries_append_only"))
    else:
        for name in SQLITE_AUDIT_GUARDS:
            db.session.execute(text(f"DROP TRIGGER IF EXISTS {name}"))
    try:
        yield
    finally:
        if postgres:
            db.session.execute(text("ALTER TABLE audit_entries ENABLE TRIGGER audit_entries_append_only"))
        else:
            for statement in SQLITE_AUDIT_GUARDS.values():
                db.session.execute(text(statement))
        db.session.commit()


def backend_environ(backend: Any) -> dict[str, str]:
    """The environment that points an ldapply process (this one or a worker) at the run's services."""
    return {
        "LDAPPLY_ENV": "test",
        "LDAPPLY_INSTANCE_PATH": str(backend.instance_path),
        "LDAPPLY_DATABASE_URL": backend.database_url,
        "LDAPPLY_BROKER_URL": backend.broker_url,
        "LDAPPLY_SECRET_KEY": "test-secret-key-not-for-production",
        "LDAPPLY_LETTER_TEMPLATE_DIRS": TEST_REGIME_TEMPLATES,
    }


def purge_broker(app: Flask) -> None:
    """Empty the broker between tests. On Redis the run's own database goes whole: besides the queue, kombu keeps
    the messages a killed worker took but never acknowledged (`unacked`) and puts them back on the queue later,
    where a later test found a stray bulk.run."""
    with app.extensions["celery"].connection_for_write() as connection:
        if connection.transport.driver_type == "redis":
            connection.default_channel.client.flushdb()
        else:
            connection.SimpleQueue(app.config["CELERY"]["task_default_queue"]).clear()


def queued_tasks(app: Flask) -> list[tuple[str, list[Any]]]:
    """Take every message from the letters queue of the real broker: (task name, args)."""
    found = []
    with app.extensions["celery"].connection_for_read() as connection:
        queue = connection.SimpleQueue(app.config["CELERY"]["task_default_queue"])
        while True:
            try:
                message = queue.get(block=True, timeout=0.5)
            except queue.Empty:
                break
            args, _kwargs, _embed = message.decode()
            found.append((message.headers["task"], list(args)))
            message.ack()
        queue.close()
    return found


CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


# A page's CSRF token signs the raw token kept in the session: while the session keeps the same raw token,
# the token a page gave before is still the one a browser with a form open would send.
_TOKENS_BY_RAW: dict[str, str] = {}


def csrf_token(client: FlaskClient, path: str = "/login") -> str:
    """The token a form on `path` carries: read off the page once per session token, then reused."""
    raw = _raw_session_token(client)
    if raw in _TOKENS_BY_RAW:
        return _TOKENS_BY_RAW[raw]
    page = client.get(path).get_data(as_text=True)
    match = CSRF_RE.search(page)
    assert match, f"no CSRF token on {path}"
    raw = _raw_session_token(client)
    if raw is not None:
        _TOKENS_BY_RAW[raw] = match.group(1)
    return match.group(1)


def _raw_session_token(client: FlaskClient) -> str | None:
    app = client.application
    cookie = client.get_cookie(app.config["SESSION_COOKIE_NAME"])
    serializer = app.session_interface.get_signing_serializer(app)  # type: ignore[attr-defined]
    if cookie is None or serializer is None:
        return None
    try:
        token = serializer.loads(cookie.value).get("csrf_token")
    except BadSignature:  # a cookie the app would not accept either: read the page
        return None
    return token if isinstance(token, str) else None


def login(client: FlaskClient, user: Any) -> None:
    response = client.post("/login", data={"email": user.email, "password": PASSWORD, "csrf_token": csrf_token(client)})
    assert response.status_code == 302, response.get_data(as_text=True)


def post(client: FlaskClient, path: str, data: dict[str, Any] | None = None, **kwargs: Any) -> Any:
    """POST with a valid CSRF token, as a browser with the form open would."""
    return client.post(path, data={**(data or {}), "csrf_token": csrf_token(client)}, **kwargs)


DECLARATION_PATH = re.compile(r"^/backoffice/applications/([0-9a-f-]{36})/declaration")


def declare_no_conflict(client: FlaskClient, application_id: uuid.UUID | str) -> None:
    """As the logged-in member of staff: declare no conflict of interest with the case's applicant."""
    path = f"/backoffice/applications/{application_id}/declaration"
    data = {"choice": "declare", "no_conflict": "y", "csrf_token": csrf_token(client, path)}
    response = FlaskClient.open(client, path, method="POST", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)


class StaffClient(FlaskClient):
    """The test client, used as staff use the back office: asked for a conflict-of-interest declaration
    before a case's content (a redirect to the declaration page), it declares no conflict and asks again.
    Tests of the gate itself set `declares_when_asked` to False and see the gate as it is."""

    declares_when_asked = True

    def open(self, *args: Any, **kwargs: Any) -> Any:
        response = super().open(*args, **kwargs)
        if not self.declares_when_asked or response.status_code != 302:
            return response
        asked = DECLARATION_PATH.match(urlsplit(response.headers.get("Location", "")).path)
        if asked is None:
            return response
        declare_no_conflict(self, asked.group(1))
        return super().open(*args, **kwargs)


def minimal_pdf(text: str = "Ondernemingsplan") -> bytes:
    """A small valid PDF, written by hand so tests need no PDF library to make one."""
    stream = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out, offsets = BytesIO(), []
    out.write(b"%PDF-1.4\n")
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref))
    return out.getvalue()


PDF = object()  # stands for "upload a small PDF here" in the answers below

GENERAL_ANSWERS: dict[str, dict[str, Any]] = {
    "organisation": {
        "organisation_name": "Buurtwerk De Brug vzw",
        "enterprise_number": "0403.170.701",
        "legal_form": "vzw",
        "has_other_activities": "no",
    },
    "application_type": {"application_type": "new"},
    "service": {
        "service_field": "bicycle_points",
        "service_description": "Een fietspunt aan het station.",
        "local_need": "Er is geen fietsherstelling in de wijk; de dienst vult het aanbod aan.",
        "target_customers": "Pendelaars en buurtbewoners.",
    },
    "public_commission": {"commissioning_authority": "Stad Gent", "commission_decision": PDF},
    "staffing": {
        "target_group_fte": "6,5",
        "supervisory_fte": "1",
        "guidance_plan": "Een begeleider per vijf werknemers.",
        "participation_plan": "Een gebruikersraad twee keer per jaar.",
    },
    "budget": {
        "budget_flemish": "120000",
        "budget_federal": "80000",
        "budget_commissioning": "30000",
        "budget_users": "5000",
    },
    "attachments": {"business_plan": PDF},
    "declarations": {"declares_separate_registration": "yes", "declares_no_displacement": "yes"},
}
_COMMON = {
    "organisation": GENERAL_ANSWERS["organisation"],
    "application_type": {"application_type": "new"},
}
_BUDGET = GENERAL_ANSWERS["budget"]
_DECLARATIONS = GENERAL_ANSWERS["declarations"]
CARETAKERS_ANSWERS: dict[str, dict[str, Any]] = {
    **_COMMON,
    "housing_company": {"applicant_type": "shm", "shm_name": "Volkshaard cvba"},
    "complexes": {
        "housing_complexes-0-complex_name": "Rabot",
        "housing_complexes-0-municipality": "Gent",
        "housing_complexes-0-rental_units": "120",
        "housing_complexes-1-complex_name": "Nieuw Gent",
        "housing_complexes-1-municipality": "Gent",
        "housing_complexes-1-rental_units": "80",
        "local_need": "Veel vragen van huurders zonder aanspreekpunt.",
    },
    "caretaker_tasks": {"caretaker_tasks": ["liveability", "tenant_contact"], "caretaker_fte": "3"},
    "guidance": {
        "supervisory_fte": "0,5",
        "guidance_plan": "Wekelijkse coaching.",
        "participation_plan": "Huurdersvergadering per kwartaal.",
    },
    "budget": _BUDGET,
    "shm_decision": {"shm_decision": PDF},
    "declarations": _DECLARATIONS,
}
CHILDCARE_ANSWERS: dict[str, dict[str, Any]] = {
    **_COMMON,
    "locations": {
        "locations-0-address": "Dorpsstraat 1",
        "locations-0-municipality": "Leuven",
        "locations-0-places": "14",
        "locations-0-age_group": "0_3",
        "local_need": "Te weinig opvang voor kwetsbare gezinnen in de wijk.",
    },
    "opening": {"opening_hours": "Ma-vr 7u-18u", "flexible_care": "yes", "occasional_care": "yes"},
    "priority_and_contribution": {
        "priority_rules": "Voorrang voor alleenstaande ouders.",
        "income_related_contribution": "yes",
    },
    "staffing": GENERAL_ANSWERS["staffing"],
    "kind_en_gezin": {"kg_status": "granted", "kg_date": "2026-01-15", "kg_authorisation": PDF},
    "lok_advice": {"lok_advice": PDF, "lok_advice_date": "2026-02-01"},
    "safety": {"fire_safety_certificate": PDF, "quality_handbook": "yes"},
    "budget": _BUDGET,
    "declarations": _DECLARATIONS,
}
LABEL_2013_ANSWERS: dict[str, dict[str, Any]] = {
    "organisation": GENERAL_ANSWERS["organisation"],
    "label": {"pathways": "8", "impact_analysis": "yes", "local_need": "Een buurt zonder klusdienst."},
}
REGIME_ANSWERS: dict[str, dict[str, dict[str, Any]]] = {
    "label_2013": LABEL_2013_ANSWERS,
    "general": GENERAL_ANSWERS,
    "caretakers": CARETAKERS_ANSWERS,
    "childcare": CHILDCARE_ANSWERS,
}
STEP_ANSWERS = GENERAL_ANSWERS  # the general regime's answers, by step


def start_application(client: FlaskClient, regime: str = "general") -> uuid.UUID:
    """Start from the home page as a person would, choosing the first open call where the regime has calls."""
    home = client.get("/").get_data(as_text=True)
    data = {"regime": regime}
    call = re.search(rf'id="call-{regime}" name="call">\s*<option value="([^"]+)"', home)
    if call:
        data["call"] = call.group(1)
    response = post(client, "/applications", data)
    assert response.status_code == 302, response.get_data(as_text=True)
    assert "/applications/" in response.headers["Location"], "no application started (no open call?)"
    return uuid.UUID(response.headers["Location"].rstrip("/").rsplit("/", 1)[-1])


def submitted_application(client: FlaskClient, people: Any, regime: str = "general") -> uuid.UUID:
    """As the demo applicant: start, fill every step and submit; the client stays logged in as them."""
    login(client, people.applicant)
    application_id = start_application(client, regime)
    fill_steps(client, application_id, regime=regime)
    response = submit(client, application_id)
    assert response.status_code == 302, response.get_data(as_text=True)
    return application_id


def step_data(answers: dict[str, Any], pdf: bytes | None = None) -> tuple[dict[str, Any], bool]:
    """Form data for one step, with PDF placeholders turned into files; and whether it is multipart."""
    files = {k: (BytesIO(pdf or minimal_pdf()), f"{k}.pdf") for k, v in answers.items() if v is PDF}
    return {**{k: v for k, v in answers.items() if v is not PDF}, **files}, bool(files)


def fill_steps(
    client: FlaskClient, application_id: uuid.UUID, pdf: bytes | None = None, regime: str = "general"
) -> None:
    base = f"/applications/{application_id}/steps"
    for slug, answers in REGIME_ANSWERS[regime].items():
        data, multipart = step_data(answers, pdf)
        options = {"content_type": "multipart/form-data"} if multipart else {}
        response = post(client, f"{base}/{slug}", data, **options)
        assert response.status_code == 302, f"{slug}: " + response.get_data(as_text=True)


def to_review(client: FlaskClient, application_id: uuid.UUID, met: bool = True, regime: str = "general") -> None:
    """As a reviewer: through the admissibility check into substantive review, every condition assessed."""
    from ldapply.workflows import get_regime

    for action in ("start_admissibility", "accept_for_review"):
        response = act(client, application_id, action)
        assert response.status_code == 302, f"{action}: " + response.get_data(as_text=True)
    codes = [c.code for c in get_regime(regime).conditions]
    response = (
        assess_all(client, application_id, codes[:1], met=met) if not met else assess_all(client, application_id, codes)
    )
    assert response.status_code == 302, response.get_data(as_text=True)


REASON = "De aanvraag toont niet aan dat deze voorwaarde vervuld is; de stukken ontbreken."
MET_REASON = "De stukken van het dossier tonen aan dat aan deze voorwaarde voldaan is."


def met_needs_reason(regime: Regime, condition: Condition) -> bool:
    """A condition whose norm is not set is judged met with a reason too (services/motivation.norm_unset)."""
    return norm_unset(condition, regime.parameter_values())


def assess_all(client: FlaskClient, application_id: uuid.UUID, codes: list[str], met: bool = True) -> Any:
    """Judge `codes` met (or not), each with a substantive reason for the letter."""
    data = {f"verdict-{code}": "met" if met else "not_met" for code in codes}
    data |= {f"reason-{code}": REASON for code in codes}
    return post(client, f"/backoffice/applications/{application_id}/assessment", data)


def submit(client: FlaskClient, application_id: uuid.UUID) -> Any:
    return post(client, f"/applications/{application_id}/submit", {"declaration": "y"})


def act(client: FlaskClient, application_id: uuid.UUID, action: str, comment: str = "", **fields: str) -> Any:
    """A back-office move, confirmed where it asks for confirmation. `comment` goes in as both the
    motivation and the internal note, whichever the move asks for; `fields` add or override form fields."""
    data = {"comment": comment, "note": comment, "confirmed": "yes", **fields}
    return post(client, f"/backoffice/applications/{application_id}/actions/{action}", data)


HEARING_ANSWER = "Uw reactie verandert niets aan de vaststelling: de stukken ontbreken nog altijd."


def through_hearing(client: FlaskClient, people: Any, application_id: uuid.UUID, *, respond: bool = True) -> None:
    """Announce the intended refusal as the reviewer; the applicant responds (or the period is ended);
    the client is logged in as the reviewer afterwards, with the case back in the reviewer's hands."""
    response = act(client, application_id, "announce_refusal", "Er zijn onvoldoende doelgroepwerknemers.")
    assert response.status_code == 302, response.get_data(as_text=True)
    if respond:
        login(client, people.applicant)
        response = post(
            client,
            f"/applications/{application_id}/actions/respond_to_hearing",
            {"comment": "Wij werven twee mensen bij; zie het plan."},
        )
        assert response.status_code == 302, response.get_data(as_text=True)
    else:
        end_hearing_now(client.application)
    login(client, people.reviewer)


def heard_then_met(client: FlaskClient, people: Any, application_id: uuid.UUID, regime: str = "general") -> None:
    """As a reviewer: heard on an intended refusal (its period ended), then every condition judged met:
    where a partial grant is proposed from."""
    from ldapply.workflows import get_regime

    to_review(client, application_id, met=False, regime=regime)
    through_hearing(client, people, application_id, respond=False)
    response = assess_all(client, application_id, [c.code for c in get_regime(regime).conditions])
    assert response.status_code == 302, response.get_data(as_text=True)


def end_hearing_now(app: Flask) -> int:
    """Let the clock end hearing periods, as Celery beat does once they have passed; returns how many."""
    from datetime import timedelta

    from ldapply.clock import utcnow
    from ldapply.services.periods import end_lapsed_periods

    with app.app_context():
        moved = end_lapsed_periods(utcnow() + timedelta(days=400))
    assert moved >= 1
    return moved


def refuse_after_hearing(client: FlaskClient, people: Any, application_id: uuid.UUID, *, respond: bool = True) -> Any:
    """From substantive review with a condition not met: hearing, proposal by the reviewer, decision
    by the decision maker. Returns the decision maker's response."""
    through_hearing(client, people, application_id, respond=respond)
    extra = {"hearing_answer": HEARING_ANSWER} if respond else {}
    response = act(client, application_id, "propose_refusal", "Onvoldoende doelgroepwerknemers.", **extra)
    assert response.status_code == 302, response.get_data(as_text=True)
    login(client, people.decision_maker)
    return act(client, application_id, "confirm_refusal")


TEST_SENDER = Sender(
    authority="Vlaamse overheid",
    department="Departement Werk en Sociale Economie",
    unit="Team Lokale Diensteneconomie",
    address=("Havenlaan 88", "1000 Brussel"),
    email="lde@example.invalid",
    website="www.example.invalid",
    verify_url="http://127.0.0.1:5000/verify",
)


def sample_letter_context(regime: Any, kind: str, **changes: Any) -> dict[str, Any]:
    """The context the sample-letters command builds for `kind`, without an app; `changes` override fields."""
    from dataclasses import replace

    from ldapply.services.letter_context import build_context
    from ldapply.services.samples import sample_case

    case = sample_case(regime, kind, code="TESTCODE0000")
    return build_context(replace(case, **changes) if changes else case, regime, kind, TEST_SENDER)


@contextlib.contextmanager
def worker_process(
    backend: Any, log_name: str, extra_environ: dict[str, str] | None = None
) -> Iterator[subprocess.Popen[bytes]]:
    """A real `celery worker` process on the run's database and broker, stopped on exit; `extra_environ`
    adds settings of its own (such as the SMTP server it sends mail to).

    It runs in the instance folder with the checkout on PYTHONPATH, so nothing it writes relative to
    its working directory lands in the checkout.
    """
    root = Path(__file__).resolve().parents[1]
    environ = {**os.environ, **backend_environ(backend), **(extra_environ or {})}
    environ["PYTHONPATH"] = os.pathsep.join(p for p in (str(root), environ.get("PYTHONPATH", "")) if p)
    command = [
        sys.executable,
        "-m",
        "celery",
        "-A",
        "worker:celery",
        "worker",
        "--pool",
        "solo",
        "--loglevel",
        "INFO",
        "--without-mingle",
        "--without-gossip",
        "--hostname",
        f"{log_name}-{os.getpid()}@%h",
    ]
    with open(backend.instance_path / log_name, "wb") as log:
        process = subprocess.Popen(
            command, cwd=backend.instance_path, env=environ, stdout=log, stderr=subprocess.STDOUT
        )
        try:
            yield process
        finally:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


@contextlib.contextmanager
def count_statements(app: Flask) -> Iterator[list[str]]:
    """The SQL statements sent while the block runs (the list fills as they are sent): pages assert a bound."""
    from sqlalchemy import event

    from ldapply.extensions import db

    with app.app_context():
        engine = db.engine
    statements: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", record)
