"""The command line: one module per command group, joined lazily in ``main.py``."""
