"""call cap totals: each call's running sums of what its applications take from its cap, kept by triggers

The calls page and the case page showed cap usage as one aggregate over the applications that take something;
at a million applications that aggregate read 260,000 index entries (100 ms) on every view. The database now
keeps the sums beside the call: triggers on applications add and subtract each row's `cap_proposed` and
`cap_granted` (whatever writes them: the ORM, Core, a migration), so reading a call's usage is one row. The
partial index that served the aggregate (ix_applications_cap_usage) serves nothing now and goes.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02 14:10:00

"""
from alembic import op
import sqlalchemy as sa

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None

TAKES_FROM_CAP = sa.text("cap_proposed IS NOT NULL OR cap_granted IS NOT NULL")

BACKFILL = """
INSERT INTO call_cap_totals (call_id, proposed, granted)
SELECT calls.id, coalesce(sum(applications.cap_proposed), 0), coalesce(sum(applications.cap_granted), 0)
FROM calls LEFT JOIN applications ON applications.call_id = calls.id
GROUP BY calls.id
"""

# -- PostgreSQL: one function for every change of an application row, one for a new call --------------------

PG_FUNCTIONS = """
CREATE FUNCTION call_cap_totals_follow() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.call_id IS NOT NULL
       AND (OLD.cap_proposed IS NOT NULL OR OLD.cap_granted IS NOT NULL) THEN
        UPDATE call_cap_totals
        SET proposed = proposed - coalesce(OLD.cap_proposed, 0), granted = granted - coalesce(OLD.cap_granted, 0)
        WHERE call_id = OLD.call_id;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') AND NEW.call_id IS NOT NULL
       AND (NEW.cap_proposed IS NOT NULL OR NEW.cap_granted IS NOT NULL) THEN
        UPDATE call_cap_totals
        SET proposed = proposed + coalesce(NEW.cap_proposed, 0), granted = granted + coalesce(NEW.cap_granted, 0)
        WHERE call_id = NEW.call_id;
    END IF;
    RETURN NULL;
END $$;

CREATE FUNCTION call_cap_totals_open() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO call_cap_totals (call_id, proposed, granted) VALUES (NEW.id, 0, 0);
    RETURN NULL;
END $$;

CREATE TRIGGER call_cap_totals_follow_insert_delete AFTER INSERT OR DELETE ON applications
    FOR EACH ROW EXECUTE FUNCTION call_cap_totals_follow();
CREATE TRIGGER call_cap_totals_follow_update AFTER UPDATE OF call_id, cap_proposed, cap_granted ON applications
    FOR EACH ROW WHEN (OLD.call_id IS DISTINCT FROM NEW.call_id OR OLD.cap_proposed IS DISTINCT FROM NEW.cap_proposed
                       OR OLD.cap_granted IS DISTINCT FROM NEW.cap_granted)
    EXECUTE FUNCTION call_cap_totals_follow();
CREATE TRIGGER call_cap_totals_open AFTER INSERT ON calls FOR EACH ROW EXECUTE FUNCTION call_cap_totals_open();
"""

PG_DROP = """
DROP TRIGGER IF EXISTS call_cap_totals_open ON calls;
DROP TRIGGER IF EXISTS call_cap_totals_follow_update ON applications;
DROP TRIGGER IF EXISTS call_cap_totals_follow_insert_delete ON applications;
DROP FUNCTION IF EXISTS call_cap_totals_open();
DROP FUNCTION IF EXISTS call_cap_totals_follow();
"""

# -- SQLite: the same rules as separate triggers (no procedural language) ----------------------------------

_SUBTRACT_OLD = """UPDATE call_cap_totals
        SET proposed = proposed - coalesce(OLD.cap_proposed, 0), granted = granted - coalesce(OLD.cap_granted, 0)
        WHERE call_id = OLD.call_id AND (OLD.cap_proposed IS NOT NULL OR OLD.cap_granted IS NOT NULL);"""
_ADD_NEW = """UPDATE call_cap_totals
        SET proposed = proposed + coalesce(NEW.cap_proposed, 0), granted = granted + coalesce(NEW.cap_granted, 0)
        WHERE call_id = NEW.call_id AND (NEW.cap_proposed IS NOT NULL OR NEW.cap_granted IS NOT NULL);"""

SQLITE_TRIGGERS = [
    f"CREATE TRIGGER call_cap_totals_follow_insert AFTER INSERT ON applications BEGIN {_ADD_NEW} END",
    f"CREATE TRIGGER call_cap_totals_follow_delete AFTER DELETE ON applications BEGIN {_SUBTRACT_OLD} END",
    "CREATE TRIGGER call_cap_totals_follow_update AFTER UPDATE OF call_id, cap_proposed, cap_granted ON applications "
    "WHEN OLD.call_id IS NOT NEW.call_id OR OLD.cap_proposed IS NOT NEW.cap_proposed "
    f"OR OLD.cap_granted IS NOT NEW.cap_granted BEGIN {_SUBTRACT_OLD} {_ADD_NEW} END",
    "CREATE TRIGGER call_cap_totals_open AFTER INSERT ON calls BEGIN "
    "INSERT INTO call_cap_totals (call_id, proposed, granted) VALUES (NEW.id, 0, 0); END",
]
SQLITE_NAMES = ["call_cap_totals_follow_insert", "call_cap_totals_follow_delete", "call_cap_totals_follow_update",
                "call_cap_totals_open"]


def upgrade():
    op.create_table(
        'call_cap_totals',
        sa.Column('call_id', sa.Uuid(), nullable=False),
        sa.Column('proposed', sa.Numeric(), nullable=False, server_default='0'),
        sa.Column('granted', sa.Numeric(), nullable=False, server_default='0'),
        sa.ForeignKeyConstraint(['call_id'], ['calls.id'], name=op.f('fk_call_cap_totals_call_id_calls'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('call_id', name=op.f('pk_call_cap_totals')),
    )
    op.execute(BACKFILL)
    with op.batch_alter_table('applications', schema=None) as batch_op:
        batch_op.drop_index('ix_applications_cap_usage')
    if op.get_bind().dialect.name == 'postgresql':
        op.execute(PG_FUNCTIONS)
    else:
        for statement in SQLITE_TRIGGERS:
            op.execute(statement)


def downgrade():
    if op.get_bind().dialect.name == 'postgresql':
        op.execute(PG_DROP)
    else:
        for name in SQLITE_NAMES:
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
    op.drop_table('call_cap_totals')
    with op.batch_alter_table('applications', schema=None) as batch_op:
        batch_op.create_index('ix_applications_cap_usage', ['call_id'], unique=False,
                              postgresql_include=['cap_proposed', 'cap_granted', 'id'],
                              postgresql_where=TAKES_FROM_CAP, sqlite_where=TAKES_FROM_CAP)
