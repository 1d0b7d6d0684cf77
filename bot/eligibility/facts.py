"""What the store knows about people and firms, loaded in a few batched queries."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Dict, Iterable, List, Optional, Tuple

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.store.models import (
    AgencyPlacement,
    BusCharter,
    Claim,
    FestivalAttendance,
    Firm,
    Job,
    Person,
    SocialInsuranceMonth,
)

ROLE_NAMES = {"frontline": "一线生产岗位", "courier": "快递人员", "food_delivery": "外卖骑手", "other": "其他岗位"}


@dataclass
class PersonFacts:
    person: Person
    jobs: List[Tuple[Job, Firm]] = field(default_factory=list)
    insurance: List[Tuple[str, str]] = field(default_factory=list)  # (month, region_code)
    attendance: Dict[int, FestivalAttendance] = field(default_factory=dict)
    claims: List[Claim] = field(default_factory=list)

    @property
    def subject_id(self) -> str:
        return self.person.id_number


@dataclass
class FirmFacts:
    firm: Firm
    charters: List[BusCharter] = field(default_factory=list)
    placements: List[Tuple[AgencyPlacement, Firm]] = field(default_factory=list)  # (placement, employer)
    claims: List[Claim] = field(default_factory=list)

    @property
    def subject_id(self) -> str:
        return self.firm.credit_code


def load_people(session: Session, id_numbers: Iterable[str]) -> Dict[str, PersonFacts]:
    ids = sorted(set(id_numbers))
    if not ids:
        return {}
    facts = {
        p.id_number: PersonFacts(p) for p in session.execute(select(Person).where(Person.id_number.in_(ids))).scalars()
    }
    if not facts:
        return {}
    found = list(facts)
    for job, firm in session.execute(
        select(Job, Firm)
        .join(Firm, Firm.credit_code == Job.credit_code)
        .where(Job.id_number.in_(found))
        .order_by(Job.start_date)
    ):
        facts[job.id_number].jobs.append((job, firm))
    for id_number, month, region in session.execute(
        select(SocialInsuranceMonth.id_number, SocialInsuranceMonth.month, SocialInsuranceMonth.region_code).where(
            SocialInsuranceMonth.id_number.in_(found)
        )
    ):
        facts[id_number].insurance.append((month, region))
    for row in session.execute(select(FestivalAttendance).where(FestivalAttendance.id_number.in_(found))).scalars():
        facts[row.id_number].attendance[row.year] = row
    for claim in session.execute(select(Claim).where(Claim.subject_id.in_(found))).scalars():
        facts[claim.subject_id].claims.append(claim)
    return facts


def load_firm(session: Session, credit_code: str) -> Optional[FirmFacts]:
    firm = session.execute(select(Firm).where(Firm.credit_code == credit_code)).scalar_one_or_none()
    if firm is None:
        return None
    facts = FirmFacts(firm)
    facts.charters = list(
        session.execute(
            select(BusCharter)
            .where(BusCharter.credit_code == credit_code)
            .order_by(BusCharter.trip_date, BusCharter.id)
        ).scalars()
    )
    rows = session.execute(
        select(AgencyPlacement, Firm)
        .join(Firm, Firm.credit_code == AgencyPlacement.employer_credit_code)
        .where(AgencyPlacement.agency_credit_code == credit_code)
        .order_by(AgencyPlacement.start_date)
    )
    facts.placements = [(placement, firm_) for placement, firm_ in rows]
    facts.claims = list(session.execute(select(Claim).where(Claim.subject_id == credit_code)).scalars())
    return facts


def workers_at(session: Session, credit_code: str) -> List[str]:
    """ID numbers of everyone with a job record at the firm."""
    return sorted(set(session.execute(select(Job.id_number).where(Job.credit_code == credit_code)).scalars()))
