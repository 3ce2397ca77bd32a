"""A training plan in the local form (schema.md) and in the live Khepri backend's shape.

The live backend (upstream.md, steps 6–9) renamed five columns and reshaped
two of them. The mapping both ways, for a row of either side:

=================  ================  ================================================
local              remote            how
=================  ================  ================================================
title              name              as is
duration_weeks     total_weeks       as is; also ``periodization.total_weeks``
target_goal_id     goal_id           as is
phases             periodization     each local phase ``{name, start_week, end_week,
                                     focus, description, intensity_distribution}``
                                     is a remote ``{phase, weeks, focus,
                                     intensity_distribution}``; ``description`` goes
                                     along as an extra key when set, ``start_week``
                                     only when the phases leave a gap or overlap
weekly_template    weekly_template   local ``weekly_template.weekly_volumes`` is
                   + periodization   ``periodization.weekly_volumes``; the rest of
                   .weekly_volumes   the local object (a day-by-day template) is the
                                     remote ``weekly_template`` (null when empty)
adjustments_log    adaptations       as is: entries ``{date, reason, changes,
                                     ai_generated}`` on both sides
status             status            see :func:`remote_status`
=================  ================  ================================================

Keys either side does not know are carried over unchanged, so a plan in
canonical form (every plan :mod:`~khepri_cli.domain.plans` makes, every plan
the app makes) goes there and back without loss.
"""

from __future__ import annotations

import math
from datetime import date
from typing import Any

from khepri_cli.domain.days import as_date
from khepri_cli.domain.plans import PHASE_INTENSITY

LOCAL_STATUSES = ("draft", "active", "paused", "completed", "cancelled")
REMOTE_STATUSES = ("active", "completed", "cancelled")
RENAMED = {
    "title": "name",
    "duration_weeks": "total_weeks",
    "target_goal_id": "goal_id",
    "phases": "periodization",
    "adjustments_log": "adaptations",
}
_LOCAL_PHASE_KEYS = {
    "name",
    "start_week",
    "end_week",
    "focus",
    "description",
    "intensity_distribution",
}
_REMOTE_PHASE_KEYS = {
    "phase",
    "weeks",
    "focus",
    "intensity_distribution",
    "description",
    "start_week",
}


def remote_status(status: str | None, accepted: tuple[str, ...] = REMOTE_STATUSES) -> str | None:
    """The status to push, or None when the plan stays local for now.

    ``accepted`` is what the remote's CHECK allows (steps 6–8 still accept
    ``paused``). A ``paused`` plan the remote cannot hold is pushed as
    ``active``, as the backend's own migration 9 did with its paused plans
    ("an athlete who misses time resumes at the current point"); a ``draft``
    is nobody's plan yet, so it is not pushed until it is activated. A
    missing status is the column's default, ``active``.
    """
    status = status or "active"
    if status in accepted:
        return status
    if status == "paused":
        return "active"
    return None


def weeks_match_dates(start: date, end: date, total_weeks: int) -> bool:
    """The live backend's trigger: ``total_weeks`` within 1 of ceil((end - start) / 7)."""
    return end >= start and abs(math.ceil((end - start).days / 7) - total_weeks) <= 1


def periodization_from_local(
    phases: list[Any], weekly_template: Any, total_weeks: int
) -> tuple[dict[str, Any], Any]:
    """(``periodization``, remote ``weekly_template``) from the local columns."""
    remote_phases = []
    next_week = 1
    for phase in phases:
        if not isinstance(phase, dict):
            remote_phases.append(phase)
            continue
        start, end = phase.get("start_week", next_week), phase.get("end_week", next_week)
        entry = {"phase": phase.get("name"), "weeks": end - start + 1, "focus": phase.get("focus")}
        split = phase.get("intensity_distribution", PHASE_INTENSITY.get(phase.get("name")))
        if split is not None:
            entry["intensity_distribution"] = list(split)
        if phase.get("description") is not None:
            entry["description"] = phase["description"]
        if start != next_week:
            entry["start_week"] = start
        entry.update({k: v for k, v in phase.items() if k not in _LOCAL_PHASE_KEYS})
        remote_phases.append(entry)
        next_week = end + 1
    volumes, template = [], weekly_template
    if isinstance(weekly_template, dict) and "weekly_volumes" in weekly_template:
        volumes = weekly_template["weekly_volumes"]
        template = {k: v for k, v in weekly_template.items() if k != "weekly_volumes"} or None
    periodization = {"total_weeks": total_weeks, "phases": remote_phases, "weekly_volumes": volumes}
    return periodization, template


def local_from_periodization(periodization: Any, weekly_template: Any) -> tuple[list[Any], Any]:
    """(local ``phases``, local ``weekly_template``) from the remote columns.

    A ``periodization`` that is still the seed's array (a remote between
    steps 6 and 8) is already the local form and is taken as it is.
    """
    if not isinstance(periodization, dict):
        return list(periodization or []), weekly_template
    phases = []
    next_week = 1
    for entry in periodization.get("phases") or []:
        if not isinstance(entry, dict):
            phases.append(entry)
            continue
        start = entry.get("start_week", next_week)
        end = start + entry.get("weeks", 0) - 1
        phase = {
            "name": entry.get("phase"),
            "start_week": start,
            "end_week": end,
            "focus": entry.get("focus"),
            "description": entry.get("description"),
        }
        if "intensity_distribution" in entry:
            phase["intensity_distribution"] = entry["intensity_distribution"]
        phase.update({k: v for k, v in entry.items() if k not in _REMOTE_PHASE_KEYS})
        phases.append(phase)
        next_week = end + 1
    volumes = periodization.get("weekly_volumes") or []
    if volumes:
        if weekly_template is not None and not isinstance(weekly_template, dict):
            raise ValueError("a weekly_template that is not an object cannot hold weekly volumes")
        weekly_template = {**(weekly_template or {}), "weekly_volumes": volumes}
    return phases, weekly_template


def to_remote(row: dict[str, Any], accepted: tuple[str, ...] = REMOTE_STATUSES) -> dict[str, Any]:
    """A local training_plans row in the live backend's columns.

    Raises ValueError for a plan the remote must not get: a draft (see
    :func:`remote_status`), or dates that its weeks trigger would refuse.
    """
    status = remote_status(row.get("status"), accepted)
    if status is None:
        raise ValueError(f"a {row.get('status')} plan stays local until it is activated")
    start, end = as_date(row["start_date"]), as_date(row["end_date"])
    if not weeks_match_dates(start, end, row["duration_weeks"]):
        raise ValueError(
            f"{row['duration_weeks']} weeks do not fit {start} to {end}: the remote refuses "
            "a plan whose weeks differ by more than 1 from its dates"
        )
    remote = {RENAMED.get(k, k): v for k, v in row.items() if k != "weekly_template"}
    remote["periodization"], remote["weekly_template"] = periodization_from_local(
        row.get("phases") or [], row.get("weekly_template"), row["duration_weeks"]
    )
    remote["adaptations"] = list(row.get("adjustments_log") or [])
    remote["status"] = status
    return remote


def from_remote(row: dict[str, Any]) -> dict[str, Any]:
    """A live-backend training_plans row in the local columns (schema.md)."""
    back = {v: k for k, v in RENAMED.items()}
    local = {back.get(k, k): v for k, v in row.items() if k != "weekly_template"}
    local["phases"], local["weekly_template"] = local_from_periodization(
        row.get("periodization"), row.get("weekly_template")
    )
    local["adjustments_log"] = list(row.get("adaptations") or [])
    return local
