"""eligibility store

Revision ID: 0001
Revises:
Create Date: 2026-11-23 15:33:46.820784
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "claims",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("benefit", sa.String(length=40), nullable=False),
        sa.Column("subject_id", sa.String(length=18), nullable=False),
        sa.Column("amount_yuan", sa.BigInteger(), nullable=False),  # fen (Money)
        sa.Column("paid_date", sa.Date(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_claims")),
        sa.UniqueConstraint("benefit", "subject_id", "paid_date", name=op.f("uq_claims_benefit_subject_id_paid_date")),
    )
    with op.batch_alter_table("claims", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_claims_subject_id"), ["subject_id"], unique=False)

    op.create_table(
        "firms",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("credit_code", sa.String(length=18), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("region_code", sa.String(length=6), nullable=False),
        sa.Column("above_scale", sa.Boolean(), nullable=False),
        sa.Column("industrial", sa.Boolean(), nullable=False),
        sa.Column("state_owned", sa.Boolean(), nullable=False),
        sa.Column("key_project", sa.Boolean(), nullable=False),
        sa.Column("festival_production", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_firms")),
        sa.UniqueConstraint("credit_code", name=op.f("uq_firms_credit_code")),
    )
    op.create_table(
        "persons",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("id_number", sa.String(length=18), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("phone", sa.String(length=20), nullable=True),
        sa.Column("household_region_code", sa.String(length=6), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_persons")),
        sa.UniqueConstraint("id_number", name=op.f("uq_persons_id_number")),
    )
    op.create_table(
        "agency_placements",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("agency_credit_code", sa.String(length=18), nullable=False),
        sa.Column("id_number", sa.String(length=18), nullable=False),
        sa.Column("employer_credit_code", sa.String(length=18), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("insured_months", sa.Integer(), nullable=False),
        sa.Column("first_job_in_region", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["agency_credit_code"], ["firms.credit_code"], name=op.f("fk_agency_placements_agency_credit_code_firms")
        ),
        sa.ForeignKeyConstraint(
            ["employer_credit_code"],
            ["firms.credit_code"],
            name=op.f("fk_agency_placements_employer_credit_code_firms"),
        ),
        sa.ForeignKeyConstraint(
            ["id_number"], ["persons.id_number"], name=op.f("fk_agency_placements_id_number_persons")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agency_placements")),
        sa.UniqueConstraint(
            "agency_credit_code",
            "id_number",
            "employer_credit_code",
            "start_date",
            name=op.f("uq_agency_placements_agency_credit_code_id_number_employer_credit_code_start_date"),
        ),
    )
    op.create_table(
        "bus_charters",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("credit_code", sa.String(length=18), nullable=False),
        sa.Column("trip_date", sa.Date(), nullable=False),
        sa.Column("origin_province", sa.String(length=16), nullable=False),
        sa.Column("trip_seq", sa.Integer(), nullable=False),
        sa.Column("passengers", sa.Integer(), nullable=False),
        sa.Column("cost_yuan", sa.BigInteger(), nullable=False),  # fen (Money)
        sa.Column("shared_with", sa.String(length=400), nullable=True),
        sa.ForeignKeyConstraint(["credit_code"], ["firms.credit_code"], name=op.f("fk_bus_charters_credit_code_firms")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bus_charters")),
        sa.UniqueConstraint(
            "credit_code",
            "trip_date",
            "origin_province",
            "trip_seq",
            name=op.f("uq_bus_charters_credit_code_trip_date_origin_province_trip_seq"),
        ),
    )
    op.create_table(
        "festival_attendance",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("id_number", sa.String(length=18), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("stayed", sa.Boolean(), nullable=False),
        sa.Column("worked", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["id_number"], ["persons.id_number"], name=op.f("fk_festival_attendance_id_number_persons")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_festival_attendance")),
        sa.UniqueConstraint("id_number", "year", name=op.f("uq_festival_attendance_id_number_year")),
    )
    op.create_table(
        "jobs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("id_number", sa.String(length=18), nullable=False),
        sa.Column("credit_code", sa.String(length=18), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("end_date", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(["credit_code"], ["firms.credit_code"], name=op.f("fk_jobs_credit_code_firms")),
        sa.ForeignKeyConstraint(["id_number"], ["persons.id_number"], name=op.f("fk_jobs_id_number_persons")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_jobs")),
        sa.UniqueConstraint(
            "id_number", "credit_code", "role", "start_date", name=op.f("uq_jobs_id_number_credit_code_role_start_date")
        ),
    )
    with op.batch_alter_table("jobs", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_jobs_credit_code"), ["credit_code"], unique=False)

    op.create_table(
        "social_insurance_months",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("id_number", sa.String(length=18), nullable=False),
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("region_code", sa.String(length=6), nullable=False),
        sa.ForeignKeyConstraint(
            ["id_number"], ["persons.id_number"], name=op.f("fk_social_insurance_months_id_number_persons")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_social_insurance_months")),
        sa.UniqueConstraint(
            "id_number", "month", "region_code", name=op.f("uq_social_insurance_months_id_number_month_region_code")
        ),
    )


def downgrade() -> None:
    op.drop_table("social_insurance_months")
    with op.batch_alter_table("jobs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_jobs_credit_code"))

    op.drop_table("jobs")
    op.drop_table("festival_attendance")
    op.drop_table("bus_charters")
    op.drop_table("agency_placements")
    op.drop_table("persons")
    op.drop_table("firms")
    with op.batch_alter_table("claims", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_claims_subject_id"))

    op.drop_table("claims")
