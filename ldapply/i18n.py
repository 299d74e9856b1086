"""The user interface's languages: Dutch first, English second.

Messages are written in Dutch in the code and templates (the source language) and translated in
`translations/en/LC_MESSAGES/messages.po`; a message without a translation shows in Dutch. The
catalogue is compiled into the instance folder when the app starts, so no build step can be forgotten.
Letters are not translated: they are the legal act, in Dutch.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask import Flask, request, session
from flask_babel import Babel, get_locale, gettext, lazy_gettext, ngettext
from flask_login import current_user

from .workflows._spec import Text

LOCALES = ("nl", "en")
DEFAULT_LOCALE = "nl"
LOCALE_NAMES = {"nl": "Nederlands", "en": "English"}
SOURCE_CATALOGUES = Path(__file__).resolve().parent.parent / "translations"

babel = Babel()
_ = gettext
_l = lazy_gettext

__all__ = ["LOCALES", "_", "_l", "babel", "current_locale", "init_app", "ngettext", "text"]


def select_locale() -> str:
    """The language chosen with the switch (kept in the session, then on the account); else Dutch."""
    chosen = session.get("locale")
    if chosen in LOCALES:
        return str(chosen)
    user_locale = getattr(current_user, "locale", None) if current_user else None
    if user_locale in LOCALES:
        return str(user_locale)
    return DEFAULT_LOCALE


def current_locale() -> str:
    """The page's language code, "nl" outside a request."""
    if not request:
        return DEFAULT_LOCALE
    locale = get_locale()
    return locale.language if locale is not None else DEFAULT_LOCALE


def text(value: Text | None) -> str:
    """A regime text (Dutch and English) in the page's language."""
    return value.get(current_locale()) if value is not None else ""


def init_app(app: Flask) -> None:
    compiled = Path(app.instance_path) / "translations"
    compile_catalogues(SOURCE_CATALOGUES, compiled)
    app.config.setdefault("BABEL_DEFAULT_LOCALE", DEFAULT_LOCALE)
    app.config.setdefault("BABEL_DEFAULT_TIMEZONE", "Europe/Brussels")
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = str(compiled)
    babel.init_app(app, locale_selector=select_locale)
    app.add_template_global(text, "t")
    app.add_template_global(current_locale, "current_locale")
    app.add_template_global(LOCALE_NAMES, "locale_names")


def compile_catalogues(source: Path, target: Path) -> None:
    """Compile every `<lang>/LC_MESSAGES/messages.po` that changed since its `.mo` was written.

    Written to a temporary file and moved into place, so processes starting together never read half a file.
    """
    for po_path in source.glob("*/LC_MESSAGES/messages.po"):
        mo_path = target / po_path.relative_to(source).with_suffix(".mo")
        if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        mo_path.parent.mkdir(parents=True, exist_ok=True)
        with po_path.open("rb") as po_file:
            catalogue = read_po(po_file)
        with tempfile.NamedTemporaryFile(dir=mo_path.parent, delete=False) as temporary:
            write_mo(temporary, catalogue)
        os.replace(temporary.name, mo_path)
