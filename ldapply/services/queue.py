"""The back office's work queue: submitted cases in the regimes a member of staff works on, filtered,
sorted and paged by keyset (a cursor of the last row's sort key and id: stable, no OFFSET, no silent cut).
The previous page is the same keyset read backwards (comparison and order reversed, rows flipped), which the
btree indexes serve by scanning backwards.

Every query shape is served by one of the partial indexes `ix_applications_queue_*` (migration 0006), which
hold submitted cases only: each query repeats their predicate `submitted_at IS NOT NULL` literally.
"""

from __future__ import annotations

import base64
import binascii
import functools
import json
import re
import uuid
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Date, Row, Select, and_, bindparam, false, func, or_, select, tuple_, union_all
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.selectable import ScalarSelect

from ..clock import local_date, utcnow
from ..extensions import db
from ..models import Application, Call, Organisation, RoleGrant, User
from ..workflows import REGIMES
from ..workflows._spec import INTERNAL_ROLES, Party, Regime, Role
from . import memo

PAGE_SIZE = 50
# Counted exactly up to here; above it the page says "more than". The count runs on every page view: at
# 10,000 it read as many index entries as the bare benchmark page spends on its whole request.
COUNT_CAP = 1_000
NAMED_BY_ID = 200  # a name search matching at most this many organisations names them by id (see _named)
SOON_DAYS = 7  # "due soon": the queue's own choice of horizon, not a legal term
DISPLAY_SECONDS = memo.DISPLAY_SECONDS  # how long another process's new call or member of staff may take to show

# Reviewers register the advice they asked for until outside advisors have accounts of their own.
PARTIES_OF_ROLE = {
    Role.REVIEWER: frozenset({Party.REVIEWER, Party.ADVISOR}),
    Role.DECISION_MAKER: frozenset({Party.DECISION_MAKER}),
    Role.ADMIN: frozenset({Party.ADMIN}),
}

MINE = "mine"
EVERYONE = "all"
ME = "me"
UNASSIGNED = "none"
OVERDUE = "overdue"
SOON = "soon"
BY_DUE = "due"
BY_SUBMISSION = "submitted"

_KBO_NOTATION = re.compile(r"^(BE)?[\d\s./-]+$", re.IGNORECASE)
_REFERENCE_LIKE = re.compile(r"^[A-Z0-9]+-[A-Z0-9-]*$")


@dataclass(frozen=True)
class Filters:
    """What the queue's form asks; values already checked against what the user may choose."""

    regime: str | None = None
    state: str | None = None
    call_id: uuid.UUID | None = None
    assignee: str | None = None  # ME, UNASSIGNED or a user's id
    move: str = MINE  # MINE, EVERYONE or a Party value
    due: str | None = None  # OVERDUE or SOON
    q: str = ""
    sort: str = BY_DUE


@dataclass(frozen=True)
class Scope:
    """The regimes a member of staff works on (`None`: every regime) and whose move is theirs in each."""

    regimes: frozenset[str] | None
    parties: dict[str, frozenset[Party]] = field(default_factory=dict)

    @property
    def empty(self) -> bool:
        return self.regimes is not None and not self.regimes

    def covers(self, regime_code: str) -> bool:
        return self.regimes is None or regime_code in self.regimes

    def regime_list(self) -> list[Regime]:
        return [r for r in REGIMES.values() if self.covers(r.code)]


@dataclass(frozen=True)
class Page:
    rows: Sequence[Row[Any]]
    count: int
    count_capped: bool  # more than COUNT_CAP match: `count` is the cap
    next_cursor: str | None
    first: bool  # the first page (no cursor, or nothing before it)
    previous_cursor: str | None = None  # the first row's key, when rows come before it


def scope_of(user: User) -> Scope:
    """From the user's internal grants (reviewer, decision maker, admin); an advisor-only user has none."""
    grants = [g for g in user.role_grants if g.role in INTERNAL_ROLES]
    if any(g.regime_code is None for g in grants):
        regimes: frozenset[str] | None = None
    else:
        regimes = frozenset(g.regime_code for g in grants if g.regime_code is not None and g.regime_code in REGIMES)
    parties = {
        code: frozenset().union(
            *(PARTIES_OF_ROLE.get(Role(g.role), frozenset()) for g in grants if g.regime_code in (None, code))
        )
        for code in REGIMES
        if regimes is None or code in regimes
    }
    return Scope(regimes, parties)


def parties_for(user: User) -> frozenset[Party]:
    """Whose-move values that mean 'this user's move' under some regime."""
    return frozenset().union(*scope_of(user).parties.values())


def today() -> date:
    return local_date(utcnow())


# -- the page -------------------------------------------------------------------------------------------


def page(user: User, filters: Filters, after: str | None = None, before: str | None = None) -> Page:
    """One page of the queue and the count of all that match (exact up to COUNT_CAP): the page after the
    cursor `after`, or else the page before the cursor `before`, or else the first page."""
    scope = scope_of(user)
    if scope.empty:
        return Page(rows=[], count=0, count_capped=False, next_cursor=None, first=True)
    shape, values = _question(user, scope, filters)
    cursor = decode_cursor(after, filters.sort)
    backwards = cursor is None and (cursor := decode_cursor(before, filters.sort)) is not None
    rows = _rows(shape, filters.sort, cursor, backwards, values)
    more = len(rows) > PAGE_SIZE
    rows = rows[:PAGE_SIZE]
    if backwards and not rows:  # nothing before the cursor (a stale or tampered link): the first page instead
        cursor, backwards = None, False
        rows = _rows(shape, filters.sort, None, False, values)
        more = len(rows) > PAGE_SIZE
        rows = rows[:PAGE_SIZE]
    if backwards:
        rows.reverse()
    # The count comes with the rows (a statement less on every page); a page past the end asks it alone.
    count = int((rows[0].matching if rows else db.session.scalar(_count_statement(shape), values)) or 0)
    first = cursor is None or (backwards and not more)
    return Page(
        rows=rows,
        count=min(count, COUNT_CAP),
        count_capped=count > COUNT_CAP,
        next_cursor=encode_cursor(rows[-1], filters.sort) if (more or backwards) and rows else None,
        first=first,
        previous_cursor=None if first or not rows else encode_cursor(rows[0], filters.sort),
    )


def _rows(
    shape: Shape, sort: str, cursor: tuple[Any, uuid.UUID] | None, backwards: bool, values: dict[str, Any]
) -> list[Row[Any]]:
    if cursor is not None:
        values = {**values, "cursor_value": cursor[0], "cursor_id": cursor[1]}
    kind = None if cursor is None else ("undated" if cursor[0] is None else "dated")
    return list(db.session.execute(_page_statement(shape, sort, kind, backwards), values))


# -- statements, built once per shape -------------------------------------------------------------------
#
# A page's statement is built from its shape (which filters, which search, which side of which cursor) and
# run with the values chosen bound into it: building the statement and its cache key cost as much as running
# it, on every queue page. A shape holds no value a user types, so there are a few hundred at most.

Shape = tuple[Any, ...]


@functools.lru_cache(maxsize=512)
def _page_statement(shape: Shape, sort: str, cursor: str | None, backwards: bool) -> Select[Any]:
    condition = _condition(shape)
    return _page_query(condition, sort, cursor, backwards, _count(condition, by_state="state" in shape))


@functools.lru_cache(maxsize=512)
def _count_statement(shape: Shape) -> Select[Any]:
    return select(_count(_condition(shape), by_state="state" in shape))


def _count(condition: ColumnElement[bool], *, by_state: bool) -> ScalarSelect[int]:
    """How many match, counted up to COUNT_CAP + 1. With a state chosen (`by_state`), read in the page's order, so that
    PostgreSQL walks ix_applications_queue_state_due and stops at the cap, instead of AND-ing the bitmaps of a
    whole regime."""
    query = select(Application.id).where(condition)
    if by_state:
        query = query.order_by(Application.state, Application.due_on.asc().nulls_last(), Application.id)
    return select(func.count()).select_from(query.limit(COUNT_CAP + 1).subquery()).scalar_subquery()


_COLUMNS = (
    Application.id,
    Application.reference,
    Application.regime_code,
    Application.regime_version,
    Application.state,
    Application.whose_move,
    Application.due_on,
    Application.submitted_at,
    Application.assignee_id,
    Application.organisation_id,
)


def _page_query(
    condition: ColumnElement[bool],
    sort: str,
    cursor: str | None,
    backwards: bool,
    counted: ScalarSelect[int],
) -> Select[Any]:
    """The page's rows with the organisation's and assignee's names and the count of all that match (`counted`,
    computed once per statement: it does not depend on the row). `cursor`: None (the first page), "dated" or
    "undated" (the kind of sort key the cursor row has; its key and id are bound as cursor_value, cursor_id).
    With the due-date sort and a cursor, two branches where dated and undated rows both lie on the page's side
    of the cursor, so that each is one index range. Backwards, every order is reversed (nulls first, ids
    descending): the caller flips the rows."""
    key = Application.due_on if sort == BY_DUE else Application.submitted_at
    branches = [
        select(*_COLUMNS)
        .where(condition, *extra)
        .order_by(*_order(key, Application.id, backwards))
        .limit(PAGE_SIZE + 1)
        for extra in (_before(key, cursor) if backwards and cursor is not None else _after(key, sort, cursor))
    ]
    rows = (branches[0] if len(branches) == 1 else union_all(*(select(b.subquery()) for b in branches))).subquery()
    assignee = User.__table__.alias("assignee")
    return (
        select(
            rows,
            Organisation.name.label("organisation_name"),
            assignee.c.name.label("assignee_name"),
            counted.label("matching"),
        )
        .join(Organisation, Organisation.id == rows.c.organisation_id)
        .outerjoin(assignee, assignee.c.id == rows.c.assignee_id)
        .order_by(*_order(rows.c[key.key], rows.c.id, backwards))
        .limit(PAGE_SIZE + 1)
    )


def _order(key: Any, ids: Any, backwards: bool) -> list[Any]:
    """The queue's order (key ascending, nulls last, then id), or its exact reverse (what a btree index read
    backwards yields)."""
    if backwards:
        return [key.desc().nulls_first(), ids.desc()]
    return [key.asc().nulls_last(), ids]


def _cursor_row(key: Any) -> tuple[Any, Any]:
    """The cursor row's sort key and id, as bound values of the key's and the id's types."""
    return bindparam("cursor_value", type_=key.type), bindparam("cursor_id", type_=Application.id.type)


def _after(key: Any, sort: str, cursor: str | None) -> list[list[ColumnElement[bool]]]:
    """The keyset conditions of each branch: what sorts after the cursor (nulls last, then by id)."""
    if cursor is None:
        return [[]]
    value, last_id = _cursor_row(key)
    if cursor == "undated":  # past the dated rows already: undated ones by id
        return [[key.is_(None), Application.id > last_id]]
    later = [tuple_(key, Application.id) > tuple_(value, last_id)]
    return [later, [key.is_(None)]] if sort == BY_DUE else [later]


def _before(key: Any, cursor: str) -> list[list[ColumnElement[bool]]]:
    """The keyset conditions of each branch, backwards: what sorts before the cursor."""
    value, first_id = _cursor_row(key)
    if cursor == "undated":  # among the undated rows: the undated ones before it, then every dated row
        return [[key.is_(None), Application.id < first_id], [key.is_not(None)]]
    return [[tuple_(key, Application.id) < tuple_(value, first_id)]]


# -- the conditions -------------------------------------------------------------------------------------


def _question(user: User, scope: Scope, filters: Filters) -> tuple[Shape, dict[str, Any]]:
    """The page's conditions: their shape (which ones; what the statement is built from) and the values bound
    into them."""
    shape: list[Any] = []
    values: dict[str, Any] = {}
    if scope.regimes is not None:
        shape.append("scope")
        values["scope_regimes"] = sorted(scope.regimes)
    for name, value in (("regime", filters.regime), ("state", filters.state), ("call_id", filters.call_id)):
        if value:
            shape.append(name)
            values[name] = value
    if filters.assignee == UNASSIGNED:
        shape.append("unassigned")
    elif filters.assignee:
        shape.append("assignee")
        values["assignee_id"] = user.id if filters.assignee == ME else uuid.UUID(filters.assignee)
    if filters.move == MINE:
        shape.append(("mine", _my_parties(scope)))
    elif filters.move != EVERYONE:
        shape.append("move")
        values["move"] = filters.move
    if filters.due:
        shape.append(filters.due)
        values["today"], values["soon"] = today(), today() + timedelta(days=SOON_DAYS)
    if filters.q:
        shape.append(_search(filters.q, values))
    return tuple(shape), values


def _condition(shape: Shape) -> ColumnElement[bool]:
    conditions: list[ColumnElement[bool]] = [Application.submitted_at.is_not(None)]  # the indexes' predicate
    for part in shape:
        conditions.append(_part(part))
    return and_(*conditions)


def _part(part: Any) -> ColumnElement[bool]:
    """One condition of a shape, its values bound by name (see _question)."""
    if isinstance(part, tuple):  # ("mine", the parties per regime)
        return _whose_move_mine(part[1])
    simple: dict[str, Callable[[], ColumnElement[bool]]] = {
        "scope": lambda: Application.regime_code.in_(bindparam("scope_regimes", expanding=True)),
        "regime": lambda: Application.regime_code == bindparam("regime"),
        "state": lambda: Application.state == bindparam("state"),
        "call_id": lambda: Application.call_id == bindparam("call_id", type_=Application.call_id.type),
        "unassigned": lambda: Application.assignee_id.is_(None),
        "assignee": lambda: Application.assignee_id == bindparam("assignee_id", type_=Application.assignee_id.type),
        "move": lambda: Application.whose_move == bindparam("move"),
        OVERDUE: lambda: Application.due_on < bindparam("today", type_=Date()),
        SOON: lambda: and_(
            Application.due_on >= bindparam("today", type_=Date()),
            Application.due_on <= bindparam("soon", type_=Date()),
        ),
        "kbo": lambda: Application.organisation_id.in_(
            select(Organisation.id).where(Organisation.enterprise_number == bindparam("kbo"))
        ),
        "reference": lambda: and_(
            Application.reference >= bindparam("reference_from"),
            Application.reference < bindparam("reference_to"),
            Application.reference.like(bindparam("reference_like"), escape="\\"),
        ),
        "named": lambda: Application.organisation_id.in_(
            bindparam("organisation_ids", expanding=True, type_=Application.organisation_id.type)
        ),
        "many_named": lambda: Application.organisation_id.in_(_named_query(limited=False)),
        "nothing": false,
    }
    return simple[part]()


def _my_parties(scope: Scope) -> tuple[tuple[tuple[str, ...], tuple[str, ...]], ...]:
    """MINE: the parties the user's roles stand for, per regime (grants differ per regime), as (parties,
    regimes) pairs."""
    by_parties: dict[frozenset[Party], list[str]] = {}
    for code, parties in scope.parties.items():
        if parties:
            by_parties.setdefault(parties, []).append(code)
    return tuple(sorted((tuple(sorted(parties)), tuple(sorted(codes))) for parties, codes in by_parties.items()))


def _whose_move_mine(pairs: tuple[tuple[tuple[str, ...], tuple[str, ...]], ...]) -> ColumnElement[bool]:
    if not pairs:
        return false()
    if len(pairs) == 1:  # the same parties wherever the user works: the regime scope does the rest
        return Application.whose_move.in_(pairs[0][0])
    return or_(
        *(and_(Application.regime_code.in_(codes), Application.whose_move.in_(parties)) for parties, codes in pairs)
    )


def enterprise_digits(q: str) -> str | None:
    """A KBO number in any notation (0403.170.701, BE0403170701, 403170701) as its ten digits; None otherwise."""
    if not _KBO_NOTATION.match(q.strip()):
        return None
    digits = re.sub(r"\D", "", q)
    if len(digits) == 9:
        digits = "0" + digits
    return digits if len(digits) == 10 else None


def _search(q: str, values: dict[str, Any]) -> str:
    """A KBO number, a reference (exact or its beginning) or part of an organisation's name: the search's part
    of the shape, its values put in `values`."""
    digits = enterprise_digits(q)
    if digits is not None:
        values["kbo"] = digits
        return "kbo"
    reference = q.strip().upper()
    if _REFERENCE_LIKE.match(reference):
        # references that start with it (the exact one included), as a range on the unique index: LIKE 'x%'
        # uses a plain index only under the C collation
        values["reference_from"] = reference
        values["reference_to"] = reference[:-1] + chr(ord(reference[-1]) + 1)
        values["reference_like"] = _escape_like(reference) + "%"
        return "reference"
    return _named(q.strip(), values)


def _named(part: str, values: dict[str, Any]) -> str:
    """Cases of organisations whose name holds `part`: ILIKE on PostgreSQL (served by the trigram index
    ix_organisations_name_trgm), LIKE on SQLite (which ignores case). The organisations are looked up first: a
    few of them (the usual search) are named by id, so the planner reads their cases and sorts those, instead of
    walking the due-date index past a million rows looking for them; many of them (a common word) stay a
    subquery, and then the walk along the due-date index finds a page soon."""
    values["name_like"] = "%" + _escape_like(part) + "%"
    found = list(db.session.scalars(_named_query(limited=True), values))
    if len(found) > NAMED_BY_ID:
        return "many_named"
    values["organisation_ids"] = found
    return "named" if found else "nothing"


@functools.cache
def _named_query(*, limited: bool) -> Select[uuid.UUID]:
    named = select(Organisation.id).where(Organisation.name.ilike(bindparam("name_like"), escape="\\"))
    return named.limit(NAMED_BY_ID + 1) if limited else named


def _escape_like(value: str) -> str:
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


# -- cursors --------------------------------------------------------------------------------------------


def encode_cursor(row: Row[Any], sort: str) -> str:
    """The last row's sort key and id, opaque to the user (base64 of a small JSON list)."""
    value = row.due_on if sort == BY_DUE else row.submitted_at
    payload = json.dumps([sort, value.isoformat() if value is not None else None, row.id.hex])
    return base64.urlsafe_b64encode(payload.encode()).decode().rstrip("=")


def decode_cursor(cursor: str | None, sort: str) -> tuple[Any, uuid.UUID] | None:
    """The (sort key, id) a cursor names; None for no cursor, a malformed one or one of another sort."""
    if not cursor:
        return None
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        cursor_sort, value, last_id = json.loads(raw)
        if cursor_sort != sort:
            return None
        key: date | datetime | None = None
        if value is not None:
            key = date.fromisoformat(value) if sort == BY_DUE else datetime.fromisoformat(value)
        return key, uuid.UUID(last_id)
    except (ValueError, TypeError, binascii.Error, UnicodeDecodeError):
        return None


# -- choices for the filters ----------------------------------------------------------------------------


def assignee_choices() -> list[tuple[uuid.UUID, str]]:
    """Members of staff who can hold a case (an internal role), by name: one query. The filter menu reads
    `shown_assignee_choices`; whatever decides on the choice (a bulk job's filter) reads this."""
    holders = select(RoleGrant.user_id).where(RoleGrant.role.in_(sorted(INTERNAL_ROLES)))
    rows = db.session.execute(select(User.id, User.name).where(User.id.in_(holders)).order_by(User.name, User.id))
    return [(row.id, row.name) for row in rows]


def call_choices(scope: Scope) -> list[tuple[uuid.UUID, str, str]]:
    """The calls of the regimes in scope, newest first: (id, title, regime code); one query."""
    return _calls_of(scope.regimes)


def _calls_of(regimes: frozenset[str] | None) -> list[tuple[uuid.UUID, str, str]]:
    query = select(Call.id, Call.title, Call.regime_code).order_by(Call.opens_on.desc(), Call.id)
    if regimes is not None:
        query = query.where(Call.regime_code.in_(sorted(regimes)))
    return [(row.id, row.title, row.regime_code) for row in db.session.execute(query)]


# The queue's filter menus, as the page shows them: each is a statement of its own, as dear as the bare
# benchmark page's whole request, on every queue page (see services/memo.py for how long they are kept).
shown_assignee_choices = memo.for_display(DISPLAY_SECONDS, tables=("users", "role_grants"))(assignee_choices)
_shown_calls_of = memo.for_display(DISPLAY_SECONDS, tables=("calls",))(_calls_of)


def shown_call_choices(scope: Scope) -> list[tuple[uuid.UUID, str, str]]:
    return _shown_calls_of(scope.regimes)


def filters_from(
    args: Mapping[str, str], scope: Scope, assignees: Collection[uuid.UUID], calls: Collection[uuid.UUID]
) -> Filters:
    """The filters a query string asks for; a value the user cannot choose is ignored (the form never offers
    it). `view=mine|all` is the old tabs' way of saying whose move."""
    regime = args.get("regime") or None
    if regime is not None and not (regime in REGIMES and scope.covers(regime)):
        regime = None
    states = {s.code for r in scope.regime_list() if regime in (None, r.code) for s in r.states}
    state = args.get("state") or None
    move = args.get("move") or args.get("view") or MINE
    if move not in {MINE, EVERYONE, *(str(p) for p in Party)}:
        move = MINE
    q = " ".join((args.get("q") or "").split())[:200]
    return Filters(
        regime=regime,
        state=state if state in states else None,
        call_id=_chosen_id(args.get("call"), calls),
        assignee=_assignee(args.get("assignee"), assignees),
        move=move,
        due=args.get("due") if args.get("due") in (OVERDUE, SOON) else None,
        q=q,
        sort=BY_SUBMISSION if args.get("sort") == BY_SUBMISSION else BY_DUE,
    )


def _chosen_id(value: str | None, allowed: Collection[uuid.UUID]) -> uuid.UUID | None:
    try:
        chosen = uuid.UUID(value or "")
    except ValueError:
        return None
    return chosen if chosen in allowed else None


def _assignee(value: str | None, assignees: Collection[uuid.UUID]) -> str | None:
    if value in (ME, UNASSIGNED):
        return value
    chosen = _chosen_id(value, assignees)
    return str(chosen) if chosen else None
