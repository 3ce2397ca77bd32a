"""The floor for ``khepri import``: json + executemany into the same schema.

    python bench/floor_import.py DOCUMENT JOURNAL

A new journal is made with Khepri's own migrations (the same tables,
checks, indexes and triggers), then the whole document is read with
``json.load`` and every table's rows written with one ``executemany``, in one
transaction: no check of any kind, JSON documents dumped back to text as
the journal stores them, booleans as 0/1.
"""

from __future__ import annotations

import json
import sys

from khepri_cli.db.connection import open_journal
from khepri_cli.schema import TABLES


def main(document: str, journal_path: str) -> None:
    journal = open_journal(journal_path)
    with open(document, encoding="utf-8") as source:
        data = json.load(source)
    conn = journal.conn
    conn.execute("BEGIN IMMEDIATE")
    for table in TABLES:
        names = table.column_names
        documents = [
            i for i, c in enumerate(table.columns) if c.kind.name in ("json", "text_array")
        ]
        flags = [i for i, c in enumerate(table.columns) if c.kind.name == "boolean"]

        def values(rows, names=names, documents=documents, flags=flags):
            for row in rows:
                stored = [row.get(name) for name in names]
                for i in documents:
                    if stored[i] is not None:
                        stored[i] = json.dumps(stored[i], ensure_ascii=False, sort_keys=True)
                for i in flags:
                    if stored[i] is not None:
                        stored[i] = int(stored[i])
                yield stored

        marks = ", ".join("?" * len(names))
        conn.executemany(
            f"INSERT INTO {table.name} ({', '.join(names)}) VALUES ({marks})",
            values(data.get(table.name, [])),
        )
    conn.execute("COMMIT")
    journal.close()


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
