"""A real SMTP server for tests (aiosmtpd on a free local port) and a helper that runs the mail tasks.

The `mail_server` fixture points the app's MAIL_URL at it for one test; `deliver_mail(app)` takes the
mail tasks that commits queued on the real broker and runs them as the worker would, so what the
server receives went through the outbox, the after-commit hand-off and smtplib.
"""

from __future__ import annotations

import re
import socket
from collections.abc import Iterator
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from flask import Flask

from tests.support import queued_tasks

LINK_RE = re.compile(r"https?://[^/\s]+(/\S+)")


@dataclass
class Inbox:
    """What the server received, in order."""

    url: str
    messages: list[EmailMessage] = field(default_factory=list)
    refuse: str | None = None  # an address the server answers 550 for

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str, options: Any) -> str:  # noqa: N802
        if address == self.refuse:
            return "550 5.1.1 No such user here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802 (aiosmtpd's name)
        message = message_from_bytes(envelope.content, policy=policy.default)
        assert isinstance(message, EmailMessage)
        self.messages.append(message)
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.messages if m["To"] == address]

    def last_to(self, address: str) -> EmailMessage:
        received = self.to(address)
        assert received, f"no mail to {address}; received: {[(m['To'], m['Subject']) for m in self.messages]}"
        return received[-1]


def body_of(message: EmailMessage) -> str:
    part = message.get_body(("plain",))
    assert part is not None
    return str(part.get_content())


def link_in(message: EmailMessage) -> str:
    """The path of the first link in a mail, to follow with the test client."""
    match = LINK_RE.search(body_of(message))
    assert match, body_of(message)
    return match.group(1)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def mail_server(app: Flask) -> Iterator[Inbox]:
    port = _free_port()
    inbox = Inbox(url=f"smtp://127.0.0.1:{port}")
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    previous = app.config["MAIL_URL"]
    app.config["MAIL_URL"] = inbox.url
    try:
        yield inbox
    finally:
        app.config["MAIL_URL"] = previous
        controller.stop()


def deliver_mail(app: Flask) -> int:
    """Run every mail task waiting on the broker, as the worker would; returns how many ran."""
    from ldapply.tasks import send_mail

    sent = 0
    with app.app_context():
        for name, args in queued_tasks(app):
            assert name == "mail.send", f"unexpected task {name}"
            send_mail(*args)
            sent += 1
    return sent
