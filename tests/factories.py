"""Valid identifiers and store rows for tests."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from bot.identifiers import credit_code_check_char, id_number_check_char
from bot.store.db import session_scope
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

SHENGSI = "330922"


def id_number(region: str = "520101", birth: str = "19900101", seq: int = 123) -> str:
    first = f"{region}{birth}{seq:03d}"
    return first + id_number_check_char(first)


def credit_code(region: str = SHENGSI, seq: int = 1) -> str:
    first = f"91{region}MA{seq:07d}"
    return first + credit_code_check_char(first)


class StoreBuilder:
    """Adds rows to a store with sensible defaults: a qualifying case unless told otherwise."""

    def __init__(self, url: str):
        self.url = url
        self._seq = 0

    def _add(self, *rows):
        with session_scope(self.url) as session:
            session.add_all(rows)

    def firm(
        self,
        *,
        region=SHENGSI,
        above_scale=True,
        industrial=True,
        state_owned=False,
        key_project=False,
        festival_production=True,
        name=None,
    ) -> str:
        self._seq += 1
        code = credit_code(region, self._seq)
        self._add(
            Firm(
                credit_code=code,
                name=name or f"测试企业{self._seq}",
                region_code=region,
                above_scale=above_scale,
                industrial=industrial,
                state_owned=state_owned,
                key_project=key_project,
                festival_production=festival_production,
            )
        )
        return code

    def person(self, *, household="520101", name="王大力", phone="13912345678") -> str:
        self._seq += 1
        number = id_number(household, seq=self._seq % 1000)
        self._add(Person(id_number=number, name=name, phone=phone, household_region_code=household))
        return number

    def job(self, person, firm, role="frontline", start=dt.date(2022, 3, 1), end=None):
        self._add(Job(id_number=person, credit_code=firm, role=role, start_date=start, end_date=end))

    def insurance(self, person, month="2022-12", region=SHENGSI):
        self._add(SocialInsuranceMonth(id_number=person, month=month, region_code=region))

    def festival(self, person, year=2023, stayed=True, worked=True):
        self._add(FestivalAttendance(id_number=person, year=year, stayed=stayed, worked=worked))

    def trip(self, firm, day=dt.date(2023, 1, 25), province="贵州", passengers=10, cost="8000", seq=1):
        self._add(
            BusCharter(
                credit_code=firm,
                trip_date=day,
                origin_province=province,
                trip_seq=seq,
                passengers=passengers,
                cost_yuan=Decimal(cost),
            )
        )

    def placement(self, agency, person, employer, start=dt.date(2023, 2, 1), months=3, first_job=True):
        self._add(
            AgencyPlacement(
                agency_credit_code=agency,
                id_number=person,
                employer_credit_code=employer,
                start_date=start,
                insured_months=months,
                first_job_in_region=first_job,
            )
        )

    def claim(self, benefit, subject, amount="500", paid=dt.date(2023, 2, 10)):
        self._add(Claim(benefit=benefit, subject_id=subject, amount_yuan=Decimal(amount), paid_date=paid))

    def worker(self, firm=None, **person) -> str:
        """A person who qualifies for the retention bonus at `firm` (a new qualifying firm if None)."""
        firm = firm or self.firm()
        who = self.person(**person)
        self.job(who, firm)
        self.insurance(who)
        self.festival(who)
        return who
