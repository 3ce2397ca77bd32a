"""Turning models into what people read: rich on a terminal, plain text, JSON."""
