"""calls: the volume each application asks for, as handed in, kept beside its answers so that a call's
cap usage is one aggregate query; a small partial index finds pending decision proposals

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02 04:00:00

"""
from alembic import op
import sqlalchemy as sa

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None

PENDING = sa.text("status = 'pending'")


def _backfill():
    """Each submitted application's requested volume, from its regime's own volume function (regimes are
    code, so this runs in Python, once)."""
    from decimal import Decimal

    from ldapply.workflows import REGIMES

    bind = op.get_bind()
    applications = sa.table(
        'applications', sa.column('id', sa.Uuid()), sa.column('regime_code', sa.String()),
        sa.column('answers', sa.JSON()), sa.column('submitted_answers', sa.JSON()),
        sa.column('submitted_at', sa.DateTime(timezone=True)), sa.column('requested_volume', sa.Numeric()),
    )
    rows = bind.execute(sa.select(applications.c.id, applications.c.regime_code, applications.c.answers,
                                  applications.c.submitted_answers, applications.c.submitted_at)).all()
    for row in rows:
        regime = REGIMES.get(row.regime_code)
        if regime is None or regime.volume is None:
            continue
        answers = row.submitted_answers if row.submitted_at is not None and row.submitted_answers is not None else row.answers
        volume = regime.volume(answers or {})
        bind.execute(applications.update().where(applications.c.id == row.id).values(requested_volume=Decimal(volume)))


def upgrade():
    with op.batch_alter_table('applications', schema=None) as batch_op:
        batch_op.add_column(sa.Column('requested_volume', sa.Numeric(), nullable=True))
    with op.batch_alter_table('decision_proposals', schema=None) as batch_op:
        batch_op.create_index('ix_decision_proposals_pending', ['application_id', 'created_at', 'id'], unique=False,
                              postgresql_where=PENDING, sqlite_where=PENDING)
    _backfill()


def downgrade():
    with op.batch_alter_table('decision_proposals', schema=None) as batch_op:
        batch_op.drop_index('ix_decision_proposals_pending', postgresql_where=PENDING, sqlite_where=PENDING)
    with op.batch_alter_table('applications', schema=None) as batch_op:
        batch_op.drop_column('requested_volume')
