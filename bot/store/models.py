"""Tables of the eligibility store. Natural keys (ID number, credit code) are what the bureau's
CSV files use, so they are the foreign keys too; unique constraints make re-imports idempotent.
"""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import declarative_base
from sqlalchemy.types import TypeDecorator

# Stable constraint names, so migrations are the same on SQLite and PostgreSQL.
NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
Base = declarative_base(metadata=MetaData(naming_convention=NAMING))


class Money(TypeDecorator):
    """Yuan as a Decimal in Python, whole fen (cents) as an integer in the database: exact on
    SQLite and PostgreSQL alike."""

    impl = BigInteger
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        return int((Decimal(str(value)) * 100).to_integral_value())

    def process_result_value(self, value, dialect):
        return None if value is None else (Decimal(value) / 100).quantize(Decimal("0.01"))


ID_NUMBER = String(18)
CREDIT_CODE = String(18)
REGION_CODE = String(6)


class Person(Base):
    __tablename__ = "persons"
    id = Column(Integer, primary_key=True)
    id_number = Column(ID_NUMBER, nullable=False, unique=True)
    name = Column(String(64), nullable=False)
    phone = Column(String(20))
    household_region_code = Column(REGION_CODE, nullable=False)


class Firm(Base):
    __tablename__ = "firms"
    id = Column(Integer, primary_key=True)
    credit_code = Column(CREDIT_CODE, nullable=False, unique=True)
    name = Column(String(200), nullable=False)
    region_code = Column(REGION_CODE, nullable=False)
    above_scale = Column(Boolean, nullable=False)
    industrial = Column(Boolean, nullable=False)
    state_owned = Column(Boolean, nullable=False)  # state-owned or state-controlled
    key_project = Column(Boolean, nullable=False)  # 重大项目/重大工程
    festival_production = Column(Boolean, nullable=False)  # kept producing through the 2023 festival


class Job(Base):
    __tablename__ = "jobs"
    __table_args__ = (UniqueConstraint("id_number", "credit_code", "role", "start_date"), Index(None, "credit_code"))
    id = Column(Integer, primary_key=True)
    id_number = Column(ID_NUMBER, ForeignKey("persons.id_number"), nullable=False)
    credit_code = Column(CREDIT_CODE, ForeignKey("firms.credit_code"), nullable=False)
    role = Column(String(16), nullable=False)  # frontline | courier | food_delivery | other
    start_date = Column(Date, nullable=False)
    end_date = Column(Date)  # None: the job is current


class SocialInsuranceMonth(Base):
    __tablename__ = "social_insurance_months"
    __table_args__ = (UniqueConstraint("id_number", "month", "region_code"),)
    id = Column(Integer, primary_key=True)
    id_number = Column(ID_NUMBER, ForeignKey("persons.id_number"), nullable=False)
    month = Column(String(7), nullable=False)  # YYYY-MM
    region_code = Column(REGION_CODE, nullable=False)


class FestivalAttendance(Base):
    __tablename__ = "festival_attendance"
    __table_args__ = (UniqueConstraint("id_number", "year"),)
    id = Column(Integer, primary_key=True)
    id_number = Column(ID_NUMBER, ForeignKey("persons.id_number"), nullable=False)
    year = Column(Integer, nullable=False)
    stayed = Column(Boolean, nullable=False)  # stayed in the region over the festival
    worked = Column(Boolean, nullable=False)  # kept working through the festival


class BusCharter(Base):
    __tablename__ = "bus_charters"
    # trip_seq numbers the buses a firm chartered from one province on one day (1, 2, …) in
    # file order, so two identical buses stay two rows and a re-import changes nothing.
    __table_args__ = (UniqueConstraint("credit_code", "trip_date", "origin_province", "trip_seq"),)
    id = Column(Integer, primary_key=True)
    credit_code = Column(CREDIT_CODE, ForeignKey("firms.credit_code"), nullable=False)
    trip_date = Column(Date, nullable=False)
    origin_province = Column(String(16), nullable=False)  # canonical short name: 贵州
    trip_seq = Column(Integer, nullable=False, default=1)
    passengers = Column(Integer, nullable=False)
    cost_yuan = Column(Money, nullable=False)  # what this firm paid
    shared_with = Column(String(400))  # credit codes of co-renters (合租), ";"-separated


class AgencyPlacement(Base):
    __tablename__ = "agency_placements"
    __table_args__ = (UniqueConstraint("agency_credit_code", "id_number", "employer_credit_code", "start_date"),)
    id = Column(Integer, primary_key=True)
    agency_credit_code = Column(CREDIT_CODE, ForeignKey("firms.credit_code"), nullable=False)
    id_number = Column(ID_NUMBER, ForeignKey("persons.id_number"), nullable=False)
    employer_credit_code = Column(CREDIT_CODE, ForeignKey("firms.credit_code"), nullable=False)
    start_date = Column(Date, nullable=False)
    insured_months = Column(Integer, nullable=False)
    first_job_in_region = Column(Boolean, nullable=False)


class Claim(Base):
    __tablename__ = "claims"
    __table_args__ = (UniqueConstraint("benefit", "subject_id", "paid_date"), Index(None, "subject_id"))
    id = Column(Integer, primary_key=True)
    benefit = Column(String(40), nullable=False)
    subject_id = Column(String(18), nullable=False)  # ID number or credit code
    amount_yuan = Column(Money, nullable=False)
    paid_date = Column(Date, nullable=False)


# ---- complaints and callbacks (bot/complaints) ------------------------------------------------


class Ticket(Base):
    """A wage-arrears complaint (kind "complaint", number QX-…) or a callback request (kind
    "callback", number HD-…). One queue for both. `idempotency_key` comes from the conversation
    and the form instance, so a retried filing finds the ticket it already made."""

    __tablename__ = "tickets"
    __table_args__ = (Index(None, "status", "filed_on"), Index(None, "firm_credit_code"))
    id = Column(Integer, primary_key=True)
    number = Column(String(20), nullable=False, unique=True)
    idempotency_key = Column(String(64), nullable=False, unique=True)
    kind = Column(String(16), nullable=False)  # complaint | callback
    status = Column(String(8), nullable=False)  # 已受理 | 处理中 | 已办结 | 已转办
    urgent = Column(Boolean, nullable=False, default=False)
    urgent_reason = Column(String(100))
    channel = Column(String(20), nullable=False, default="chat")  # chat | console | cli
    filed_on = Column(Date, nullable=False)  # the bot's "today" (BOT_TODAY), as in the number
    created_at = Column(DateTime, nullable=False)  # UTC
    updated_at = Column(DateTime, nullable=False)  # UTC
    name = Column(String(64))
    phone = Column(String(20), nullable=False)  # full number: staff call back; masked everywhere else
    firm_name = Column(String(200))
    firm_credit_code = Column(CREDIT_CODE)  # when the name matched the firm table
    work_site = Column(String(200))
    amount_yuan = Column(Money)
    amount_text = Column(String(100))  # what the complainant said, e.g. "一万二"
    months = Column(String(400))  # "2022-10,2022-11,2022-12", or empty
    months_count = Column(Integer)
    workers = Column(Integer)
    description = Column(String(2000))
    callback_time = Column(String(100))
    # The 查询码 (6 random digits, shown once in the receipt) as a salted scrypt hash (bot.hashing);
    # None: no code issued (tickets from before 0006, tickets filed in the console).
    access_code_hash = Column(String(200))


class TicketEvent(Base):
    """The audit trail: every status change or staff note, with time and staff member."""

    __tablename__ = "ticket_events"
    __table_args__ = (Index(None, "ticket_id"),)
    id = Column(Integer, primary_key=True)
    ticket_id = Column(Integer, ForeignKey("tickets.id"), nullable=False)
    at = Column(DateTime, nullable=False)  # UTC
    staff = Column(String(64), nullable=False)
    from_status = Column(String(8))
    to_status = Column(String(8), nullable=False)
    note = Column(String(2000))


class StatusAttempt(Base):
    """One check of a ticket number and 查询码 by a chat user, right or wrong: wrong ones are counted
    per ticket number and per sender across conversations, restarts and servers. `sender_key` is
    the SHA-256 of the Rasa sender id, never the id itself. `cleared`: no longer counted against
    the ticket (the right code was given after it, a supervisor unlocked it, or a new code was issued)."""

    __tablename__ = "status_attempts"
    __table_args__ = (Index(None, "ticket_number", "at"), Index(None, "sender_key", "at"))
    id = Column(Integer, primary_key=True)
    ticket_number = Column(String(20), nullable=False)  # as typed, normalized; need not exist
    sender_key = Column(String(64), nullable=False)
    at = Column(DateTime, nullable=False)  # UTC
    ok = Column(Boolean, nullable=False)
    cleared = Column(Boolean, nullable=False, default=False)


class IntakeDraft(Base):
    """What a form has collected so far, keyed like the ticket it will become. The chat's slots
    only ever hold the masked phone; the full one waits here until filing."""

    __tablename__ = "intake_drafts"
    key = Column(String(64), primary_key=True)
    fields = Column(String(8000), nullable=False)  # JSON
    updated_at = Column(DateTime, nullable=False)  # UTC


# ---- WeChat channel (bot/channels) -------------------------------------------------------------


class ChannelMessage(Base):
    """One inbound WeChat message (MsgId, or sender + CreateTime for events), so that WeChat's
    retries of it never reach Rasa again and get the first reply. Shared by every worker and
    kept across restarts."""

    __tablename__ = "channel_messages"
    key = Column(String(160), primary_key=True)
    status = Column(String(8), nullable=False)  # pending | done | async
    reply = Column(String(20000))
    created_at = Column(DateTime, nullable=False)  # UTC
    updated_at = Column(DateTime, nullable=False)  # UTC


class ChannelToken(Base):
    """An app's WeChat API access token, shared by every worker and machine: renewing a token
    makes the one before it invalid 5 minutes later, so workers must not each keep their own."""

    __tablename__ = "channel_tokens"
    app_id = Column(String(64), primary_key=True)
    token = Column(String(512), nullable=False)
    expires_at = Column(Float, nullable=False)  # Unix time


# ---- staff console (bot/console) ---------------------------------------------------------------


class Staff(Base):
    """A hotline agent or supervisor who logs in to the console (`bot staff add`)."""

    __tablename__ = "staff"
    id = Column(Integer, primary_key=True)
    name = Column(String(64), nullable=False, unique=True)
    role = Column(String(16), nullable=False)  # agent | supervisor
    password_hash = Column(String(255), nullable=False)  # scrypt$n$r$p$salt$hash
    active = Column(Boolean, nullable=False, default=True)
    created_at = Column(DateTime, nullable=False)  # UTC


class StaffSession(Base):
    """A logged-in browser. The cookie holds a random token; only its SHA-256 is stored."""

    __tablename__ = "staff_sessions"
    token_hash = Column(String(64), primary_key=True)
    staff_id = Column(Integer, ForeignKey("staff.id"), nullable=False)
    csrf_token = Column(String(64), nullable=False)
    created_at = Column(DateTime, nullable=False)  # UTC
    expires_at = Column(DateTime, nullable=False)  # UTC


class LoginAttempt(Base):
    """Failed log-ins, for rate limiting by account name and by client address."""

    __tablename__ = "login_attempts"
    __table_args__ = (Index(None, "name", "at"), Index(None, "remote", "at"))
    id = Column(Integer, primary_key=True)
    name = Column(String(64), nullable=False)
    remote = Column(String(64), nullable=False)
    at = Column(DateTime, nullable=False)  # UTC


class AuditEntry(Base):
    """Who did what in the console: log-ins, reveals of full ID numbers and phones, filings,
    review labels. Never holds the revealed number itself, only its masked form."""

    __tablename__ = "audit_log"
    __table_args__ = (Index(None, "action", "at"),)
    id = Column(Integer, primary_key=True)
    at = Column(DateTime, nullable=False)  # UTC
    staff = Column(String(64), nullable=False)
    action = Column(String(32), nullable=False)
    subject = Column(String(200))
    detail = Column(String(1000))


class NluReview(Base):
    """A supervisor's label for a chat turn that fell back or had low confidence (the Rasa
    tracker store's event id); `bot nlu export-reviewed` turns these into NLU examples."""

    __tablename__ = "nlu_reviews"
    id = Column(Integer, primary_key=True)
    event_id = Column(BigInteger, nullable=False, unique=True)
    text = Column(String(2000), nullable=False)  # as stored by the tracker store: masked
    predicted_intent = Column(String(64))
    confidence = Column(String(16))
    label = Column(String(64), nullable=False)
    staff = Column(String(64), nullable=False)
    at = Column(DateTime, nullable=False)  # UTC
