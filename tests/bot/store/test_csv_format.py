"""bot/store/csv_format.py: each exchange file's columns and how a row is parsed (no database)."""

import datetime as dt
from decimal import Decimal

import pytest

from bot.store.csv_format import FILES, RowError
from tests.factories import credit_code, id_number

SPECS = {spec.name: spec for spec in FILES}


def test_every_file_parses_into_its_columns_and_keys():
    for spec in FILES:
        assert set(spec.key) - {"trip_seq"} <= set(spec.columns), spec.name
        assert all(reference.column in spec.columns for reference in spec.references), spec.name


def test_a_person_row_is_normalised():
    row = {
        "id_number": id_number().lower(),
        "name": " 王大力 ",
        "phone": "138-8501-2345",
        "household_region_code": "520101",
    }
    values = SPECS["persons.csv"].parse(row)
    assert values == {
        "id_number": id_number(),
        "name": "王大力",
        "phone": "13885012345",
        "household_region_code": "520101",
    }


def test_a_bus_trip_names_its_province_and_amount():
    row = {
        "credit_code": credit_code(),
        "trip_date": "2023-01-25",
        "origin_province": "贵州省",
        "passengers": "30",
        "cost_yuan": "12000.50",
        "shared_with": "",
    }
    values = SPECS["bus_charters.csv"].parse(row)
    assert values["origin_province"] == "贵州" and values["trip_date"] == dt.date(2023, 1, 25)
    assert values["cost_yuan"] == Decimal("12000.50") and values["shared_with"] is None


@pytest.mark.parametrize(
    "file, change, says",
    [
        ("persons.csv", {"phone": "12345"}, "phone 不是11位手机号"),
        ("persons.csv", {"id_number": "123"}, "id_number"),
        ("jobs.csv", {"role": "boss"}, "role 应为"),
        ("jobs.csv", {"end_date": "2020-01-01"}, "end_date 早于 start_date"),
        ("festival_attendance.csv", {"stayed": "yes"}, "stayed 应为 1 或 0"),
        ("social_insurance.csv", {"month": "2022-13"}, "month 不是 YYYY-MM"),
        ("claims.csv", {"amount_yuan": "1.005"}, "最多两位小数"),
    ],
)
def test_a_bad_field_is_named_in_chinese(file, change, says):
    row = {
        "id_number": id_number(),
        "name": "王大力",
        "phone": "",
        "household_region_code": "520101",
        "credit_code": credit_code(),
        "role": "frontline",
        "start_date": "2021-03-01",
        "end_date": "",
        "month": "2022-12",
        "region_code": "330922",
        "year": "2023",
        "stayed": "1",
        "worked": "1",
        "benefit": "retention_bonus",
        "subject_id": id_number(),
        "amount_yuan": "500.00",
        "paid_date": "2023-01-18",
    }
    SPECS[file].parse(row)  # the row as it is parses
    with pytest.raises(RowError) as info:
        SPECS[file].parse({**row, **change})
    assert says in str(info.value)
