"""The two-way sync of the journal with a Supabase project: engine, merge, transports, settings.

See docs/sync.md, and :mod:`khepri_cli.sync.engine` for the four phases.
"""
