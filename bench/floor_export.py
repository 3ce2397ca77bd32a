"""The floor for ``khepri export``: a plain sqlite3 + orjson script writing the same document.

    python bench/floor_export.py JOURNAL OUT

It knows the journal's columns (from the declaration) and nothing else of
Khepri: every row is read as a tuple, its JSON documents are parsed with
orjson (booleans made booleans), and it is written with the standard
library's encoder with the document's separators, which orjson cannot write
(it writes compact or indented JSON only; its indented output rewritten to
these separators was measured slower than this encoder). The result is the
same document, byte for byte, as ``khepri export`` with the same
``exported_at`` (``KHEPRI_NOW``); the bench checks that.
"""

from __future__ import annotations

import json
import sqlite3
import sys

import orjson

from khepri_cli.schema import TABLES

encode = json.JSONEncoder(ensure_ascii=False, allow_nan=False, separators=(", ", ": ")).encode


def main(journal: str, target: str, exported_at: str) -> None:
    conn = sqlite3.connect(journal)
    conn.execute("BEGIN")
    with open(target, "w", encoding="utf-8") as out:
        out.write('{\n  "format": "khepri-journal",\n  "version": 1,\n')
        out.write(f'  "exported_at": {encode(exported_at)}')
        for table in TABLES:
            names = table.column_names
            documents = [
                i for i, c in enumerate(table.columns) if c.kind.name in ("json", "text_array")
            ]
            flags = [i for i, c in enumerate(table.columns) if c.kind.name == "boolean"]
            out.write(f',\n  "{table.name}": [')
            sql = f"SELECT {', '.join(names)} FROM {table.name} ORDER BY {table.order_by}"
            separator = "\n    "
            for stored in conn.execute(sql):
                row = dict(zip(names, stored, strict=True))
                for i in documents:
                    if stored[i] is not None:
                        row[names[i]] = orjson.loads(stored[i])
                for i in flags:
                    if stored[i] is not None:
                        row[names[i]] = bool(stored[i])
                out.write(separator + encode(row))
                separator = ",\n    "
            out.write("]" if separator == "\n    " else "\n  ]")
        out.write("\n}\n")


if __name__ == "__main__":
    main(
        sys.argv[1],
        sys.argv[2],
        sys.argv[3] if len(sys.argv) > 3 else "2026-11-25T07:30:00.000000Z",
    )
