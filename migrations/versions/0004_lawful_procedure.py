"""lawful procedure: notes apart from motivations, hearing files, signatories, verification, ledger

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01 20:00:00

"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql')


def upgrade():
    with op.batch_alter_table('application_events', schema=None) as batch_op:
        batch_op.add_column(sa.Column('note', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('grounds', JSON, nullable=True))
        batch_op.alter_column('actor_id', existing_type=sa.Uuid(), nullable=True)
    with op.batch_alter_table('condition_verdicts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reason', sa.Text(), nullable=True))
    # Until now the checklist note was what letters printed: it is the reason, and no note was internal.
    op.execute("UPDATE condition_verdicts SET reason = note, note = NULL")
    with op.batch_alter_table('decision_proposals', schema=None) as batch_op:
        batch_op.add_column(sa.Column('considerations', JSON, nullable=False, server_default='{}'))
    with op.batch_alter_table('calls', schema=None) as batch_op:
        batch_op.add_column(sa.Column('version', sa.Integer(), nullable=False, server_default='1'))
    with op.batch_alter_table('uploads', schema=None) as batch_op:
        batch_op.add_column(sa.Column('event_id', sa.Uuid(), nullable=True))
        batch_op.create_index(batch_op.f('ix_uploads_event_id'), ['event_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_uploads_event_id_application_events'), 'application_events', ['event_id'], ['id'])
    with op.batch_alter_table('letters', schema=None) as batch_op:
        batch_op.add_column(sa.Column('verification_code', sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column('replaces_id', sa.Uuid(), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_letters_verification_code'), ['verification_code'])
        batch_op.create_foreign_key(batch_op.f('fk_letters_replaces_id_letters'), 'letters', ['replaces_id'], ['id'])

    op.create_table('signatories',
    sa.Column('user_id', sa.Uuid(), nullable=False),
    sa.Column('function', sa.String(length=200), nullable=False),
    sa.Column('delegation', sa.Text(), nullable=False),
    sa.Column('provenance', sa.String(length=32), nullable=False),
    sa.Column('source', sa.Text(), nullable=False),
    sa.Column('regime_code', sa.String(length=64), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_by_id', sa.Uuid(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_signatories_created_by_id_users')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_signatories_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_signatories'))
    )
    with op.batch_alter_table('signatories', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_signatories_user_id'), ['user_id'], unique=False)

    op.create_table('legal_reliances',
    sa.Column('application_id', sa.Uuid(), nullable=False),
    sa.Column('event_id', sa.Uuid(), nullable=False),
    sa.Column('regime_code', sa.String(length=64), nullable=False),
    sa.Column('regime_version', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('provenance', sa.String(length=32), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['application_id'], ['applications.id'], name=op.f('fk_legal_reliances_application_id_applications'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['event_id'], ['application_events.id'], name=op.f('fk_legal_reliances_event_id_application_events'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_legal_reliances'))
    )
    with op.batch_alter_table('legal_reliances', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_legal_reliances_application_id'), ['application_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_legal_reliances_name'), ['name'], unique=False)


def downgrade():
    op.drop_table('legal_reliances')
    op.drop_table('signatories')
    with op.batch_alter_table('letters', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_letters_replaces_id_letters'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('uq_letters_verification_code'), type_='unique')
        batch_op.drop_column('replaces_id')
        batch_op.drop_column('verification_code')
    with op.batch_alter_table('uploads', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_uploads_event_id_application_events'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_uploads_event_id'))
        batch_op.drop_column('event_id')
    with op.batch_alter_table('calls', schema=None) as batch_op:
        batch_op.drop_column('version')
    with op.batch_alter_table('decision_proposals', schema=None) as batch_op:
        batch_op.drop_column('considerations')
    op.execute("UPDATE condition_verdicts SET note = reason WHERE note IS NULL")
    with op.batch_alter_table('condition_verdicts', schema=None) as batch_op:
        batch_op.drop_column('reason')
    with op.batch_alter_table('application_events', schema=None) as batch_op:
        batch_op.alter_column('actor_id', existing_type=sa.Uuid(), nullable=False)
        batch_op.drop_column('grounds')
        batch_op.drop_column('note')
