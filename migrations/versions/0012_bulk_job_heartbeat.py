"""bulk job heartbeat: when the worker last moved a bulk job on, and which claim of it is running

A job whose worker died stayed "running" forever (a redelivered task finds it claimed). The worker now stamps
`heartbeat_at` with each case and each batch of exported rows; a running job whose stamp is older than a few
minutes is marked interrupted, and may be run again from where it stopped. `attempt` counts the claims, so a
worker that was only slow and comes back finds the job claimed by another run and stops.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-02 14:20:00

"""
from alembic import op
import sqlalchemy as sa

revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('bulk_jobs', schema=None) as batch_op:
        batch_op.add_column(sa.Column('heartbeat_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('attempt', sa.Integer(), server_default='0', nullable=False))


def downgrade():
    with op.batch_alter_table('bulk_jobs', schema=None) as batch_op:
        batch_op.drop_column('attempt')
        batch_op.drop_column('heartbeat_at')
