"""parameter values: an admin sets a new value for a regime version's parameter, with a reason (and, for a
value that is law, the legal source of its change); the rows are the history, the highest revision is in
effect for applications submitted from then on

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02 14:00:00

"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql')


def upgrade():
    op.create_table('parameter_changes',
    sa.Column('regime_code', sa.String(length=64), nullable=False),
    sa.Column('regime_version', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('revision', sa.Integer(), nullable=False),
    sa.Column('value', JSON, nullable=False),
    sa.Column('old_value', JSON, nullable=True),
    sa.Column('provenance', sa.String(length=32), nullable=False),
    sa.Column('legal_source', sa.Text(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('set_by_id', sa.Uuid(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['set_by_id'], ['users.id'], name=op.f('fk_parameter_changes_set_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_parameter_changes')),
    sa.UniqueConstraint('regime_code', 'regime_version', 'name', 'revision', name=op.f('uq_parameter_changes_regime_code'))
    )


def downgrade():
    op.drop_table('parameter_changes')
