"""Storage: the SQLite journal file, its migrations and the repositories over it."""
