"""Use cases: each opens one transaction, loads, applies the domain rules, saves.

Commands call these; they never touch SQL or rendering themselves.
"""
