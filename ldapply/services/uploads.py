"""Uploaded files: checked by extension, content and size, stored under server-generated names."""

from __future__ import annotations

import io
import unicodedata
import uuid
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from typing import IO, Any

from flask import current_app
from pypdf import PdfReader
from sqlalchemy import select

from ..extensions import db
from ..models import Application, Upload, User
from .errors import InvalidUpload, NotFound
from .storage import StoredFile, get_storage


@dataclass(frozen=True)
class FileKind:
    extension: str
    magic: bytes
    content_type: str
    label: str
    parses: Callable[[bytes], bool]


def _pdf_has_pages(data: bytes) -> bool:
    """A PDF that a reader can open and that has at least one page, not just a PDF header."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # a quirky but readable PDF is still a PDF
        try:
            return len(PdfReader(io.BytesIO(data), strict=False).pages) > 0
        except Exception:  # any parse failure means: not a usable PDF
            return False


FILE_KINDS = {
    "pdf": FileKind(".pdf", b"%PDF-", "application/pdf", "PDF", _pdf_has_pages),
}


def safe_filename(name: str, fallback: str) -> str:
    """A name fit to show and to offer as a download: no path, no control or bidi characters."""
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in unicodedata.normalize("NFC", name) if unicodedata.category(ch)[0] != "C")
    name = name.strip(" .")
    return name[-120:] if name else fallback


def read_checked(stream: IO[bytes], filename: str, kinds: tuple[str, ...]) -> tuple[bytes, FileKind, str]:
    """Read an upload and check it; raise InvalidUpload with a message for the applicant."""
    limit = int(current_app.config["MAX_UPLOAD_BYTES"])
    data = stream.read(limit + 1)
    allowed = [FILE_KINDS[k] for k in kinds]
    names = " of ".join(k.label for k in allowed)
    if not data:
        raise InvalidUpload("Het gekozen bestand is leeg.")
    if len(data) > limit:
        raise InvalidUpload(f"Het bestand is groter dan {limit // (1024 * 1024)} MB.")
    name = safe_filename(filename, "bijlage")
    kind = next((k for k in allowed if name.lower().endswith(k.extension)), None)
    if kind is None:
        raise InvalidUpload(f"Het bestand moet een {names}-bestand zijn.")
    if not data.startswith(kind.magic) or not kind.parses(data):
        raise InvalidUpload(f"De inhoud van het bestand is geen {kind.label}. Kies een echt {kind.label}-bestand.")
    return data, kind, name


def store_upload(
    *, application: Application, field_name: str, stream: IO[bytes], filename: str, kinds: tuple[str, ...], actor: User
) -> tuple[Upload, StoredFile]:
    """Write the file and add its row to the session; the caller commits or removes the file."""
    try:
        data, kind, name = read_checked(stream, filename, kinds)
    except InvalidUpload as refusal:
        raise InvalidUpload(refusal.message, field=field_name) from None
    upload_id = uuid.uuid4()
    stored = get_storage().put(f"uploads/{application.id}/{upload_id}", data)
    upload = Upload(
        id=upload_id,
        application_id=application.id,
        field_name=field_name,
        filename=name,
        content_type=kind.content_type,
        size=stored.size,
        sha256=stored.sha256,
        storage_key=stored.key,
        uploaded_by_id=actor.id,
    )
    db.session.add(upload)
    return upload, stored


def upload_reference(upload: Upload) -> dict[str, Any]:
    """What the answers keep of an upload: enough to show and verify it without a query."""
    return {"upload_id": str(upload.id), "filename": upload.filename, "size": upload.size, "sha256": upload.sha256}


def get_upload(application: Application, upload_id: uuid.UUID) -> Upload:
    upload = db.session.scalar(select(Upload).where(Upload.id == upload_id, Upload.application_id == application.id))
    if upload is None:
        raise NotFound()
    return upload


def upload_bytes(upload: Upload) -> bytes:
    return get_storage().get(upload.storage_key)


def event_uploads(application_id: uuid.UUID) -> dict[uuid.UUID, list[Upload]]:
    """The files that came with moves (hearing responses), per event."""
    found: dict[uuid.UUID, list[Upload]] = {}
    for upload in db.session.scalars(
        select(Upload)
        .where(Upload.application_id == application_id, Upload.event_id.is_not(None))
        .order_by(Upload.created_at, Upload.id)
    ):
        found.setdefault(upload.event_id, []).append(upload)  # type: ignore[arg-type]
    return found
