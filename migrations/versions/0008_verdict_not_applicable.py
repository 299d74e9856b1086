"""verdicts: "not applicable" as a third verdict beside met and not met (existing verdicts keep theirs); a
version per verdict, so a checklist saved from a stale page is refused instead of overwriting a colleague's
verdict; and the index a case's audit trail page reads by (application_id, seq), in place of the one on
application_id alone (the new one serves those lookups too)

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02 13:50:00

"""
from alembic import op
import sqlalchemy as sa

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None

VERDICTS = "verdict IN ('met', 'not_met', 'not_applicable')"


def upgrade():
    with op.batch_alter_table('condition_verdicts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('verdict', sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column('version', sa.Integer(), server_default='1', nullable=False))
    op.execute("UPDATE condition_verdicts SET verdict = CASE WHEN met THEN 'met' ELSE 'not_met' END")
    with op.batch_alter_table('condition_verdicts', schema=None) as batch_op:
        batch_op.alter_column('verdict', existing_type=sa.String(length=16), nullable=False)
        batch_op.drop_column('met')
        batch_op.create_check_constraint(op.f('ck_condition_verdicts_verdict'), sa.text(VERDICTS))
    # Plain index operations: a batch copy of audit_entries would drop its append-only triggers on SQLite.
    op.create_index('ix_audit_entries_application_id_seq', 'audit_entries', ['application_id', 'seq'], unique=False)
    op.drop_index(op.f('ix_audit_entries_application_id'), table_name='audit_entries')


def downgrade():
    bind = op.get_bind()
    if bind.execute(sa.text("SELECT count(*) FROM condition_verdicts WHERE verdict = 'not_applicable'")).scalar():
        # Met or not met would both be false: "met" would print it as met, "not met" would found a refusal.
        raise RuntimeError("condition_verdicts holds 'not applicable' verdicts, which revision 0007 cannot express")
    op.create_index(op.f('ix_audit_entries_application_id'), 'audit_entries', ['application_id'], unique=False)
    op.drop_index('ix_audit_entries_application_id_seq', table_name='audit_entries')
    with op.batch_alter_table('condition_verdicts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('met', sa.Boolean(), nullable=True))
    op.execute("UPDATE condition_verdicts SET met = (verdict = 'met')")
    with op.batch_alter_table('condition_verdicts', schema=None) as batch_op:
        batch_op.alter_column('met', existing_type=sa.Boolean(), nullable=False)
        batch_op.drop_constraint(op.f('ck_condition_verdicts_verdict'), type_='check')
        batch_op.drop_column('version')
        batch_op.drop_column('verdict')
