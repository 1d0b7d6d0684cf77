"""`bot db seed`: a deterministic demo data set for the eligibility store.

`write_demo_csv(dir)` writes the eight CSV exchange files the importer reads (same names and
columns as `bot.store.csv_format.FILES`), from `random.Random(seed)` only, so the same arguments
always give byte-identical files. Every ID number passes GB 11643 and every credit code GB 32100.

Two kinds of rows:

* Hand-placed subjects (bot/store/seed_subjects.py: the people and firms of `EXAMPLES` in
  bot/store/seed_examples.py, plus the firms and recruits they need) are always written, whatever
  `people`/`firms` say; their ID numbers and credit codes never change, so the README and tests can
  name them. Each example says which decision each benefit must get.
* Generated people and firms fill the rest, with every case mixed in: non-local and local
  households, jobs that ended before the festival or started after it, couriers and riders,
  missing or elsewhere-paid social insurance, no festival record, already-paid claims, bus trips
  inside and outside the window, agencies and their recruits. Generated rows never touch the
  hand-placed firms' charters, placements or claims, so the examples' decisions stay fixed.

The names, places and weights drawn from are in bot/store/seed_data.py.

People are streamed straight to the files, so memory grows with `firms`, not with `people`:
`write_demo_csv(dir, people=1_000_000, firms=2000)` is a scale benchmark for the importer.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import random
import tempfile
from dataclasses import dataclass
from math import gcd
from pathlib import Path
from typing import Dict, List, Optional, Tuple

from sqlalchemy import select

from bot.identifiers import CREDIT_CODE_CHARS
from bot.store.csv_format import FILES
from bot.store.db import get_engine, migrate
from bot.store.importer import ImportReport, import_directory
from bot.store.models import Person
from bot.store.seed_data import (
    DINGHAI,
    FIRM_MIX,
    GIVEN,
    INDUSTRY,
    JOB_MIX,
    LOCAL_SHARE,
    ORIGIN_PROVINCES,
    OTHER_COUNTIES,
    PUTUO,
    ROLES,
    SAME_PROVINCE,
    SHENGSI,
    SURNAMES,
    TRADE_NAMES,
)
from bot.store.seed_subjects import (
    CHARTERS,
    FIRM_CLAIMS,
    FIXED_FIRMS,
    FIXED_PEOPLE,
    PLACEMENTS,
    bool_cell,
    credit_code,
    id_number,
)

HEADERS: Dict[str, Tuple[str, ...]] = {spec.name: spec.columns for spec in FILES}
BIRTH_FIRST, BIRTH_LAST = dt.date(1960, 1, 1), dt.date(2004, 12, 31)
BIRTH_DAYS = (BIRTH_LAST - BIRTH_FIRST).days + 1
GENERATED_SEQ = 900  # generated ID numbers use sequence 000-899; hand-placed ones 9xx


# ---- generation ---------------------------------------------------------------------------------


def _day(first: dt.date, last: dt.date, rng: random.Random) -> dt.date:
    return dt.date.fromordinal(rng.randint(first.toordinal(), last.toordinal()))


def _name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + rng.choice(GIVEN)


def _phone(rng: random.Random) -> str:
    return rng.choice(("13", "15", "18")) + f"{rng.randrange(10**9):09d}"


@dataclass
class _GenFirm:
    code: str
    region: str
    category: str
    above_scale: bool
    industrial: bool
    festival_production: bool


def _generate_firms(rng: random.Random, count: int, writer, charters, claims) -> Dict[str, List[_GenFirm]]:
    """Write `count` generated firms (and their charters and bus claims); firms by category."""
    used = {f.code for f in FIXED_FIRMS}
    by_category: Dict[str, List] = {c: [] for c, _ in FIRM_MIX}
    for firm in FIXED_FIRMS:  # generated people may work at the hand-placed employers too
        if firm.category != "agency":
            by_category[firm.category].append(
                _GenFirm(
                    firm.code, firm.region, firm.category, firm.above_scale, firm.industrial, firm.festival_production
                )
            )
    names, weights = zip(*FIRM_MIX)
    categories = rng.choices(names, weights, k=count)
    if count and "agency" not in categories:  # recruits need at least one generated agency
        categories[-1] = "agency"
    generated_agencies = []
    for category in categories:
        region = SHENGSI if category != "outside" else rng.choice((DINGHAI, DINGHAI, PUTUO))
        while True:
            code = credit_code(region, "MA" + "".join(rng.choice(CREDIT_CODE_CHARS) for _ in range(7)))
            if code not in used:
                used.add(code)
                break
        prefix = {SHENGSI: "嵊泗县", DINGHAI: "舟山市定海区", PUTUO: "舟山市普陀区"}[region]
        name = prefix + rng.choice(TRADE_NAMES) + rng.choice(INDUSTRY[category])
        above = industrial = state = key = production = False
        if category == "ind_above":
            above, industrial = True, True
            production, state, key = rng.random() < 0.85, rng.random() < 0.05, rng.random() < 0.05
        elif category == "ind_small":
            industrial, production = True, rng.random() < 0.6
        elif category == "key":
            key, production, state = True, rng.random() < 0.8, rng.random() < 0.4
        elif category == "service":
            state, production = rng.random() < 0.1, rng.random() < 0.5
        elif category == "outside":
            above, industrial = rng.random() < 0.5, rng.random() < 0.6
            production = rng.random() < 0.7
        writer.writerow(
            [
                code,
                name,
                region,
                bool_cell(above),
                bool_cell(industrial),
                bool_cell(state),
                bool_cell(key),
                bool_cell(production),
            ]
        )
        firm = _GenFirm(code, region, category, above, industrial, production)
        if category == "agency":
            generated_agencies.append(firm)
        else:
            by_category[category].append(firm)
        # Bus charters: mostly Shengsi firms that take on workers from other provinces.
        if category != "agency" and rng.random() < (0.3 if region == SHENGSI else 0.1):
            for _ in range(rng.randint(1, 5)):
                trip = _day(dt.date(2023, 1, 18), dt.date(2023, 2, 9), rng)
                origin = rng.choice(SAME_PROVINCE) if rng.random() < 0.12 else rng.choice(ORIGIN_PROVINCES)
                cost = f"{rng.randint(30, 180) * 100}.00"
                charters.writerow([code, trip.isoformat(), origin, rng.randint(6, 45), cost])
            if rng.random() < 0.15:
                claims.writerow(["bus_subsidy", code, f"{rng.randint(5, 30) * 100}.00", "2023-02-25"])
    by_category["agency"] = generated_agencies
    return by_category


def _write_fixed(writers) -> None:
    firms, persons, jobs, insurance, attendance, charters, placements, claims = writers
    for firm in FIXED_FIRMS:
        firms.writerow(firm.row())
    for person in FIXED_PEOPLE:
        persons.writerow([person.id, person.name, person.phone, person.household])
        for firm, role, start, end in person.jobs:
            jobs.writerow([person.id, firm.code, role, start, end])
        for month, region in person.insurance:
            insurance.writerow([person.id, month, region])
        if person.attendance is not None:
            attendance.writerow([person.id, 2023, *person.attendance])
        for benefit, amount, paid in person.claims:
            claims.writerow([benefit, person.id, amount, paid])
    for firm, trip, origin, passengers, cost in CHARTERS:
        charters.writerow([firm.code, trip, origin, passengers, cost])
    for agency, person, employer, start, months, first in PLACEMENTS:
        placements.writerow([agency.code, person.id, employer.code, start, months, first])
    for benefit, firm, amount, paid in FIRM_CLAIMS:
        claims.writerow([benefit, firm.code, amount, paid])


def _generate_people(rng: random.Random, count: int, firms: Dict[str, List[_GenFirm]], writers) -> None:
    _, persons, jobs, insurance, attendance, _, placements, claims = writers
    counties, county_weights = zip(*OTHER_COUNTIES)
    job_categories, job_weights = zip(*JOB_MIX)
    roles = {c: tuple(zip(*r)) for c, r in ROLES.items()}
    agencies = firms["agency"]
    # ID numbers: a permutation of (birth day, sequence 000-899) pairs, so they never repeat
    # without remembering them (and never meet the hand-placed 9xx ones).
    space = BIRTH_DAYS * GENERATED_SEQ
    if count > space:
        raise ValueError(f"at most {space} generated people")
    step = 1_000_003
    assert gcd(step, space) == 1
    offset = rng.randrange(space)
    first_birth = BIRTH_FIRST.toordinal()
    window_start, window_end = dt.date(2023, 1, 22), dt.date(2023, 2, 21)
    for i in range(count):
        k = (offset + i * step) % space
        birth = dt.date.fromordinal(first_birth + k // GENERATED_SEQ).strftime("%Y%m%d")
        household = SHENGSI if rng.random() < LOCAL_SHARE else rng.choices(counties, county_weights)[0]
        person = id_number(household, birth, k % GENERATED_SEQ)
        persons.writerow([person, _name(rng), _phone(rng) if rng.random() < 0.95 else "", household])

        has_job = rng.random() >= 0.03  # a few have no job record at all (→ unknown)
        firm = None
        start = end = None
        if has_job:
            category = rng.choices(job_categories, job_weights)[0]
            firm = rng.choice(firms[category])
            names, weights = roles[category]
            role = rng.choices(names, weights)[0]
            shape = rng.random()
            if shape < 0.08:  # recruited after the festival, in the agencies' window
                start = _day(window_start, window_end, rng)
            elif shape < 0.15:  # left before the festival
                start = _day(dt.date(2018, 1, 1), dt.date(2022, 6, 30), rng)
                end = _day(dt.date(2022, 7, 1), dt.date(2023, 1, 21), rng)
            else:
                start = _day(dt.date(2015, 1, 1), dt.date(2022, 12, 31), rng)
            if rng.random() < 0.05 and start > dt.date(2016, 1, 1):  # an earlier job elsewhere
                before = rng.choice(firms[rng.choices(job_categories, job_weights)[0]])
                if before.code != firm.code:
                    previous_start = _day(dt.date(2012, 1, 1), dt.date(2015, 12, 31), rng)
                    previous_end = max(previous_start, start - dt.timedelta(days=rng.randint(1, 60)))
                    jobs.writerow([person, before.code, "other", previous_start.isoformat(), previous_end.isoformat()])
            jobs.writerow([person, firm.code, role, start.isoformat(), end.isoformat() if end else ""])

        # Social insurance: the job's region, Oct–Dec 2022; some miss December, some pay at home.
        shape = rng.random()
        if not has_job:
            months, region = (("2022-12",), household) if shape < 0.5 else ((), household)
        elif start > dt.date(2022, 12, 31):
            months, region = ("2023-02",), firm.region
        elif shape < 0.78:
            months, region = ("2022-10", "2022-11", "2022-12"), firm.region
        elif shape < 0.86:
            months, region = ("2022-10", "2022-11"), firm.region
        elif shape < 0.93:
            months, region = ("2022-11", "2022-12"), household
        else:
            months, region = (), household
        for month in months:
            insurance.writerow([person, month, region])

        # The 2023 festival: most have a record; stayed/worked are not always both true.
        worked = False
        if rng.random() < 0.9:
            stayed = rng.random() < 0.8
            worked = has_job and rng.random() < 0.85
            attendance.writerow([person, 2023, bool_cell(stayed), bool_cell(worked)])

        # Recruits of the generated agencies.
        if has_job and agencies and window_start <= start <= window_end and rng.random() < 0.6:
            agency = rng.choice(agencies)
            placements.writerow(
                [agency.code, person, firm.code, start.isoformat(), rng.randint(1, 8), bool_cell(rng.random() < 0.85)]
            )

        # A few personal benefits already paid out.
        if has_job and worked and household != SHENGSI and end is None and rng.random() < 0.05:
            if role == "frontline" and firm.above_scale and firm.industrial and months[-1:] == ("2022-12",):
                claims.writerow(["retention_bonus", person, "500.00", "2023-02-20"])
            elif role in ("courier", "food_delivery"):
                claims.writerow(["delivery_subsidy", person, "500.00", "2023-02-20"])


_ORDER = (
    "firms.csv",
    "persons.csv",
    "jobs.csv",
    "social_insurance.csv",
    "festival_attendance.csv",
    "bus_charters.csv",
    "agency_placements.csv",
    "claims.csv",
)


def write_demo_csv(directory: Path, people: int = 3000, firms: int = 100, seed: int = 2023) -> None:
    """Write the eight CSV files into `directory`: the hand-placed subjects, then generated ones
    up to `people` persons and `firms` firms in all (never fewer than the hand-placed ones)."""
    assert set(_ORDER) == set(HEADERS)
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    with contextlib.ExitStack() as stack:
        writers = []
        for name in _ORDER:
            handle = stack.enter_context((directory / name).open("w", encoding="utf-8", newline=""))
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow(HEADERS[name])
            writers.append(writer)
        _write_fixed(writers)
        by_category = _generate_firms(rng, max(firms - len(FIXED_FIRMS), 0), writers[0], writers[5], writers[7])
        _generate_people(rng, max(people - len(FIXED_PEOPLE), 0), by_category, writers)


def seed_store(
    url: Optional[str] = None, people: int = 3000, firms: int = 100, progress: Optional[bool] = None
) -> ImportReport:
    """Write the demo CSV files to a temporary directory and import them into the store."""
    with tempfile.TemporaryDirectory(prefix="bot-seed-") as tmp:
        write_demo_csv(Path(tmp), people=people, firms=firms)
        return import_directory(Path(tmp), url, progress=progress)


def store_is_empty(url: Optional[str] = None) -> bool:
    """True when the store (migrated first) has no people yet."""
    migrate(url)
    with get_engine(url).connect() as connection:
        return connection.execute(select(Person.id).limit(1)).first() is None
