"""Helpers for the audit trail's tests: a long valid trail written fast, tampering as a database owner
would, and real HTTP sessions against the app served in-process (for races between two people)."""

from __future__ import annotations

import contextlib
import http.cookiejar
import re
import threading
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from types import SimpleNamespace
from typing import Any

from flask import Flask
from sqlalchemy import delete, insert, select, update
from werkzeug.serving import make_server

from tests.support import CSRF_RE, PASSWORD, audit_guard_lifted


def append_entries(count: int, *, application_id: uuid.UUID | None = None, action: str = "test.entry") -> int:
    """Append `count` valid, chained entries in one statement (as `audit.record` would, one by one, but
    fast enough for 10,000) and commit; returns the last number. Needs an app context."""
    from ldapply.extensions import db
    from ldapply.models import AuditEntry, AuditHead, utcnow
    from ldapply.services import audit

    head = db.session.execute(select(AuditHead.seq, AuditHead.hash).where(AuditHead.id == audit.HEAD_ID)).one_or_none()
    if head is None:
        db.session.add(AuditHead(id=audit.HEAD_ID, seq=0, hash=audit.GENESIS))
        db.session.flush()
        seq, previous = 0, audit.GENESIS
    else:
        seq, previous = int(head.seq), str(head.hash)
    start, rows = utcnow(), []
    for number in range(seq + 1, seq + count + 1):
        row = {
            "seq": number,
            "created_at": start + timedelta(microseconds=number),
            "actor_id": None,
            "actor_name": f"Tester {number % 7}",
            "request_id": None,
            "action": action,
            "object_type": "test",
            "object_id": str(number),
            "application_id": application_id,
            "old": {"n": number - 1},
            "new": {"n": number},
            "prev_hash": previous,
        }
        row["hash"] = previous = audit.entry_hash(SimpleNamespace(**row))
        rows.append(row)
    db.session.execute(insert(AuditEntry), rows)
    db.session.execute(update(AuditHead).where(AuditHead.id == audit.HEAD_ID).values(seq=seq + count, hash=previous))
    db.session.commit()
    return seq + count


def change_entry(seq: int, **values: Any) -> None:
    """Change one entry in place, past the append-only guard (as only the database's owner could)."""
    from ldapply.extensions import db
    from ldapply.models import AuditEntry

    with audit_guard_lifted():
        db.session.execute(update(AuditEntry).where(AuditEntry.seq == seq).values(**values))


def delete_entries(*seqs: int) -> None:
    """Delete entries, past the append-only guard; the head stays where it was."""
    from ldapply.extensions import db
    from ldapply.models import AuditEntry

    with audit_guard_lifted():
        db.session.execute(delete(AuditEntry).where(AuditEntry.seq.in_(seqs)))


# -- the app served for real, and people using it --------------------------------------------------


@contextlib.contextmanager
def served(app: Flask) -> Iterator[str]:
    """The app on a free local port, one thread per request (as gunicorn's workers answer at once);
    yields its base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(10)
        server.server_close()


@dataclass(frozen=True)
class Answer:
    status: int
    url: str
    body: str


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *_args: Any, **_kwargs: Any) -> None:
        return None  # a redirect is an answer of its own: the test looks at it


class Browser:
    """One person's browser: its own cookies, real HTTP to the served app; redirects are not followed."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.cookies = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.cookies), _NoRedirect)

    def get(self, path: str) -> Answer:
        return self._send(urllib.request.Request(self.base + path))  # noqa: S310  (the served app's http URL)

    def post(self, path: str, data: dict[str, str]) -> Answer:
        body = urllib.parse.urlencode(data).encode()
        return self._send(urllib.request.Request(self.base + path, data=body, method="POST"))  # noqa: S310

    def _send(self, prepared: urllib.request.Request) -> Answer:
        try:
            with self.opener.open(prepared, timeout=60) as response:
                return Answer(response.status, response.headers.get("Location", ""), response.read().decode())
        except urllib.error.HTTPError as error:
            return Answer(error.code, error.headers.get("Location", ""), error.read().decode())

    def token(self, path: str) -> str:
        page = self.get(path)
        match = CSRF_RE.search(page.body)
        assert match, f"no CSRF token on {path} ({page.status} {page.url})"
        return match.group(1)

    def log_in(self, email: str) -> None:
        answer = self.post("/login", {"email": email, "password": PASSWORD, "csrf_token": self.token("/login")})
        assert answer.status == 302, answer.body

    def open_case(self, application_id: uuid.UUID, tab: str = "") -> Answer:
        """The case page (or its tab, "/assessment"), after declaring no conflict of interest when the gate
        asks for it."""
        path = f"/backoffice/applications/{application_id}"
        page = self.get(path + tab)
        if page.status == 302 and "/declaration" in page.url:
            declaration = f"{path}/declaration"
            data = {"choice": "declare", "no_conflict": "y", "csrf_token": self.token(declaration)}
            declared = self.post(declaration, data)
            assert declared.status == 302, declared.body
            page = self.get(path + tab)
        assert page.status == 200, (page.status, page.url)
        return page


def form_token(page: Answer) -> str:
    match = CSRF_RE.search(page.body)
    assert match, "no CSRF token on the page"
    return match.group(1)


def text_of(html: str) -> str:
    """The page's text, tags dropped and white space folded (for assertions on what people read)."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))
