"""SQL shipped with Khepri: the Postgres schema of the Supabase backend.

``initial_schema.sql`` is the one home of that schema; the Supabase CLI sees
it through a symlink in ``supabase/migrations/``.
"""

from __future__ import annotations

SCHEMA_FILE = "initial_schema.sql"


def initial_schema() -> str:
    """The text of the Postgres schema, read from the installed package."""
    from importlib.resources import files

    return files(__name__).joinpath(SCHEMA_FILE).read_text(encoding="utf-8")
