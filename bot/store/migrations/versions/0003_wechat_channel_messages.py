"""wechat channel messages

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23 17:52:36.100520
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "channel_messages",
        sa.Column("key", sa.String(length=160), nullable=False),
        sa.Column("status", sa.String(length=8), nullable=False),
        sa.Column("reply", sa.String(length=20000), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_channel_messages")),
    )


def downgrade() -> None:
    op.drop_table("channel_messages")
