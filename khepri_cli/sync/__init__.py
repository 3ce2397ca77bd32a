"""Pushing the journal to a Supabase project's PostgreSQL: engine, transports, settings."""
