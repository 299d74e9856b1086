"""Uploaded files: checked by extension, content and size, stored under server-generated names.

A file chosen on a step is stored at once, as an upload *staged* for its field (`Upload.staged`): not yet
in the answers. The page then shows it as chosen, so a file is never lost when another answer on the step
needs fixing; saving the step attaches it and clears the flag for good. Only staged uploads are ever cleaned
up; a file that was attached leaves storage only with a draft that was never submitted.
"""

from __future__ import annotations

import io
import unicodedata
import uuid
import warnings
import zipfile
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import IO, Any
from xml.etree import ElementTree

from flask import current_app
from pypdf import PdfReader
from sqlalchemy import delete, select, update

from ..extensions import db
from ..forms.kinds import file_references, kind_names
from ..i18n import _
from ..models import Application, Upload, User
from .errors import InvalidUpload, NotFound, StepIncomplete
from .storage import StoredFile, get_storage


@dataclass(frozen=True)
class FileKind:
    code: str
    extensions: tuple[str, ...]
    content_type: str
    label: str
    parses: Callable[[bytes], bool]  # whether the content is really a file of this kind


def _pdf_has_pages(data: bytes) -> bool:
    """A PDF that a reader can open and that has at least one page, not just a PDF header."""
    if not data.startswith(b"%PDF-"):
        return False
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # a quirky but readable PDF is still a PDF
        try:
            return len(PdfReader(io.BytesIO(data), strict=False).pages) > 0
        except Exception:  # any parse failure means: not a usable PDF
            return False


MAX_UNPACKED = 500 * 1024 * 1024  # a document that unpacks to more than this is refused (a zip bomb)


def _zip(data: bytes) -> zipfile.ZipFile | None:
    if not data.startswith(b"PK\x03\x04"):
        return None
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError):
        return None
    if not infos or sum(i.file_size for i in infos) > MAX_UNPACKED:
        return None
    return archive


def _read(archive: zipfile.ZipFile, name: str, limit: int = 1024 * 1024) -> bytes | None:
    try:
        with archive.open(name) as member:
            return member.read(limit)
    except (KeyError, zipfile.BadZipFile, ValueError, OSError, RuntimeError):
        return None


def _opendocument(media_type: str) -> Callable[[bytes], bool]:
    """ODF: a zip whose first member is `mimetype`, holding the document's media type, with its content."""

    def parses(data: bytes) -> bool:
        archive = _zip(data)
        if archive is None or archive.infolist()[0].filename != "mimetype":
            return False
        return _read(archive, "mimetype", 200) == media_type.encode() and "content.xml" in archive.namelist()

    return parses


def _ooxml(main_part: str, content_type: str) -> Callable[[bytes], bool]:
    """OOXML: a zip with [Content_Types].xml that declares `main_part` as the document's main part
    (a macro-enabled document declares another type and is refused)."""

    def parses(data: bytes) -> bool:
        archive = _zip(data)
        if archive is None or main_part.lstrip("/") not in archive.namelist():
            return False
        types = _read(archive, "[Content_Types].xml")
        if types is None or b"<!DOCTYPE" in types or b"<!ENTITY" in types:
            return False
        try:
            root = ElementTree.fromstring(types)  # noqa: S314 (no DTD or entities, checked above)
        except ElementTree.ParseError:
            return False
        return any(
            element.get("PartName") == main_part and element.get("ContentType") == content_type
            for element in root.iter()
            if element.tag.endswith("Override")
        )

    return parses


def _image(signature: bytes, pil_format: str) -> Callable[[bytes], bool]:
    """An image with the format's signature that Pillow can read to the end."""

    def parses(data: bytes) -> bool:
        if not data.startswith(signature):
            return False
        try:
            from PIL import Image
        except ImportError:  # pragma: no cover - WeasyPrint brings Pillow; the signature must do without it
            return True
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # a decompression-bomb warning refuses the image
            try:
                with Image.open(io.BytesIO(data)) as image:
                    if image.format != pil_format:
                        return False
                    image.verify()
                with Image.open(io.BytesIO(data)) as image:
                    image.load()  # verify() checks the structure; load() decodes the pixels
            except Exception:  # any decoding failure means: not a usable image
                return False
        return True

    return parses


ODF = "application/vnd.oasis.opendocument"
OOXML = "application/vnd.openxmlformats-officedocument"
FILE_KINDS = {
    "pdf": FileKind("pdf", (".pdf",), "application/pdf", "PDF", _pdf_has_pages),
    "odt": FileKind("odt", (".odt",), f"{ODF}.text", "ODT", _opendocument(f"{ODF}.text")),
    "ods": FileKind("ods", (".ods",), f"{ODF}.spreadsheet", "ODS", _opendocument(f"{ODF}.spreadsheet")),
    "docx": FileKind(
        "docx",
        (".docx",),
        f"{OOXML}.wordprocessingml.document",
        "DOCX",
        _ooxml("/word/document.xml", f"{OOXML}.wordprocessingml.document.main+xml"),
    ),
    "xlsx": FileKind(
        "xlsx",
        (".xlsx",),
        f"{OOXML}.spreadsheetml.sheet",
        "XLSX",
        _ooxml("/xl/workbook.xml", f"{OOXML}.spreadsheetml.sheet.main+xml"),
    ),
    "png": FileKind("png", (".png",), "image/png", "PNG", _image(b"\x89PNG\r\n\x1a\n", "PNG")),
    "jpeg": FileKind("jpeg", (".jpg", ".jpeg"), "image/jpeg", "JPEG", _image(b"\xff\xd8\xff", "JPEG")),
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
    name = safe_filename(filename, "bijlage")
    if not data:
        raise InvalidUpload(_("Het gekozen bestand is leeg."))
    if len(data) > limit:
        raise InvalidUpload(
            _(
                "Het bestand is groter dan %(limit)s MB. Maak het kleiner of kies een ander bestand.",
                limit=limit // 2**20,
            )
        )
    allowed = [FILE_KINDS[k] for k in kinds]
    kind = next((k for k in allowed if name.lower().endswith(k.extensions)), None)
    if kind is None:
        raise InvalidUpload(
            _("Dit soort bestand kan hier niet. Kies een bestand van het soort %(kinds)s.", kinds=kind_names(kinds))
        )
    if not kind.parses(data):
        raise InvalidUpload(
            _(
                "De inhoud van het bestand is geen %(kind)s, hoewel de naam op %(extension)s eindigt. "
                "Kies een echt %(kind)s-bestand.",
                kind=kind.label,
                extension=kind.extensions[0],
            )
        )
    return data, kind, name


def store_upload(
    *,
    application: Application,
    field_name: str,
    stream: IO[bytes],
    filename: str,
    kinds: tuple[str, ...],
    actor: User,
    staged: bool = False,
) -> tuple[Upload, StoredFile]:
    """Write the file and add its row to the session; the caller commits or removes the file. `staged`: chosen
    on a step page, not attached yet."""
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
        staged=staged,
    )
    db.session.add(upload)
    return upload, stored


def upload_reference(upload: Upload) -> dict[str, Any]:
    """What the answers keep of an upload: enough to show and verify it without a query."""
    return {"upload_id": str(upload.id), "filename": upload.filename, "size": upload.size, "sha256": upload.sha256}


def referenced_ids(*answer_sets: Mapping[str, Any] | None) -> set[str]:
    """The upload ids the answers refer to (an upload field holds one reference or a list of them)."""
    return {
        str(ref["upload_id"])
        for answers in answer_sets
        if answers
        for value in answers.values()
        for ref in file_references(value)
        if "upload_id" in ref
    }


# -- staged uploads: chosen on a step, kept until the step is saved --------------------------------


@dataclass(frozen=True)
class StagedFile:
    """A staged upload as the step page and the save need it, read once (never reloaded after a commit)."""

    id: uuid.UUID
    field_name: str
    filename: str
    size: int
    sha256: str
    storage_key: str

    @classmethod
    def of(cls, upload: Upload) -> StagedFile:
        return cls(upload.id, upload.field_name, upload.filename, upload.size, upload.sha256, upload.storage_key)

    def reference(self) -> dict[str, Any]:
        return {"upload_id": str(self.id), "filename": self.filename, "size": self.size, "sha256": self.sha256}


@dataclass
class Staged:
    """The outcome of storing the files chosen for one field: those kept, and why others were refused."""

    uploads: list[StagedFile]
    refusals: list[str]


def stage_files(
    *,
    application: Application,
    field_name: str,
    kinds: tuple[str, ...],
    files: Sequence[tuple[IO[bytes], str]],
    room: int,
    max_files: int,
    actor: User,
) -> Staged:
    """Check and store the files chosen for a field, as staged uploads (the caller commits). `room` is how
    many more files the field takes; the files beyond it are refused."""
    staged = Staged([], [])
    for stream, filename in files:
        if len(staged.uploads) >= room:
            staged.refusals.append(_too_many(filename, max_files))
            continue
        try:
            upload, _stored = store_upload(
                application=application,
                field_name=field_name,
                stream=stream,
                filename=filename,
                kinds=kinds,
                actor=actor,
                staged=True,
            )
        except InvalidUpload as refusal:
            staged.refusals.append(_named(filename, refusal.message))
            continue
        staged.uploads.append(StagedFile.of(upload))
    return staged


def _named(filename: str, message: str) -> str:
    return f"{safe_filename(filename, _('bijlage'))}: {message}"


def _too_many(filename: str, max_files: int) -> str:
    if max_files == 1:
        message = _("U kunt hier maar één bestand toevoegen.")
    else:
        message = _(
            "U kunt hier hoogstens %(count)s bestanden toevoegen. Verwijder eerst een bestand om er een te vervangen.",
            count=max_files,
        )
    return _named(filename, message)


def staged_uploads(application: Application, actor: User, ids: Iterable[str]) -> list[StagedFile]:
    """The staged uploads among `ids` that this person chose on this application and that are not attached
    yet; any other id (another application's, another person's, an attached one) is ignored."""
    wanted = set()
    for raw in ids:
        try:
            wanted.add(uuid.UUID(str(raw)))
        except ValueError:
            continue
    if not wanted:
        return []
    found = db.session.scalars(
        select(Upload)
        .where(
            Upload.id.in_(wanted),
            Upload.application_id == application.id,
            Upload.uploaded_by_id == actor.id,
            Upload.staged.is_(True),
        )
        .order_by(Upload.created_at, Upload.id)
    )
    return [StagedFile.of(u) for u in found]


def take_staged(ids: Sequence[uuid.UUID]) -> None:
    """Attach staged uploads (in the session's transaction): they are staged no more, so no cleanup takes
    them. Guarded by `staged`, so this and a cleanup that comes at the same moment cannot both win: when
    one of them is gone already, StepIncomplete (the caller rolls back) and the person chooses it again."""
    if not ids:
        return
    taken = db.session.execute(
        update(Upload).where(Upload.id.in_(ids), Upload.staged.is_(True)).values(staged=False),
        execution_options={"synchronize_session": False},
    )
    if taken.rowcount != len(set(ids)):  # type: ignore[attr-defined]
        raise StepIncomplete(
            _("Een gekozen bestand is niet meer bewaard, omdat de stap lang niet opgeslagen werd. Kies het opnieuw.")
        )


def delete_staged(ids: Sequence[uuid.UUID]) -> list[str]:
    """Delete the rows of the uploads among `ids` that are still staged (in the session's transaction; an
    upload attached meanwhile stays); return their storage keys, for `remove_files` after the commit."""
    if not ids:
        return []
    keys = db.session.scalars(
        delete(Upload).where(Upload.id.in_(ids), Upload.staged.is_(True)).returning(Upload.storage_key),
        execution_options={"synchronize_session": False},
    ).all()
    return list(keys)


def forget_staged(uploads: Sequence[StagedFile]) -> list[str]:
    """Delete staged uploads the person let go of (a choice replaced, a file removed before saving)."""
    return delete_staged([u.id for u in uploads])


def forget(uploads: Sequence[Upload]) -> list[str]:
    """Delete the rows of a draft's attached uploads its answers let go of (in the session's transaction;
    the caller makes sure the application was never submitted); return their storage keys, for
    `remove_files` once the transaction is committed."""
    if not uploads:
        return []
    db.session.execute(
        delete(Upload).where(Upload.id.in_([u.id for u in uploads])), execution_options={"synchronize_session": False}
    )
    for upload in uploads:
        if upload in db.session:
            db.session.expunge(upload)
    return [u.storage_key for u in uploads]


def remove_files(keys: Iterable[str]) -> None:
    storage = get_storage()
    for key in keys:
        storage.delete(key)


CLEANUP_BATCH = 500


def clean_staged_uploads(before: datetime) -> int:
    """Remove uploads staged before `before` and never attached (the person left the step without saving
    it); returns how many. Reads only the staged uploads (an index), and deletes only those still staged
    when it deletes: a save attaching one at the same moment wins. Attached files and files that came
    with moves are never touched."""
    removed = 0
    while True:
        ids = list(
            db.session.scalars(
                select(Upload.id)
                .where(Upload.staged.is_(True), Upload.created_at < before)
                .order_by(Upload.created_at, Upload.id)
                .limit(CLEANUP_BATCH)
            )
        )
        keys = delete_staged(ids)
        db.session.commit()
        remove_files(keys)
        removed += len(keys)
        if len(ids) < CLEANUP_BATCH:
            return removed


def get_upload(application: Application, upload_id: uuid.UUID) -> Upload:
    """One file of the application; for an objection case also of the case it contests, whose answers it carries."""
    cases = [application.id, *([application.objection_of_id] if application.objection_of_id else [])]
    upload = db.session.scalar(select(Upload).where(Upload.id == upload_id, Upload.application_id.in_(cases)))
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
