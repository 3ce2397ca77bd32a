"""A loopback stand-in for a Supabase project's API (Auth and PostgREST) for tests.

See standin.py for what it serves and conftest.py for the fixtures.
"""
