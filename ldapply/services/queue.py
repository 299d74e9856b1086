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
import json
import re
import uuid
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Row, Select, and_, false, func, or_, select, tuple_, union_all
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
    condition = and_(*_conditions(user, scope, filters))
    counted = _count(condition, by_state=bool(filters.state))
    cursor = decode_cursor(after, filters.sort)
    backwards = cursor is None and (cursor := decode_cursor(before, filters.sort)) is not None
    rows = list(db.session.execute(_page_query(condition, filters.sort, cursor, backwards, counted)))
    more = len(rows) > PAGE_SIZE
    rows = rows[:PAGE_SIZE]
    if backwards and not rows:  # nothing before the cursor (a stale or tampered link): the first page instead
        cursor, backwards = None, False
        rows = list(db.session.execute(_page_query(condition, filters.sort, None, False, counted)))
        more = len(rows) > PAGE_SIZE
        rows = rows[:PAGE_SIZE]
    if backwards:
        rows.reverse()
    # The count comes with the rows (a statement less on every page); a page past the end asks it alone.
    count = int((rows[0].matching if rows else db.session.scalar(select(counted))) or 0)
    first = cursor is None or (backwards and not more)
    return Page(
        rows=rows,
        count=min(count, COUNT_CAP),
        count_capped=count > COUNT_CAP,
        next_cursor=encode_cursor(rows[-1], filters.sort) if (more or backwards) and rows else None,
        first=first,
        previous_cursor=None if first or not rows else encode_cursor(rows[0], filters.sort),
    )


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
    cursor: tuple[Any, uuid.UUID] | None,
    backwards: bool,
    counted: ScalarSelect[int],
) -> Select[Any]:
    """The page's rows with the organisation's and assignee's names and the count of all that match (`counted`,
    computed once per statement: it does not depend on the row). With the due-date sort and a cursor, two
    branches where dated and undated rows both lie on the page's side of the cursor, so that each is one index
    range. Backwards, every order is reversed (nulls first, ids descending): the caller flips the rows."""
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


def _after(key: Any, sort: str, cursor: tuple[Any, uuid.UUID] | None) -> list[list[ColumnElement[bool]]]:
    """The keyset conditions of each branch: what sorts after the cursor (nulls last, then by id)."""
    if cursor is None:
        return [[]]
    value, last_id = cursor
    if value is None:  # past the dated rows already: undated ones by id
        return [[key.is_(None), Application.id > last_id]]
    later = [tuple_(key, Application.id) > tuple_(value, last_id)]
    return [later, [key.is_(None)]] if sort == BY_DUE else [later]


def _before(key: Any, cursor: tuple[Any, uuid.UUID]) -> list[list[ColumnElement[bool]]]:
    """The keyset conditions of each branch, backwards: what sorts before the cursor."""
    value, first_id = cursor
    if value is None:  # among the undated rows: the undated ones before it, then every dated row
        return [[key.is_(None), Application.id < first_id], [key.is_not(None)]]
    return [[tuple_(key, Application.id) < tuple_(value, first_id)]]


# -- the conditions -------------------------------------------------------------------------------------


def _conditions(user: User, scope: Scope, filters: Filters) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = [Application.submitted_at.is_not(None)]  # the indexes' predicate
    if scope.regimes is not None:
        conditions.append(Application.regime_code.in_(sorted(scope.regimes)))
    if filters.regime:
        conditions.append(Application.regime_code == filters.regime)
    if filters.state:
        conditions.append(Application.state == filters.state)
    if filters.call_id:
        conditions.append(Application.call_id == filters.call_id)
    if filters.assignee:
        conditions.append(_assigned(user, filters.assignee))
    if filters.move != EVERYONE:
        conditions.append(_whose_move(scope, filters.move))
    if filters.due:
        conditions.append(_due(filters.due))
    if filters.q:
        conditions.append(_search(filters.q))
    return conditions


def _assigned(user: User, assignee: str) -> ColumnElement[bool]:
    if assignee == UNASSIGNED:
        return Application.assignee_id.is_(None)
    if assignee == ME:
        return Application.assignee_id == user.id
    return Application.assignee_id == uuid.UUID(assignee)


def _whose_move(scope: Scope, move: str) -> ColumnElement[bool]:
    """MINE: the parties the user's roles stand for, per regime (grants differ per regime); else one party."""
    if move != MINE:
        return Application.whose_move == move
    by_parties: dict[frozenset[Party], list[str]] = {}
    for code, parties in scope.parties.items():
        if parties:
            by_parties.setdefault(parties, []).append(code)
    if not by_parties:
        return false()
    if len(by_parties) == 1:  # the same parties wherever the user works: the regime scope does the rest
        return Application.whose_move.in_(sorted(next(iter(by_parties))))
    return or_(
        *(
            and_(Application.regime_code.in_(sorted(codes)), Application.whose_move.in_(sorted(parties)))
            for parties, codes in by_parties.items()
        )
    )


def _due(due: str) -> ColumnElement[bool]:
    day = today()
    if due == OVERDUE:
        return Application.due_on < day
    return and_(Application.due_on >= day, Application.due_on <= day + timedelta(days=SOON_DAYS))


def enterprise_digits(q: str) -> str | None:
    """A KBO number in any notation (0403.170.701, BE0403170701, 403170701) as its ten digits; None otherwise."""
    if not _KBO_NOTATION.match(q.strip()):
        return None
    digits = re.sub(r"\D", "", q)
    if len(digits) == 9:
        digits = "0" + digits
    return digits if len(digits) == 10 else None


def _search(q: str) -> ColumnElement[bool]:
    """A KBO number, a reference (exact or its beginning) or part of an organisation's name."""
    digits = enterprise_digits(q)
    if digits is not None:
        organisations = select(Organisation.id).where(Organisation.enterprise_number == digits)
        return Application.organisation_id.in_(organisations)
    reference = q.strip().upper()
    if _REFERENCE_LIKE.match(reference):
        return _reference_prefix(reference)
    return _named(q.strip())


def _named(part: str) -> ColumnElement[bool]:
    """Cases of organisations whose name holds `part`: ILIKE on PostgreSQL (served by the trigram index
    ix_organisations_name_trgm), LIKE on SQLite (which ignores case). The organisations are looked up first: a
    few of them (the usual search) are named by id, so the planner reads their cases and sorts those, instead of
    walking the due-date index past a million rows looking for them; many of them (a common word) stay a
    subquery, and then the walk along the due-date index finds a page soon."""
    named = select(Organisation.id).where(Organisation.name.ilike("%" + _escape_like(part) + "%", escape="\\"))
    found = list(db.session.scalars(named.limit(NAMED_BY_ID + 1)))
    if len(found) > NAMED_BY_ID:
        return Application.organisation_id.in_(named)
    return Application.organisation_id.in_(found) if found else false()


def _reference_prefix(reference: str) -> ColumnElement[bool]:
    """References that start with `reference` (the exact one included), as a range on the unique index:
    LIKE 'x%' uses a plain index only under the C collation."""
    upper = reference[:-1] + chr(ord(reference[-1]) + 1)
    return and_(
        Application.reference >= reference,
        Application.reference < upper,
        Application.reference.like(_escape_like(reference) + "%", escape="\\"),
    )


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
