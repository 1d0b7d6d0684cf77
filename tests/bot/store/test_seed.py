"""The demo data set: valid, deterministic, idempotent, and the documented examples hold."""

import csv

import pytest
from sqlalchemy import func, select

from bot.eligibility.service import EligibilityService
from bot.identifiers import credit_code_is_valid, id_number_is_valid
from bot.store.csv_format import FILES
from bot.store.db import dispose_engines, get_engine
from bot.store.models import Base
from bot.store.seed import seed_store, store_is_empty, write_demo_csv
from bot.store.seed_examples import EXAMPLES
from bot.store.seed_subjects import FIXED_FIRMS, FIXED_PEOPLE

PEOPLE, FIRMS = 600, 40


def _counts(url):
    with get_engine(url).connect() as connection:
        return {
            table.name: connection.execute(select(func.count()).select_from(table)).scalar_one()
            for table in Base.metadata.sorted_tables
        }


@pytest.fixture(scope="module")
def seeded(tmp_path_factory):
    url = f"sqlite:///{tmp_path_factory.mktemp('seed') / 'seed.db'}"
    assert store_is_empty(url)
    report = seed_store(url, people=PEOPLE, firms=FIRMS, progress=False)
    yield url, report
    dispose_engines()


def test_files_have_the_importer_columns_and_valid_identifiers(tmp_path):
    write_demo_csv(tmp_path, people=PEOPLE, firms=FIRMS)
    for spec in FILES:
        with (tmp_path / spec.name).open(encoding="utf-8", newline="") as handle:
            rows = list(csv.DictReader(handle))
        assert tuple(rows[0]) == spec.columns, spec.name
    persons = list(csv.DictReader((tmp_path / "persons.csv").open(encoding="utf-8")))
    firms = list(csv.DictReader((tmp_path / "firms.csv").open(encoding="utf-8")))
    assert len(persons) == PEOPLE and len(firms) == FIRMS
    assert all(id_number_is_valid(p["id_number"]) for p in persons)
    assert all(credit_code_is_valid(f["credit_code"]) for f in firms)
    assert len({p["id_number"] for p in persons}) == PEOPLE
    assert len({f["credit_code"] for f in firms}) == FIRMS
    assert all(p["phone"] == "" or (len(p["phone"]) == 11 and p["phone"][:2] in ("13", "15", "18")) for p in persons)
    households = {p["household_region_code"] for p in persons}
    assert "330922" in households and len(households) > 5
    regions = {f["region_code"] for f in firms}
    assert "330922" in regions and regions - {"330922"}


def test_the_hand_placed_subjects_exist_even_in_a_tiny_seed(tmp_path):
    write_demo_csv(tmp_path, people=1, firms=1)
    persons = (tmp_path / "persons.csv").read_text(encoding="utf-8")
    firms = (tmp_path / "firms.csv").read_text(encoding="utf-8")
    assert persons.count("\n") == len(FIXED_PEOPLE) + 1 and firms.count("\n") == len(FIXED_FIRMS) + 1
    for example in EXAMPLES:
        assert example.id in (persons if example.kind == "person" else firms)


def test_deterministic(tmp_path):
    write_demo_csv(tmp_path / "a", people=PEOPLE, firms=FIRMS)
    write_demo_csv(tmp_path / "b", people=PEOPLE, firms=FIRMS)
    write_demo_csv(tmp_path / "c", people=PEOPLE, firms=FIRMS, seed=7)
    for spec in FILES:
        assert (tmp_path / "a" / spec.name).read_bytes() == (tmp_path / "b" / spec.name).read_bytes(), spec.name
    assert (tmp_path / "a" / "persons.csv").read_bytes() != (tmp_path / "c" / "persons.csv").read_bytes()


def test_imports_without_rejects(seeded):
    url, report = seeded
    assert report.rejects == []
    assert all(not f.skipped and f.rejected == 0 and f.imported == f.read > 0 for f in report.files)
    assert not store_is_empty(url)
    counts = _counts(url)
    assert counts["persons"] == PEOPLE and counts["firms"] == FIRMS


def test_seeding_again_changes_nothing(seeded):
    url, _ = seeded
    before = _counts(url)
    report = seed_store(url, people=PEOPLE, firms=FIRMS, progress=False)
    assert report.rejects == []
    assert _counts(url) == before


@pytest.mark.parametrize("example", EXAMPLES, ids=[e.who.split("，")[0].split("：")[0] for e in EXAMPLES])
def test_examples_get_the_documented_decisions(seeded, example):
    url, _ = seeded
    report = EligibilityService(url).check(example.id)
    assert report is not None and report.kind == example.kind
    data = report.to_dict()
    decisions = {b["benefit"]: b["decision"] for b in data["benefits"]}
    assert {k: decisions.get(k) for k in example.expect} == example.expect, data
    amounts = {b["benefit"]: b["amount"] for b in data["benefits"]}
    assert {k: amounts.get(k) for k in example.amounts} == example.amounts, data


def test_examples_cover_every_decision_of_every_benefit():
    seen = {(benefit, decision) for e in EXAMPLES for benefit, decision in e.expect.items()}
    for benefit in (
        "retention_bonus",
        "delivery_subsidy",
        "consumption_voucher",
        "data_gift",
        "bus_subsidy",
        "recruitment_reward",
    ):
        assert (benefit, "eligible") in seen and (benefit, "not_eligible") in seen, benefit
    assert ("retention_bonus", "unknown") in seen
