import datetime as dt
import re
from pathlib import Path

import pytest

from bot.policy.loader import load_policies

REPO_ROOT = Path(__file__).resolve().parents[1]
SEEDS = REPO_ROOT.parent / "shared" / "seeds"


def trained_model() -> Path:
    """The model `make train` built for the current data; fails the test if it is missing."""
    from bot.training import model_path

    path = model_path(REPO_ROOT / "models")
    if not path.exists():
        pytest.fail(f"no trained model at {path.relative_to(REPO_ROOT)}: run `make train` first")
    return path


@pytest.fixture(scope="session")
def book():
    return load_policies(REPO_ROOT / "policies")


@pytest.fixture(scope="session")
def seed_texts():
    """The two public notices, whitespace removed, keyed by notice number."""
    texts = {}
    for path in SEEDS.glob("*.txt"):
        raw = path.read_text(encoding="utf-8")
        flat = re.sub(r"\s+", "", raw)
        for number in ("嵊人社发〔2022〕35号", "苏人社函〔2021〕21号"):
            if number in flat:
                texts[number] = flat
    return texts


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
