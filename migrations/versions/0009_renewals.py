"""renewals: an application may be the renewal of a recognised application (renewal_of_id), as an objection
is linked to the case it contests

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02 13:55:00

"""
from alembic import op
import sqlalchemy as sa

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('applications', schema=None) as batch_op:
        batch_op.add_column(sa.Column('renewal_of_id', sa.Uuid(), nullable=True))
        batch_op.create_index(batch_op.f('ix_applications_renewal_of_id'), ['renewal_of_id'], unique=False)
        batch_op.create_foreign_key(
            batch_op.f('fk_applications_renewal_of_id_applications'), 'applications', ['renewal_of_id'], ['id']
        )


def downgrade():
    with op.batch_alter_table('applications', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_applications_renewal_of_id_applications'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_applications_renewal_of_id'))
        batch_op.drop_column('renewal_of_id')
