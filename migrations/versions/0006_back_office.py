"""back office: roles per regime, advisory bodies and their advice, closing days, the legal clocks and
the due date, assignment, holds, notes, conflict-of-interest declarations, item-level information
requests, reminders, bulk jobs, linked objection cases, the queue's indexes, and the append-only audit
chain (triggers refuse UPDATE and DELETE on its rows)

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02 03:14:56

"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql')
GENESIS = '0' * 64  # the hash before the first audit entry

# Append-only: an UPDATE or DELETE of an audit row fails for every role, the application's included.
# (TRUNCATE is a table privilege: production revokes it from the application's role, see docs/operations.md.)
PG_GUARD = """
CREATE OR REPLACE FUNCTION audit_entries_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'audit_entries is append-only: % refused', TG_OP;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER audit_entries_append_only BEFORE UPDATE OR DELETE ON audit_entries
    FOR EACH ROW EXECUTE FUNCTION audit_entries_append_only();
"""
SQLITE_GUARDS = (
    "CREATE TRIGGER audit_entries_no_update BEFORE UPDATE ON audit_entries "
    "BEGIN SELECT RAISE(ABORT, 'audit_entries is append-only: UPDATE refused'); END",
    "CREATE TRIGGER audit_entries_no_delete BEFORE DELETE ON audit_entries "
    "BEGIN SELECT RAISE(ABORT, 'audit_entries is append-only: DELETE refused'); END",
)


def _whose_move_backfill():
    """Each application's whose-move, from its regime's state table (regimes are data in ldapply)."""
    from ldapply.workflows import all_versions

    seen = set()
    for regime in all_versions():
        for state in regime.states:
            key = (regime.code, state.code)
            if key in seen:
                continue
            seen.add(key)
            op.execute(
                sa.text("UPDATE applications SET whose_move = :party WHERE regime_code = :regime AND state = :state")
                .bindparams(party=str(state.whose_move), regime=regime.code, state=state.code)
            )


def upgrade():
    if op.get_bind().dialect.name == 'postgresql':
        op.execute('CREATE EXTENSION IF NOT EXISTS pg_trgm')
    op.create_table('advisory_bodies',
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('regime_code', sa.String(length=64), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_advisory_bodies')),
    sa.UniqueConstraint('name', name=op.f('uq_advisory_bodies_name'))
    )
    op.create_table('audit_entries',
    sa.Column('seq', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('actor_id', sa.Uuid(), nullable=True),
    sa.Column('actor_name', sa.String(length=200), nullable=True),
    sa.Column('request_id', sa.String(length=64), nullable=True),
    sa.Column('action', sa.String(length=64), nullable=False),
    sa.Column('object_type', sa.String(length=32), nullable=False),
    sa.Column('object_id', sa.String(length=64), nullable=True),
    sa.Column('application_id', sa.Uuid(), nullable=True),
    sa.Column('old', JSON, nullable=True),
    sa.Column('new', JSON, nullable=True),
    sa.Column('prev_hash', sa.String(length=64), nullable=False),
    sa.Column('hash', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('seq', name=op.f('pk_audit_entries'))
    )
    with op.batch_alter_table('audit_entries', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_entries_application_id'), ['application_id'], unique=False)

    op.create_table('audit_head',
    sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('seq', sa.BigInteger(), nullable=False),
    sa.Column('hash', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_head'))
    )
    op.create_table('bulk_jobs',
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('created_by_id', sa.Uuid(), nullable=False),
    sa.Column('application_ids', JSON, nullable=False),
    sa.Column('options', JSON, nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('done', sa.Integer(), nullable=False),
    sa.Column('failed', sa.Integer(), nullable=False),
    sa.Column('result_key', sa.String(length=255), nullable=True),
    sa.Column('error', sa.Text(), nullable=True),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_bulk_jobs_created_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_bulk_jobs'))
    )
    op.create_table('closing_days',
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('label', sa.String(length=200), nullable=False),
    sa.Column('created_by_id', sa.Uuid(), nullable=True),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_closing_days_created_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_closing_days')),
    sa.UniqueConstraint('day', name=op.f('uq_closing_days_day'))
    )
    op.create_table('advice_requests',
    sa.Column('application_id', sa.Uuid(), nullable=False),
    sa.Column('advisory_body_id', sa.Uuid(), nullable=False),
    sa.Column('requested_by_id', sa.Uuid(), nullable=False),
    sa.Column('question', sa.Text(), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=True),
    sa.Column('advice', sa.Text(), nullable=True),
    sa.Column('advised_by_id', sa.Uuid(), nullable=True),
    sa.Column('advised_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['advised_by_id'], ['users.id'], name=op.f('fk_advice_requests_advised_by_id_users')),
    sa.ForeignKeyConstraint(['advisory_body_id'], ['advisory_bodies.id'], name=op.f('fk_advice_requests_advisory_body_id_advisory_bodies')),
    sa.ForeignKeyConstraint(['application_id'], ['applications.id'], name=op.f('fk_advice_requests_application_id_applications'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['requested_by_id'], ['users.id'], name=op.f('fk_advice_requests_requested_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_advice_requests'))
    )
    with op.batch_alter_table('advice_requests', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_advice_requests_advisory_body_id'), ['advisory_body_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_advice_requests_application_id'), ['application_id'], unique=False)

    op.create_table('case_notes',
    sa.Column('application_id', sa.Uuid(), nullable=False),
    sa.Column('author_id', sa.Uuid(), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['application_id'], ['applications.id'], name=op.f('fk_case_notes_application_id_applications'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_case_notes_author_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_case_notes'))
    )
    with op.batch_alter_table('case_notes', schema=None) as batch_op:
        batch_op.create_index('ix_case_notes_application', ['application_id', 'created_at'], unique=False)

    op.create_table('conflict_declarations',
    sa.Column('user_id', sa.Uuid(), nullable=False),
    sa.Column('application_id', sa.Uuid(), nullable=False),
    sa.Column('organisation_id', sa.Uuid(), nullable=False),
    sa.Column('recused', sa.Boolean(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['application_id'], ['applications.id'], name=op.f('fk_conflict_declarations_application_id_applications'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_conflict_declarations_organisation_id_organisations')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_conflict_declarations_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_conflict_declarations')),
    sa.UniqueConstraint('user_id', 'application_id', name=op.f('uq_conflict_declarations_user_id'))
    )
    with op.batch_alter_table('conflict_declarations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_conflict_declarations_application_id'), ['application_id'], unique=False)

    op.create_table('reminders',
    sa.Column('application_id', sa.Uuid(), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('about', sa.Date(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['application_id'], ['applications.id'], name=op.f('fk_reminders_application_id_applications'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reminders')),
    sa.UniqueConstraint('application_id', 'kind', 'about', name=op.f('uq_reminders_application_id'))
    )
    op.create_table('information_request_items',
    sa.Column('application_id', sa.Uuid(), nullable=False),
    sa.Column('event_id', sa.Uuid(), nullable=False),
    sa.Column('item', sa.String(length=128), nullable=False),
    sa.Column('message', sa.Text(), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=True),
    sa.Column('answered_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['application_id'], ['applications.id'], name=op.f('fk_information_request_items_application_id_applications'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['event_id'], ['application_events.id'], name=op.f('fk_information_request_items_event_id_application_events'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_information_request_items'))
    )
    with op.batch_alter_table('information_request_items', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_information_request_items_application_id'), ['application_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_information_request_items_event_id'), ['event_id'], unique=False)

    with op.batch_alter_table('application_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_application_events_application_id'))
        batch_op.create_index('ix_application_events_timeline', ['application_id', 'created_at', 'id'], unique=False)

    with op.batch_alter_table('applications', schema=None) as batch_op:
        batch_op.add_column(sa.Column('whose_move', sa.String(length=16), server_default='applicant', nullable=False))
        batch_op.add_column(sa.Column('assignee_id', sa.Uuid(), nullable=True))
        batch_op.add_column(sa.Column('clocks', JSON, nullable=False, server_default='{}'))
        batch_op.add_column(sa.Column('due_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('held_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('held_by_id', sa.Uuid(), nullable=True))
        batch_op.add_column(sa.Column('hold_reason', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('objection_of_id', sa.Uuid(), nullable=True))
        batch_op.add_column(sa.Column('recognition_ends_on', sa.Date(), nullable=True))
        batch_op.create_index(batch_op.f('ix_applications_objection_of_id'), ['objection_of_id'], unique=False)
        batch_op.create_index('ix_applications_queue_assignee_due', ['assignee_id', 'due_on', 'id'], unique=False, postgresql_where=sa.text('submitted_at IS NOT NULL'), sqlite_where=sa.text('submitted_at IS NOT NULL'))
        batch_op.create_index('ix_applications_queue_call_due', ['call_id', 'due_on', 'id'], unique=False, postgresql_where=sa.text('submitted_at IS NOT NULL'), sqlite_where=sa.text('submitted_at IS NOT NULL'))
        batch_op.create_index('ix_applications_queue_due', ['due_on', 'id'], unique=False, postgresql_where=sa.text('submitted_at IS NOT NULL'), sqlite_where=sa.text('submitted_at IS NOT NULL'))
        batch_op.create_index('ix_applications_queue_move_due', ['whose_move', 'due_on', 'id'], unique=False, postgresql_where=sa.text('submitted_at IS NOT NULL'), sqlite_where=sa.text('submitted_at IS NOT NULL'))
        batch_op.create_index('ix_applications_queue_regime_due', ['regime_code', 'due_on', 'id'], unique=False, postgresql_where=sa.text('submitted_at IS NOT NULL'), sqlite_where=sa.text('submitted_at IS NOT NULL'))
        batch_op.create_index('ix_applications_queue_state_due', ['state', 'due_on', 'id'], unique=False, postgresql_where=sa.text('submitted_at IS NOT NULL'), sqlite_where=sa.text('submitted_at IS NOT NULL'))
        batch_op.create_index('ix_applications_queue_submitted', ['submitted_at', 'id'], unique=False, postgresql_where=sa.text('submitted_at IS NOT NULL'), sqlite_where=sa.text('submitted_at IS NOT NULL'))
        batch_op.create_index(batch_op.f('ix_applications_recognition_ends_on'), ['recognition_ends_on'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_applications_objection_of_id_applications'), 'applications', ['objection_of_id'], ['id'])
        batch_op.create_foreign_key(batch_op.f('fk_applications_assignee_id_users'), 'users', ['assignee_id'], ['id'])
        batch_op.create_foreign_key(batch_op.f('fk_applications_held_by_id_users'), 'users', ['held_by_id'], ['id'])

    with op.batch_alter_table('organisations', schema=None) as batch_op:
        batch_op.create_index('ix_organisations_name_trgm', ['name'], unique=False, postgresql_using='gin', postgresql_ops={'name': 'gin_trgm_ops'})

    with op.batch_alter_table('role_grants', schema=None) as batch_op:
        batch_op.add_column(sa.Column('regime_code', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('advisory_body_id', sa.Uuid(), nullable=True))
        batch_op.drop_constraint(batch_op.f('uq_role_grants_user_id'), type_='unique')
        batch_op.create_unique_constraint(batch_op.f('uq_role_grants_user_id'), ['user_id', 'role', 'regime_code'])
        batch_op.create_index(batch_op.f('ix_role_grants_advisory_body_id'), ['advisory_body_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_role_grants_advisory_body_id_advisory_bodies'), 'advisory_bodies', ['advisory_body_id'], ['id'])

    _whose_move_backfill()
    op.execute(sa.text("INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, :genesis)").bindparams(genesis=GENESIS))
    if op.get_bind().dialect.name == 'postgresql':
        op.execute(PG_GUARD)
    else:
        for statement in SQLITE_GUARDS:
            op.execute(statement)


def downgrade():
    if op.get_bind().dialect.name == 'postgresql':
        op.execute('DROP TRIGGER IF EXISTS audit_entries_append_only ON audit_entries')
        op.execute('DROP FUNCTION IF EXISTS audit_entries_append_only()')
    else:
        op.execute('DROP TRIGGER IF EXISTS audit_entries_no_update')
        op.execute('DROP TRIGGER IF EXISTS audit_entries_no_delete')
    with op.batch_alter_table('role_grants', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_role_grants_advisory_body_id_advisory_bodies'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_role_grants_advisory_body_id'))
        batch_op.drop_constraint(batch_op.f('uq_role_grants_user_id'), type_='unique')
        batch_op.create_unique_constraint(batch_op.f('uq_role_grants_user_id'), ['user_id', 'role'])
        batch_op.drop_column('advisory_body_id')
        batch_op.drop_column('regime_code')

    with op.batch_alter_table('organisations', schema=None) as batch_op:
        batch_op.drop_index('ix_organisations_name_trgm', postgresql_using='gin', postgresql_ops={'name': 'gin_trgm_ops'})

    with op.batch_alter_table('applications', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_applications_held_by_id_users'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_applications_assignee_id_users'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_applications_objection_of_id_applications'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_applications_recognition_ends_on'))
        batch_op.drop_index('ix_applications_queue_submitted', postgresql_where=sa.text('submitted_at IS NOT NULL'), sqlite_where=sa.text('submitted_at IS NOT NULL'))
        batch_op.drop_index('ix_applications_queue_state_due', postgresql_where=sa.text('submitted_at IS NOT NULL'), sqlite_where=sa.text('submitted_at IS NOT NULL'))
        batch_op.drop_index('ix_applications_queue_regime_due', postgresql_where=sa.text('submitted_at IS NOT NULL'), sqlite_where=sa.text('submitted_at IS NOT NULL'))
        batch_op.drop_index('ix_applications_queue_move_due', postgresql_where=sa.text('submitted_at IS NOT NULL'), sqlite_where=sa.text('submitted_at IS NOT NULL'))
        batch_op.drop_index('ix_applications_queue_due', postgresql_where=sa.text('submitted_at IS NOT NULL'), sqlite_where=sa.text('submitted_at IS NOT NULL'))
        batch_op.drop_index('ix_applications_queue_call_due', postgresql_where=sa.text('submitted_at IS NOT NULL'), sqlite_where=sa.text('submitted_at IS NOT NULL'))
        batch_op.drop_index('ix_applications_queue_assignee_due', postgresql_where=sa.text('submitted_at IS NOT NULL'), sqlite_where=sa.text('submitted_at IS NOT NULL'))
        batch_op.drop_index(batch_op.f('ix_applications_objection_of_id'))
        batch_op.drop_column('recognition_ends_on')
        batch_op.drop_column('objection_of_id')
        batch_op.drop_column('hold_reason')
        batch_op.drop_column('held_by_id')
        batch_op.drop_column('held_at')
        batch_op.drop_column('due_on')
        batch_op.drop_column('clocks')
        batch_op.drop_column('assignee_id')
        batch_op.drop_column('whose_move')

    with op.batch_alter_table('application_events', schema=None) as batch_op:
        batch_op.drop_index('ix_application_events_timeline')
        batch_op.create_index(batch_op.f('ix_application_events_application_id'), ['application_id'], unique=False)

    with op.batch_alter_table('information_request_items', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_information_request_items_event_id'))
        batch_op.drop_index(batch_op.f('ix_information_request_items_application_id'))

    op.drop_table('information_request_items')
    op.drop_table('reminders')
    with op.batch_alter_table('conflict_declarations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_conflict_declarations_application_id'))

    op.drop_table('conflict_declarations')
    with op.batch_alter_table('case_notes', schema=None) as batch_op:
        batch_op.drop_index('ix_case_notes_application')

    op.drop_table('case_notes')
    with op.batch_alter_table('advice_requests', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_advice_requests_application_id'))
        batch_op.drop_index(batch_op.f('ix_advice_requests_advisory_body_id'))

    op.drop_table('advice_requests')
    op.drop_table('closing_days')
    op.drop_table('bulk_jobs')
    op.drop_table('audit_head')
    with op.batch_alter_table('audit_entries', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_entries_application_id'))

    op.drop_table('audit_entries')
    op.drop_table('advisory_bodies')
