"""Real files of every upload kind, built in the test: OpenDocument and OOXML zips written member by member,
images drawn with Pillow. Also the near misses a content check must refuse."""

from __future__ import annotations

import zipfile
from io import BytesIO

from PIL import Image

ODF = "application/vnd.oasis.opendocument"
OOXML = "application/vnd.openxmlformats-officedocument"
MANIFEST = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
    '<manifest:file-entry manifest:full-path="/" manifest:media-type="{media}"/>'
    '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
    "</manifest:manifest>"
)
CONTENT = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
    "<office:body><office:text><text:p>Ondernemingsplan</text:p></office:text></office:body>"
    "</office:document-content>"
)


def opendocument(kind: str = "text", *, mimetype_first: bool = True, media: str | None = None) -> bytes:
    """An ODF document (kind "text" or "spreadsheet"): `mimetype` first and stored, as the standard asks."""
    media = media or f"{ODF}.{kind}"
    out = BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        members = [("content.xml", CONTENT), ("META-INF/manifest.xml", MANIFEST.format(media=media))]
        if mimetype_first:
            archive.writestr(zipfile.ZipInfo("mimetype"), media, compress_type=zipfile.ZIP_STORED)
        for name, body in members:
            archive.writestr(name, body, compress_type=zipfile.ZIP_DEFLATED)
        if not mimetype_first:
            archive.writestr("mimetype", media)
    return out.getvalue()


def ooxml(kind: str = "docx", *, content_type: str | None = None) -> bytes:
    """A minimal Word (docx) or Excel (xlsx) file: [Content_Types].xml naming the main part, the part itself."""
    part, main, body = {
        "docx": (
            "/word/document.xml",
            f"{OOXML}.wordprocessingml.document.main+xml",
            '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
            "<w:body><w:p><w:r><w:t>Ondernemingsplan</w:t></w:r></w:p></w:body></w:document>",
        ),
        "xlsx": (
            "/xl/workbook.xml",
            f"{OOXML}.spreadsheetml.sheet.main+xml",
            '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheets/></workbook>',
        ),
    }[kind]
    types = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        f'<Override PartName="{part}" ContentType="{content_type or main}"/>'
        "</Types>"
    )
    rels = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
        f'officeDocument" Target="{part.lstrip("/")}"/></Relationships>'
    )
    out = BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", types)
        archive.writestr("_rels/.rels", rels)
        archive.writestr(part.lstrip("/"), body)
    return out.getvalue()


def image(kind: str = "PNG", size: tuple[int, int] = (8, 6)) -> bytes:
    out = BytesIO()
    Image.new("RGB", size, (26, 60, 110)).save(out, kind)
    return out.getvalue()


def plain_zip() -> bytes:
    out = BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("readme.txt", "geen document")
    return out.getvalue()
