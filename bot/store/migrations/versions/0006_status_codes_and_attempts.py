"""status codes and attempts: the 查询码 hash of a ticket, wrong status checks counted in the
store, random ticket numbers (the per-day counter table goes)

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-03 21:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("tickets", schema=None) as batch_op:
        batch_op.add_column(sa.Column("access_code_hash", sa.String(length=200), nullable=True))

    op.create_table(
        "status_attempts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ticket_number", sa.String(length=20), nullable=False),
        sa.Column("sender_key", sa.String(length=64), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("ok", sa.Boolean(), nullable=False),
        sa.Column("cleared", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_status_attempts")),
    )
    with op.batch_alter_table("status_attempts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_status_attempts_ticket_number_at"), ["ticket_number", "at"], unique=False)
        batch_op.create_index(batch_op.f("ix_status_attempts_sender_key_at"), ["sender_key", "at"], unique=False)

    # Numbers are now drawn at random among the unused ones of the day (bot/complaints/service.py).
    op.drop_table("ticket_counters")


def downgrade() -> None:
    op.create_table(
        "ticket_counters",
        sa.Column("prefix_day", sa.String(length=16), nullable=False),
        sa.Column("last", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("prefix_day", name=op.f("pk_ticket_counters")),
    )
    # The counters go on after the highest number of each day, so no number is handed out twice.
    op.execute(
        "INSERT INTO ticket_counters (prefix_day, last) "
        "SELECT substr(number, 1, 11), max(CAST(substr(number, 13, 4) AS INTEGER)) FROM tickets "
        "GROUP BY substr(number, 1, 11)"
    )
    with op.batch_alter_table("status_attempts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_status_attempts_sender_key_at"))
        batch_op.drop_index(batch_op.f("ix_status_attempts_ticket_number_at"))

    op.drop_table("status_attempts")
    # ALTER TABLE … DROP COLUMN (SQLite ≥ 3.35): recreating `tickets` would break ticket_events' foreign key
    with op.batch_alter_table("tickets", schema=None, recreate="never") as batch_op:
        batch_op.drop_column("access_code_hash")
