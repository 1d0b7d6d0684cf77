import datetime as dt
import functools
import re
from pathlib import Path

import pytest

from bot.policy.loader import load_policies
from bot.policy.paths import seed_path, seed_roots

REPO_ROOT = Path(__file__).resolve().parents[1]
SEEDS = REPO_ROOT.parent / "shared" / "seeds"


def trained_model() -> Path:
    """The model `make train` built for the current data; fails the test if it is missing."""
    from bot.training import model_path

    path = model_path(REPO_ROOT / "models")
    if not path.exists():
        pytest.fail(f"no trained model at {path.relative_to(REPO_ROOT)}: run `make train` first")
    return path


# A fictional notice (TEST DATA) loaded alongside the real ones wherever the suite runs over
# "every notice": it proves that adding a notice is adding a file (tests/fixtures/policies/).
FIXTURE_POLICIES = REPO_ROOT / "tests" / "fixtures" / "policies"


@functools.lru_cache(maxsize=None)
def all_notices_book():
    """policies/*.yml plus the fixture notice(s): what the parametrised tests run over."""
    return load_policies(REPO_ROOT / "policies", [FIXTURE_POLICIES])


@pytest.fixture(scope="session")
def book():
    """The real notices (plus any folder in BOT_EXTRA_POLICY_DIRS)."""
    return load_policies(REPO_ROOT / "policies")


@pytest.fixture(scope="session")
def full_book():
    return all_notices_book()


def seed_text(notice) -> str:
    """The notice's source text (its `notice.source`), whitespace removed; fails the test with a
    clear message when the file is missing, so a notice cannot be added without its text."""
    path = seed_path(notice)
    if path is None:
        pytest.fail(
            f"{Path(notice.path).name}: notice.source: 找不到通知原文 {notice.source!r}"
            f"（在 {Path(notice.path).parent} 和 {', '.join(map(str, seed_roots()))} 下查找）。"
            "每个通知都要有原文，所有数字和日期都要能在原文中找到",
            pytrace=False,
        )
    return re.sub(r"\s+", "", path.read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def seed_texts():
    """Each notice's source text (`notice.source`), whitespace removed, keyed by notice number.
    A notice whose text is missing fails the test that looks it up, naming the file."""

    class Seeds(dict):
        def __missing__(self, number):
            notice = next((n for n in all_notices_book().notices if n.number == number), None)
            if notice is None:
                raise KeyError(number)
            self[number] = seed_text(notice)
            return self[number]

    return Seeds()


@pytest.fixture
def today(monkeypatch):
    """Pin BOT_TODAY for one test: today("2023-01-20") returns the date."""

    def pin(value: str) -> dt.date:
        monkeypatch.setenv("BOT_TODAY", value)
        return dt.date.fromisoformat(value)

    return pin


# ---- the eligibility store --------------------------------------------------------------------


def _store_urls():
    import os

    urls = ["sqlite"]
    if os.environ.get("TEST_POSTGRES_URL"):
        urls.append("postgresql")
    return urls


@pytest.fixture(params=_store_urls())
def store_url(request, tmp_path):
    """A freshly migrated, empty store: SQLite always, PostgreSQL too when TEST_POSTGRES_URL is set."""
    import os

    from sqlalchemy import text

    from bot.store.db import dispose_engines, get_engine, migrate
    from bot.store.models import Base

    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'store.db'}"
    else:
        url = os.environ["TEST_POSTGRES_URL"]
        engine = get_engine(url)
        with engine.begin() as connection:
            Base.metadata.drop_all(connection)
            # dropped by migration 0006, so not in the models: left over from a run before it
            connection.execute(text("DROP TABLE IF EXISTS ticket_counters"))
            connection.execute(text("DROP TABLE IF EXISTS alembic_version"))
    migrate(url)
    yield url
    dispose_engines()


@pytest.fixture(params=_store_urls())
def events_url(request, tmp_path):
    """An empty database for Rasa's tracker store (its `events` table): SQLite always,
    PostgreSQL too when TEST_POSTGRES_URL is set."""
    import os

    import sqlalchemy as sa

    from bot.console import traffic

    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'tracker.db'}"
    else:
        url = os.environ["TEST_POSTGRES_URL"]
        engine = sa.create_engine(url)
        with engine.begin() as connection:
            connection.execute(sa.text("DROP TABLE IF EXISTS events"))
        engine.dispose()
        yield url
    traffic.dispose_engines()
