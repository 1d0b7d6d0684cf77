"""CSV import: validation with a reject report, references, idempotency, both databases."""

import csv

from sqlalchemy import func, select

from bot.store.db import session_scope
from bot.store.importer import import_directory
from bot.store.models import BusCharter, Claim, Firm, Job, Person, SocialInsuranceMonth
from tests.factories import credit_code, id_number

PERSON = id_number()
OTHER = id_number(seq=124)
FIRM = credit_code(seq=1)


def write(directory, name, header, rows):
    with (directory / name).open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)


def counts(url):
    with session_scope(url) as session:
        return {
            model.__tablename__: session.execute(select(func.count()).select_from(model)).scalar_one()
            for model in (Person, Firm, Job, SocialInsuranceMonth, BusCharter, Claim)
        }


def good_files(directory):
    write(
        directory,
        "persons.csv",
        ["id_number", "name", "phone", "household_region_code", "note"],
        [[PERSON, "王大力", "139 1234 5678", "520101", "extra column ignored"], [OTHER, "李小花", "", "330922", ""]],
    )
    write(
        directory,
        "firms.csv",
        [
            "credit_code",
            "name",
            "region_code",
            "above_scale",
            "industrial",
            "state_owned",
            "key_project",
            "festival_production",
        ],
        [[FIRM, "嵊泗某水产公司", "330922", "1", "1", "0", "0", "1"]],
    )
    write(
        directory,
        "jobs.csv",
        ["id_number", "credit_code", "role", "start_date", "end_date"],
        [[PERSON, FIRM, "frontline", "2022-03-01", ""]],
    )
    write(
        directory,
        "bus_charters.csv",
        ["credit_code", "trip_date", "origin_province", "passengers", "cost_yuan"],
        [[FIRM, "2023-01-25", "贵州省", "12", "8000.50"], [FIRM, "2023-01-25", "贵州", "12", "8000.50"]],
    )


def test_good_files_import_and_a_missing_file_is_skipped(store_url, tmp_path):
    good_files(tmp_path)
    report = import_directory(tmp_path, store_url, progress=False)
    assert report.rejects == []
    assert counts(store_url) == {
        "persons": 2,
        "firms": 1,
        "jobs": 1,
        "social_insurance_months": 0,
        "bus_charters": 2,
        "claims": 0,
    }
    skipped = {f.file for f in report.files if f.skipped}
    assert "social_insurance.csv" in skipped and "claims.csv" in skipped
    with session_scope(store_url) as session:
        person = session.execute(select(Person).where(Person.id_number == PERSON)).scalar_one()
        assert person.phone == "13912345678"
        trips = session.execute(select(BusCharter)).scalars().all()
        assert {t.origin_province for t in trips} == {"贵州"} and sorted(t.trip_seq for t in trips) == [1, 2]
        assert str(trips[0].cost_yuan) == "8000.50"


def test_reimporting_the_same_files_changes_nothing(store_url, tmp_path):
    good_files(tmp_path)
    import_directory(tmp_path, store_url, progress=False)
    before = counts(store_url)
    report = import_directory(tmp_path, store_url, progress=False)
    assert report.rejects == [] and counts(store_url) == before


def test_a_changed_row_updates_the_record(store_url, tmp_path):
    good_files(tmp_path)
    import_directory(tmp_path, store_url, progress=False)
    write(
        tmp_path,
        "persons.csv",
        ["id_number", "name", "phone", "household_region_code"],
        [[PERSON, "王大力", "13800000000", "520101"]],
    )
    import_directory(tmp_path, store_url, progress=False)
    with session_scope(store_url) as session:
        assert session.execute(select(Person.phone).where(Person.id_number == PERSON)).scalar_one() == "13800000000"


def test_bad_rows_are_rejected_with_file_line_and_reason_and_good_rows_still_import(store_url, tmp_path):
    good_files(tmp_path)
    bad_id = PERSON[:-1] + ("1" if PERSON[-1] != "1" else "2")
    write(
        tmp_path,
        "social_insurance.csv",
        ["id_number", "month", "region_code"],
        [
            [PERSON, "2022-12", "330922"],  # line 2: good
            [bad_id, "2022-12", "330922"],  # line 3: checksum
            [PERSON, "2022-13", "330922"],  # line 4: month
            [id_number(seq=555), "2022-12", "330922"],  # line 5: unknown person
            [PERSON, "2022-11", "33092"],
        ],
    )  # line 6: region code
    write(
        tmp_path,
        "claims.csv",
        ["benefit", "subject_id", "amount_yuan", "paid_date"],
        [
            ["retention_bonus", PERSON, "500", "2023-02-30"],  # line 2: date
            ["housing", PERSON, "500", "2023-02-10"],  # line 3: benefit key
            ["retention_bonus", PERSON, "500", "2023-02-10"],
        ],
    )  # line 4: good
    write(
        tmp_path,
        "bus_charters.csv",
        ["credit_code", "trip_date", "origin_province", "passengers", "cost_yuan"],
        [
            [FIRM, "2023-01-25", "贵州", "12", "NaN"],  # line 2: not an amount
            [FIRM, "2023-01-25", "贵州", "１２", "8000"],  # line 3: full-width digits
            [FIRM, "2023-01-25", "火星", "12", "8000"],  # line 4: not a province
            [FIRM, "2023-01-26", "贵州", "12", "8000"],
        ],
    )  # line 5: good
    write(
        tmp_path,
        "firms.csv",
        [
            "credit_code",
            "name",
            "region_code",
            "above_scale",
            "industrial",
            "state_owned",
            "key_project",
            "festival_production",
        ],
        [
            [FIRM, "嵊泗某水产公司", "330922", "1", "1", "0", "0", "1"],
            [FIRM[:-1] + ("0" if FIRM[-1] != "0" else "1"), "坏代码", "330922", "1", "1", "0", "0", "1"],
            [credit_code(seq=2), "布尔错", "330922", "yes", "1", "0", "0", "1"],
        ],
    )
    report = import_directory(tmp_path, store_url, progress=False)
    rejects = {(r.file, r.line): r.reason for r in report.rejects}
    assert "校验位" in rejects[("social_insurance.csv", 3)]
    assert "YYYY-MM" in rejects[("social_insurance.csv", 4)]
    assert "不在人员" in rejects[("social_insurance.csv", 5)]
    assert "地区代码" in rejects[("social_insurance.csv", 6)]
    assert "YYYY-MM-DD" in rejects[("claims.csv", 2)]
    assert "benefit" in rejects[("claims.csv", 3)]
    assert "统一社会信用代码校验位" in rejects[("firms.csv", 3)]
    assert "1 或 0" in rejects[("firms.csv", 4)]
    assert "不是金额" in rejects[("bus_charters.csv", 2)]
    assert "passengers" in rejects[("bus_charters.csv", 3)]
    assert "省级行政区" in rejects[("bus_charters.csv", 4)]
    assert len(rejects) == 11
    assert counts(store_url)["social_insurance_months"] == 1 and counts(store_url)["claims"] == 1
    # no full ID number in the report
    assert not any(bad_id in r.reason or PERSON in r.reason for r in report.rejects)
    out = tmp_path / "rejects.csv"
    report.write_rejects(out)
    assert out.read_text(encoding="utf-8").splitlines()[0] == "file,line,reason"


def test_a_file_missing_a_column_is_rejected_whole(store_url, tmp_path):
    write(tmp_path, "persons.csv", ["id_number", "name", "phone"], [[PERSON, "王大力", ""]])
    report = import_directory(tmp_path, store_url, progress=False)
    assert report.rejects[0].line == 1 and "household_region_code" in report.rejects[0].reason
    assert counts(store_url)["persons"] == 0
