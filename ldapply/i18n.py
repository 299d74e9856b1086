"""The user interface's languages: Dutch first, English second.

Messages are written in Dutch in the code and templates (the source language) and translated in
`translations/en/LC_MESSAGES/messages.po`; a message without a translation shows in Dutch. The
catalogue is compiled into the instance folder when the app starts, so no build step can be forgotten.
Letters are not translated: they are the legal act, in Dutch. Their context is built from the regimes'
Dutch texts (`Text.nl`) and the clock's Dutch date (`clock.letter_date`), never from `_()`, so a letter
issued while the decision maker reads the interface in English is still entirely Dutch.

Formats on pages: dates follow the language ("27 november 2026", "27 November 2026", `format_day`);
numbers and amounts keep the Belgian notation in both languages ("312,5", "€ 180.000,50"): the
application is Belgian, the figures are the ones the letters and the law use, and one notation on
every page means a number reads and is typed the same whatever the language.

`make catalogue` (scripts/catalogue.py) extracts the messages and updates the catalogue;
tests/unit/test_translations.py fails while a message lacks its English translation, and names the
template text left outside `_()`.
"""

from __future__ import annotations

import functools
import os
import tempfile
from collections.abc import Mapping
from datetime import date, datetime
from pathlib import Path
from typing import Any

from babel import Locale
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask import Flask, has_app_context, has_request_context, session
from flask_babel import Babel, get_locale, get_translations, gettext, lazy_gettext, ngettext, refresh
from flask_login import current_user
from jinja2 import pass_context
from jinja2.runtime import Context
from markupsafe import Markup

from .clock import local
from .workflows._spec import Text

LOCALES = ("nl", "en")
DEFAULT_LOCALE = "nl"
LOCALE_NAMES = {"nl": "Nederlands", "en": "English"}
SOURCE_CATALOGUES = Path(__file__).resolve().parent.parent / "translations"

babel = Babel()
_ = gettext
_l = lazy_gettext

__all__ = [
    "LOCALES",
    "_",
    "_l",
    "babel",
    "current_locale",
    "format_day",
    "format_moment",
    "init_app",
    "ngettext",
    "text",
]


def select_locale() -> str:
    """The language chosen with the switch (kept in the session, then on the account); else Dutch.
    Without a request (the worker, the CLI) messages are Dutch."""
    if not has_request_context():
        return DEFAULT_LOCALE
    chosen = session.get("locale")
    if chosen in LOCALES:
        return str(chosen)
    user_locale = getattr(current_user, "locale", None) if current_user else None
    if user_locale in LOCALES:
        return str(user_locale)
    return DEFAULT_LOCALE


def current_locale() -> str:
    """The page's language code, or the one a mail is forced into (`force_locale` needs only an app context: a
    Celery task's reminder to an English-speaking user); "nl" otherwise."""
    if not has_app_context():
        return DEFAULT_LOCALE
    locale = get_locale()
    return locale.language if locale is not None and locale.language in LOCALES else DEFAULT_LOCALE


def text(value: Text | None) -> str:
    """A regime text (Dutch and English) in the page's language."""
    return value.get(current_locale()) if value is not None else ""


DAY_PATTERN = "d MMMM y"  # the CLDR pattern format_day writes (27 november 2026); tests compare it with Babel's


def format_day(day: date | datetime | None) -> str:
    """A date as the page's language writes it: 27 november 2026, 27 November 2026 (Brussels time). Babel's
    month names, put together here: format_date parses the pattern and the locale on every call, ten times
    the cost, and a queue page shows a hundred dates (tests/unit check both agree on every month)."""
    if day is None:
        return "—"
    shown = local(day).date() if isinstance(day, datetime) else day
    return f"{shown.day} {_month_names(current_locale())[shown.month]} {shown.year}"


@functools.cache
def _month_names(language: str) -> Mapping[int, str]:
    return dict(Locale.parse(language).months["format"]["wide"])


def format_moment(moment: datetime | None, with_time: bool = True) -> str:
    """A moment in Brussels time: 27 november 2026 om 14:05, 27 November 2026 at 14:05."""
    if moment is None or not with_time:
        return format_day(moment)
    hour = local(moment).strftime("%H:%M")
    return _("%(date)s om %(time)s", date=format_day(moment), time=hour)


def init_app(app: Flask) -> None:
    compiled = Path(app.instance_path) / "translations"
    compile_catalogues(SOURCE_CATALOGUES, compiled)
    app.config.setdefault("BABEL_DEFAULT_LOCALE", DEFAULT_LOCALE)
    app.config.setdefault("BABEL_DEFAULT_TIMEZONE", "Europe/Brussels")
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = str(compiled)
    babel.init_app(app, locale_selector=select_locale)
    app.before_request(refresh)  # each request chooses its language afresh, also in a shared app context
    app.add_template_global(text, "t")
    app.add_template_global(current_locale, "current_locale")
    app.jinja_env.globals["locale_names"] = LOCALE_NAMES
    app.context_processor(page_language)


def page_language() -> dict[str, Any]:
    """The page's translations and language, looked up once per rendered template.

    Flask-Babel's template callables look the translations up again for every message (the request's
    context, the locale and its identifier each time): a queue page of 50 rows spent more on that than
    on its query. Variables of the template's context come before the globals, so `_()`, `{% trans %}`,
    `t()` and `current_locale()` resolve to these; macros imported without context keep the globals."""
    if not has_request_context():
        return {}
    translations = get_translations()
    language = current_locale()

    def in_language(value: Text | None) -> str:
        return value.get(language) if value is not None else ""

    return {
        "gettext": _newstyle_gettext(translations.ugettext),
        "ngettext": _newstyle_ngettext(translations.ungettext),
        "t": in_language,
        "current_locale": lambda: language,
    }


def _newstyle_gettext(translate: Any) -> Any:
    """Jinja's newstyle gettext (jinja2.ext._make_new_gettext) around an already chosen catalogue: the
    message escaped as markup where autoescaping is on, and always formatted with its variables."""

    @pass_context
    def gettext(context: Context, message: str, /, **variables: Any) -> str:  # any variable name is free
        found = translate(message)
        # The catalogue is ours (trusted); what fills it is escaped by Markup.__mod__.
        return (Markup(found) if context.eval_ctx.autoescape else found) % variables  # noqa: S704

    return gettext


def _newstyle_ngettext(translate: Any) -> Any:
    """Jinja's newstyle ngettext around an already chosen catalogue (`num` is the count by default)."""

    @pass_context
    def ngettext(context: Context, singular: str, plural: str, count: int, /, **variables: Any) -> str:
        variables.setdefault("num", count)
        found = translate(singular, plural, count)
        # The catalogue is ours (trusted); what fills it is escaped by Markup.__mod__.
        return (Markup(found) if context.eval_ctx.autoescape else found) % variables  # noqa: S704

    return ngettext


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
