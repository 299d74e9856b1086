"""Helpers for tests: CSRF-aware posting, logging in, reading the broker, and the applicant's journey."""

from __future__ import annotations

import re
import uuid
from io import BytesIO
from typing import Any

from flask import Flask
from flask.testing import FlaskClient

PASSWORD = "correct horse battery staple"


def purge_broker(app: Flask) -> None:
    with app.extensions["celery"].connection_for_write() as connection:
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


def csrf_token(client: FlaskClient, path: str = "/login") -> str:
    page = client.get(path).get_data(as_text=True)
    match = CSRF_RE.search(page)
    assert match, f"no CSRF token on {path}"
    return match.group(1)


def login(client: FlaskClient, user: Any) -> None:
    response = client.post("/login", data={"email": user.email, "password": PASSWORD, "csrf_token": csrf_token(client)})
    assert response.status_code == 302, response.get_data(as_text=True)


def post(client: FlaskClient, path: str, data: dict[str, Any] | None = None, **kwargs: Any) -> Any:
    """POST with a valid CSRF token, as a browser with the form open would."""
    return client.post(path, data={**(data or {}), "csrf_token": csrf_token(client)}, **kwargs)


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


STEP_ANSWERS = {
    "organisation": {
        "organisation_name": "Buurtwerk De Brug vzw",
        "enterprise_number": "0403.170.701",
        "legal_form": "vzw",
        "has_other_activities": "no",
    },
    "service": {
        "service_field": "bicycle_points",
        "service_description": "Een fietspunt aan het station.",
        "local_need": "Er is geen fietsherstelling in de wijk; de dienst vult het aanbod aan.",
    },
    "staffing": {"target_group_fte": "6,5", "supervisory_fte": "1"},
}


def start_application(client: FlaskClient, regime: str = "general") -> uuid.UUID:
    response = post(client, "/applications", {"regime": regime})
    assert response.status_code == 302, response.get_data(as_text=True)
    return uuid.UUID(response.headers["Location"].rstrip("/").rsplit("/", 1)[-1])


def fill_steps(client: FlaskClient, application_id: uuid.UUID, pdf: bytes | None = None) -> None:
    base = f"/applications/{application_id}/steps"
    for slug, answers in STEP_ANSWERS.items():
        response = post(client, f"{base}/{slug}", answers)
        assert response.status_code == 302, response.get_data(as_text=True)
    upload = {"business_plan": (BytesIO(pdf or minimal_pdf()), "ondernemingsplan.pdf")}
    response = post(client, f"{base}/attachments", upload, content_type="multipart/form-data")
    assert response.status_code == 302, response.get_data(as_text=True)


def submit(client: FlaskClient, application_id: uuid.UUID) -> Any:
    return post(client, f"/applications/{application_id}/submit", {"declaration": "y"})


def act(client: FlaskClient, application_id: uuid.UUID, action: str, comment: str = "") -> Any:
    return post(client, f"/backoffice/applications/{application_id}/actions/{action}", {"comment": comment})
