"""Storage: SQLAlchemy tables, engine and sessions, Alembic migrations."""
