"""docs/api.md is true: its Python examples run against a real journal file."""

from __future__ import annotations

import re
from pathlib import Path

DOC = Path(__file__).parents[1] / "docs" / "api.md"


def test_the_api_page_examples_run(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    blocks = re.findall(r"```python\n(.*?)```", DOC.read_text(encoding="utf-8"), re.DOTALL)
    assert len(blocks) >= 2
    first, errors = blocks[0], blocks[1]
    scope: dict = {}
    exec(compile(first.replace("journal.close()", ""), str(DOC), "exec"), scope)
    exec(compile(errors, str(DOC), "exec"), scope)
    scope["journal"].close()
    shown = capsys.readouterr().out
    assert shown.splitlines()[:3] == [
        "red",  # the active knee injury makes the day red
        "Recovery 30 min ride: very easy, zone 1; stop if anything hurts.",  # the sport done
        "week 1 of 12, base phase (week 1 of 4): aerobic endurance, volume ×0.68",
    ]
    assert "Cascais 70.3 2027-10-03" in shown
    assert "race_target_time_seconds must be more than 0" in shown
    assert (tmp_path / "khepri.db").exists()
