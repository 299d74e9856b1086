"""calls: what each application asks for (as handed in) and what it takes from its call's cap (as a pending
granting proposal, as a recognition held), kept beside it so that a call's cap usage is one aggregate over the
rows that take something; a partial index for that aggregate, and a small one for pending proposals

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
TAKES_FROM_CAP = sa.text("cap_proposed IS NOT NULL OR cap_granted IS NOT NULL")


def _backfill():
    """Each submitted application's volumes, from its regime's data and its proposals (regimes are code: this
    runs in Python, once), by the rules services/call_usage.py keeps them with."""
    from decimal import Decimal

    from ldapply.workflows import REGIMES

    bind = op.get_bind()
    applications = sa.table(
        'applications', sa.column('id', sa.Uuid()), sa.column('regime_code', sa.String()), sa.column('state', sa.String()),
        sa.column('answers', sa.JSON()), sa.column('submitted_answers', sa.JSON()),
        sa.column('submitted_at', sa.DateTime(timezone=True)), sa.column('requested_volume', sa.Numeric()),
        sa.column('cap_proposed', sa.Numeric()), sa.column('cap_granted', sa.Numeric()),
    )
    proposals = sa.table(
        'decision_proposals', sa.column('application_id', sa.Uuid()), sa.column('status', sa.String()),
        sa.column('outcome', sa.String()), sa.column('volume', sa.Numeric()), sa.column('created_at', sa.DateTime()),
        sa.column('id', sa.Uuid()),
    )
    latest = {}
    for row in bind.execute(sa.select(proposals).order_by(proposals.c.created_at, proposals.c.id)):
        latest.setdefault(row.application_id, []).append(row)
    rows = bind.execute(sa.select(applications).where(applications.c.submitted_at.is_not(None))).all()
    for row in rows:
        regime = REGIMES.get(row.regime_code)
        if regime is None:
            continue
        answers = row.submitted_answers if row.submitted_answers is not None else row.answers
        requested = Decimal(regime.volume(answers or {})) if regime.volume else None
        granting = {o.code for o in regime.outcomes if o.grants}
        pending = confirmed = None
        for proposal in latest.get(row.id, []):
            if proposal.status == 'pending':
                pending = proposal
            elif proposal.status == 'confirmed' and proposal.outcome in granting:
                confirmed = proposal
        asked = requested if requested is not None else Decimal(0)
        proposed = granted = None
        if pending is not None and pending.outcome in granting:
            proposed = asked if pending.volume is None else pending.volume
        elif row.state in {s.code for s in regime.states if s.holds_recognition}:
            granted = asked if confirmed is None or confirmed.volume is None else confirmed.volume
        bind.execute(applications.update().where(applications.c.id == row.id).values(
            requested_volume=requested, cap_proposed=proposed, cap_granted=granted))


def upgrade():
    with op.batch_alter_table('applications', schema=None) as batch_op:
        batch_op.add_column(sa.Column('requested_volume', sa.Numeric(), nullable=True))
        batch_op.add_column(sa.Column('cap_proposed', sa.Numeric(), nullable=True))
        batch_op.add_column(sa.Column('cap_granted', sa.Numeric(), nullable=True))
        batch_op.create_index('ix_applications_cap_usage', ['call_id'], unique=False,
                              postgresql_include=['cap_proposed', 'cap_granted', 'id'],
                              postgresql_where=TAKES_FROM_CAP, sqlite_where=TAKES_FROM_CAP)
    with op.batch_alter_table('decision_proposals', schema=None) as batch_op:
        batch_op.create_index('ix_decision_proposals_pending', ['application_id', 'created_at', 'id'], unique=False,
                              postgresql_where=PENDING, sqlite_where=PENDING)
    _backfill()


def downgrade():
    with op.batch_alter_table('decision_proposals', schema=None) as batch_op:
        batch_op.drop_index('ix_decision_proposals_pending', postgresql_where=PENDING, sqlite_where=PENDING)
    with op.batch_alter_table('applications', schema=None) as batch_op:
        batch_op.drop_index('ix_applications_cap_usage', postgresql_where=TAKES_FROM_CAP, sqlite_where=TAKES_FROM_CAP)
        batch_op.drop_column('cap_granted')
        batch_op.drop_column('cap_proposed')
        batch_op.drop_column('requested_volume')
