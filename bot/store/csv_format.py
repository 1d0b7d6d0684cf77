"""The bureau's CSV exchange files: their names and columns, how each row is parsed and validated
(ID checksum GB 11643, credit-code checksum GB 32100, dates, booleans), and what it references.
The format is documented in docs/data-format.md; bot/store/importer.py imports the files.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Callable, Dict, Optional, Tuple

from bot.identifiers import INVALID, classify_subject, credit_code_problem, id_number_problem
from bot.regions import canonical_province, region_code_problem
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

BENEFIT_KEYS = (
    "retention_bonus",
    "delivery_subsidy",
    "consumption_voucher",
    "data_gift",
    "bus_subsidy",
    "recruitment_reward",
)
JOB_ROLES = ("frontline", "courier", "food_delivery", "other")
MOBILE = re.compile(r"1[3-9][0-9]{9}")


class RowError(ValueError):
    """One row cannot be imported; the message (Chinese) goes to the reject report."""


# ---- field parsers: each returns the value or raises RowError in Chinese -----------------------


def _text(row: Dict[str, str], column: str, *, required: bool = True, max_len: int = 200) -> Optional[str]:
    value = (row.get(column) or "").strip()
    if not value:
        if required:
            raise RowError(f"{column} 为空")
        return None
    if len(value) > max_len:
        raise RowError(f"{column} 超过{max_len}个字符")
    return value


def _identifier(row: Dict[str, str], column: str, problem_of) -> str:
    value = _text(row, column).upper()
    problem = problem_of(value)
    if problem:
        raise RowError(f"{column}: {problem}")
    return value


def _id_number(row: Dict[str, str], column: str = "id_number") -> str:
    return _identifier(row, column, id_number_problem)


def _credit_code(row: Dict[str, str], column: str = "credit_code") -> str:
    return _identifier(row, column, credit_code_problem)


def _region(row: Dict[str, str], column: str) -> str:
    value = _text(row, column)
    problem = region_code_problem(value)
    if problem:
        raise RowError(f"{column}: {problem}")
    return value


def _bool(row: Dict[str, str], column: str) -> bool:
    value = (row.get(column) or "").strip()
    if value not in ("0", "1"):
        raise RowError(f"{column} 应为 1 或 0，实际为 {value!r}")
    return value == "1"


def _date(row: Dict[str, str], column: str, *, required: bool = True) -> Optional[dt.date]:
    value = (row.get(column) or "").strip()
    if not value:
        if required:
            raise RowError(f"{column} 为空")
        return None
    try:
        if not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", value):
            raise ValueError
        return dt.date.fromisoformat(value)
    except ValueError:
        raise RowError(f"{column} 不是 YYYY-MM-DD 格式的有效日期：{value!r}") from None


def _month(row: Dict[str, str], column: str) -> str:
    value = _text(row, column)
    match = re.fullmatch(r"([0-9]{4})-([0-9]{2})", value)
    if not match or not 1 <= int(match.group(2)) <= 12:
        raise RowError(f"{column} 不是 YYYY-MM 格式的月份：{value!r}")
    return value


def _int(row: Dict[str, str], column: str, *, minimum: int = 0) -> int:
    value = (row.get(column) or "").strip()
    if not re.fullmatch(r"[0-9]+", value) or int(value) < minimum:
        raise RowError(f"{column} 应为不小于{minimum}的整数，实际为 {value!r}")
    return int(value)


def _money(row: Dict[str, str], column: str) -> Decimal:
    value = (row.get(column) or "").strip()
    try:
        amount = Decimal(value) if re.fullmatch(r"[0-9]+(\.[0-9]+)?", value) else None
    except InvalidOperation:
        amount = None
    if amount is None:
        raise RowError(f"{column} 不是金额：{value!r}")
    if amount < 0 or amount != amount.quantize(Decimal("0.01")) or amount >= Decimal("1e10"):
        raise RowError(f"{column} 应为非负金额（最多两位小数）：{value!r}")
    return amount


# ---- the files -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Reference:
    column: str
    kind: str  # "person" | "firm" | "subject" (person or firm)


@dataclass(frozen=True)
class FileSpec:
    name: str
    table: object
    columns: Tuple[str, ...]
    parse: Callable[[Dict[str, str]], Dict[str, object]]
    key: Tuple[str, ...]
    references: Tuple[Reference, ...] = ()


def _person(row):
    phone = _text(row, "phone", required=False, max_len=20)
    if phone is not None:
        phone = re.sub(r"[\s-]", "", phone)
        if not MOBILE.fullmatch(phone):
            raise RowError("phone 不是11位手机号")
    return {
        "id_number": _id_number(row),
        "name": _text(row, "name", max_len=64),
        "phone": phone,
        "household_region_code": _region(row, "household_region_code"),
    }


def _firm(row):
    return {
        "credit_code": _credit_code(row),
        "name": _text(row, "name"),
        "region_code": _region(row, "region_code"),
        **{
            c: _bool(row, c) for c in ("above_scale", "industrial", "state_owned", "key_project", "festival_production")
        },
    }


def _job(row):
    role = (row.get("role") or "").strip()
    if role not in JOB_ROLES:
        raise RowError(f"role 应为 {'/'.join(JOB_ROLES)} 之一，实际为 {role!r}")
    start, end = _date(row, "start_date"), _date(row, "end_date", required=False)
    if end is not None and end < start:
        raise RowError("end_date 早于 start_date")
    return {
        "id_number": _id_number(row),
        "credit_code": _credit_code(row),
        "role": role,
        "start_date": start,
        "end_date": end,
    }


def _social_insurance(row):
    return {"id_number": _id_number(row), "month": _month(row, "month"), "region_code": _region(row, "region_code")}


def _festival(row):
    year = _int(row, "year", minimum=2000)
    if year > 2100:
        raise RowError(f"year 超出范围：{year}")
    return {"id_number": _id_number(row), "year": year, "stayed": _bool(row, "stayed"), "worked": _bool(row, "worked")}


def _bus(row):
    province = canonical_province(row.get("origin_province") or "")
    if province is None:
        raise RowError(f"origin_province 不是省级行政区名称：{(row.get('origin_province') or '').strip()!r}")
    shared = []
    for code in re.split(r"[;；,，\s]+", (row.get("shared_with") or "").strip()):
        if code:
            problem = credit_code_problem(code.upper())
            if problem:
                raise RowError(f"shared_with: {problem}")
            shared.append(code.upper())
    return {
        "credit_code": _credit_code(row),
        "trip_date": _date(row, "trip_date"),
        "origin_province": province,
        "passengers": _int(row, "passengers", minimum=1),
        "cost_yuan": _money(row, "cost_yuan"),
        "shared_with": ";".join(shared) or None,
    }


def _placement(row):
    return {
        "agency_credit_code": _credit_code(row, "agency_credit_code"),
        "id_number": _id_number(row),
        "employer_credit_code": _credit_code(row, "employer_credit_code"),
        "start_date": _date(row, "start_date"),
        "insured_months": _int(row, "insured_months"),
        "first_job_in_region": _bool(row, "first_job_in_region"),
    }


def _claim(row):
    benefit = (row.get("benefit") or "").strip()
    if benefit not in BENEFIT_KEYS:
        raise RowError(f"benefit 应为 {'/'.join(BENEFIT_KEYS)} 之一，实际为 {benefit!r}")
    subject = classify_subject(_text(row, "subject_id"))
    if subject.kind == INVALID:
        raise RowError(f"subject_id 既不是有效身份证号，也不是有效统一社会信用代码（{subject.reason}）")
    return {
        "benefit": benefit,
        "subject_id": subject.value,
        "amount_yuan": _money(row, "amount_yuan"),
        "paid_date": _date(row, "paid_date"),
    }


FILES: Tuple[FileSpec, ...] = (
    FileSpec("persons.csv", Person, ("id_number", "name", "phone", "household_region_code"), _person, ("id_number",)),
    FileSpec(
        "firms.csv",
        Firm,
        (
            "credit_code",
            "name",
            "region_code",
            "above_scale",
            "industrial",
            "state_owned",
            "key_project",
            "festival_production",
        ),
        _firm,
        ("credit_code",),
    ),
    FileSpec(
        "jobs.csv",
        Job,
        ("id_number", "credit_code", "role", "start_date", "end_date"),
        _job,
        ("id_number", "credit_code", "role", "start_date"),
        (Reference("id_number", "person"), Reference("credit_code", "firm")),
    ),
    FileSpec(
        "social_insurance.csv",
        SocialInsuranceMonth,
        ("id_number", "month", "region_code"),
        _social_insurance,
        ("id_number", "month", "region_code"),
        (Reference("id_number", "person"),),
    ),
    FileSpec(
        "festival_attendance.csv",
        FestivalAttendance,
        ("id_number", "year", "stayed", "worked"),
        _festival,
        ("id_number", "year"),
        (Reference("id_number", "person"),),
    ),
    FileSpec(
        "bus_charters.csv",
        BusCharter,
        ("credit_code", "trip_date", "origin_province", "passengers", "cost_yuan"),
        _bus,
        ("credit_code", "trip_date", "origin_province", "trip_seq"),
        (Reference("credit_code", "firm"),),
    ),
    FileSpec(
        "agency_placements.csv",
        AgencyPlacement,
        (
            "agency_credit_code",
            "id_number",
            "employer_credit_code",
            "start_date",
            "insured_months",
            "first_job_in_region",
        ),
        _placement,
        ("agency_credit_code", "id_number", "employer_credit_code", "start_date"),
        (
            Reference("agency_credit_code", "firm"),
            Reference("id_number", "person"),
            Reference("employer_credit_code", "firm"),
        ),
    ),
    FileSpec(
        "claims.csv",
        Claim,
        ("benefit", "subject_id", "amount_yuan", "paid_date"),
        _claim,
        ("benefit", "subject_id", "paid_date"),
        (Reference("subject_id", "subject"),),
    ),
)
