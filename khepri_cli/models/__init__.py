"""Pydantic models of the five journal tables, one module each."""
