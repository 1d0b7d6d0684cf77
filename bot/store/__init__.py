"""The eligibility store: SQLAlchemy 1.4 in 2.0 style, Alembic migrations, CSV import.

SQLite file `var/bot.db` by default; any SQLAlchemy URL through `DATABASE_URL`.
"""
