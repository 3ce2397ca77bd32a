"""Khepri CLI: a local-first training journal for endurance athletes."""

__version__ = "0.1.0"
