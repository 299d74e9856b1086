"""applicant journey: confirmed e-mail, organisation details and roles, invitations, join requests,
the mail outbox, named drafts, ready for signature, who changed each step, item-level additions,
staged uploads and the answers of each submission and hand-in

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01 22:30:00

"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql')


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('email_confirmed_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('locale', sa.String(length=8), nullable=True))
    # Accounts made before sign-up existed were made by an administrator: their address counts as confirmed.
    op.execute("UPDATE users SET email_confirmed_at = created_at")
    with op.batch_alter_table('organisations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('legal_form', sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column('street', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('postcode', sa.String(length=4), nullable=True))
        batch_op.add_column(sa.Column('municipality', sa.String(length=100), nullable=True))
    with op.batch_alter_table('memberships', schema=None) as batch_op:
        batch_op.add_column(sa.Column('is_admin', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column('is_signatory', sa.Boolean(), nullable=False, server_default=sa.false()))
    # Until now every member could do everything: keep it so for the members there are.
    op.execute("UPDATE memberships SET is_admin = true, is_signatory = true")
    with op.batch_alter_table('applications', schema=None) as batch_op:
        batch_op.add_column(sa.Column('name', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('step_changes', JSON, nullable=False, server_default='{}'))
        batch_op.add_column(sa.Column('ready_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('ready_by_id', sa.Uuid(), nullable=True))
        batch_op.add_column(sa.Column('unlocked', JSON, nullable=True))
        batch_op.add_column(sa.Column('submitted_answers', JSON, nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_applications_ready_by_id_users'), 'users', ['ready_by_id'], ['id'])
    # What applications submitted before this revision handed in is what they hold now.
    op.execute("UPDATE applications SET submitted_answers = answers WHERE submitted_at IS NOT NULL")
    with op.batch_alter_table('application_events', schema=None) as batch_op:
        batch_op.add_column(sa.Column('items', JSON, nullable=True))
        batch_op.add_column(sa.Column('answers', JSON, nullable=True))
    # A file chosen on a step and not saved yet; the files there are now are in answers or came with moves.
    with op.batch_alter_table('uploads', schema=None) as batch_op:
        batch_op.add_column(sa.Column('staged', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.create_index(batch_op.f('ix_uploads_staged'), ['staged'], unique=False)
    with op.batch_alter_table('letters', schema=None) as batch_op:
        batch_op.add_column(sa.Column('opened_at', sa.DateTime(timezone=True), nullable=True))

    op.create_table('invitations',
    sa.Column('organisation_id', sa.Uuid(), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('invited_by_id', sa.Uuid(), nullable=False),
    sa.Column('accepted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('accepted_by_id', sa.Uuid(), nullable=True),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_invitations_organisation_id_organisations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['invited_by_id'], ['users.id'], name=op.f('fk_invitations_invited_by_id_users')),
    sa.ForeignKeyConstraint(['accepted_by_id'], ['users.id'], name=op.f('fk_invitations_accepted_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_invitations'))
    )
    with op.batch_alter_table('invitations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_invitations_organisation_id'), ['organisation_id'], unique=False)

    op.create_table('join_requests',
    sa.Column('organisation_id', sa.Uuid(), nullable=False),
    sa.Column('user_id', sa.Uuid(), nullable=False),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('decided_by_id', sa.Uuid(), nullable=True),
    sa.Column('accepted', sa.Boolean(), nullable=True),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_join_requests_organisation_id_organisations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_join_requests_user_id_users'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'], name=op.f('fk_join_requests_decided_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_join_requests'))
    )
    with op.batch_alter_table('join_requests', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_join_requests_organisation_id'), ['organisation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_join_requests_user_id'), ['user_id'], unique=False)

    op.create_table('mails',
    sa.Column('recipient', sa.String(length=254), nullable=False),
    sa.Column('subject', sa.String(length=300), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('error', sa.Text(), nullable=True),
    sa.Column('claimed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_mails'))
    )
    with op.batch_alter_table('mails', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_mails_status'), ['status'], unique=False)


def downgrade():
    op.drop_table('mails')
    op.drop_table('join_requests')
    op.drop_table('invitations')
    with op.batch_alter_table('letters', schema=None) as batch_op:
        batch_op.drop_column('opened_at')
    with op.batch_alter_table('uploads', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_uploads_staged'))
        batch_op.drop_column('staged')
    with op.batch_alter_table('application_events', schema=None) as batch_op:
        batch_op.drop_column('answers')
        batch_op.drop_column('items')
    with op.batch_alter_table('applications', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_applications_ready_by_id_users'), type_='foreignkey')
        for column in ('submitted_answers', 'unlocked', 'ready_by_id', 'ready_at', 'step_changes', 'name'):
            batch_op.drop_column(column)
    with op.batch_alter_table('memberships', schema=None) as batch_op:
        batch_op.drop_column('is_signatory')
        batch_op.drop_column('is_admin')
    with op.batch_alter_table('organisations', schema=None) as batch_op:
        for column in ('municipality', 'postcode', 'street', 'legal_form'):
            batch_op.drop_column(column)
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('locale')
        batch_op.drop_column('email_confirmed_at')
