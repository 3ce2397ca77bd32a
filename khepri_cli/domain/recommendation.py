"""The ``daily_checkins.ai_recommendation`` document: writing the new one, reading any.

The new document puts the Khepri app's fields at the top level, so the app
shows the day's advice, and everything Khepri knows about the day under one
key of its own, ``khepri``::

    {"summary": ..., "workoutSuggestion": ..., "intensityLevel": "easy",
     "duration": 45, "notes": ...,
     "khepri": {"source", "rubric_version", "generated_at", "readiness",
                "signs", "baseline", "load", "plan", "advice"}}

Three shapes can be found in a journal, and :func:`read_recommendation`
turns each into one :class:`RecommendationView` for the renderers:

- ``khepri``: the document above (rubric version 2 on);
- ``khepri-v1``: what rubric version 1 stored (``Assessment.to_recommendation``:
  top-level source, rubric_version, readiness, advice, signs, baseline);
- ``app``: a recommendation the Khepri app wrote (only the app's fields).

Anything else is ``other`` (shown as stored) and no value at all is ``none``.
A stored document is only ever read: nothing here judges a day again.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any, NamedTuple

from khepri_cli.domain.readiness import ADVICE, RUBRIC, UNKNOWN, Sign

if TYPE_CHECKING:  # reading a stored document (a list of days) needs none of the coach
    from khepri_cli.domain.advice import Advice
    from khepri_cli.domain.load import Form
    from khepri_cli.domain.plans import PlanPosition
    from khepri_cli.domain.readiness_v2 import Readiness

KHEPRI_KEY = "khepri"
APP_INTENSITY_LEVELS = ("recovery", "easy", "moderate", "hard")
KHEPRI, KHEPRI_V1, APP, OTHER, NONE = "khepri", "khepri-v1", "app", "other", "none"


def app_can_read(value: Any) -> bool:
    """True when the Khepri app shows ``value`` as the day's advice (upstream.md).

    An object with ``summary`` and ``workoutSuggestion`` (text),
    ``intensityLevel`` (recovery, easy, moderate or hard) and ``duration`` (a
    number of minutes >= 0); ``notes`` (text) and ``isLocalFallback``
    (boolean) may be left out but are of their type when present; any other
    key is fine.
    """
    if not isinstance(value, dict):
        return False
    if not isinstance(value.get("summary"), str):
        return False
    if not isinstance(value.get("workoutSuggestion"), str):
        return False
    level = value.get("intensityLevel")
    if not isinstance(level, str) or level not in APP_INTENSITY_LEVELS:
        return False
    duration = value.get("duration")
    if isinstance(duration, bool) or not isinstance(duration, int | float):
        return False
    if not math.isfinite(duration) or duration < 0:
        return False
    if "notes" in value and not isinstance(value["notes"], str):
        return False
    return "isLocalFallback" not in value or isinstance(value["isLocalFallback"], bool)


def build_recommendation(
    readiness: Readiness,
    advice: Advice,
    generated_at: str,
    form: Form | None = None,
    plan: PlanPosition | None = None,
    plan_title: str | None = None,
) -> dict[str, Any]:
    """The document to store for a day judged now (``generated_at`` is a journal timestamp)."""
    plan_part = None
    if plan is not None:
        plan_part = {"title": plan_title, **plan.to_dict()}
    khepri = {
        **readiness.to_dict(),
        "generated_at": generated_at,
        "load": None if form is None else form.to_dict(),
        "plan": plan_part,
        "advice": advice.to_dict(),
    }
    return {**advice.app_fields(), KHEPRI_KEY: khepri}


class RecommendationView(NamedTuple):
    """What any stored recommendation says, ready to print."""

    origin: str  # KHEPRI, KHEPRI_V1, APP, OTHER or NONE
    readiness: str  # green, yellow, red, or unknown when Khepri did not judge the day
    rubric_version: int | None = None
    generated_at: str | None = None
    signs: tuple[Sign, ...] = ()
    advice: str | None = None  # the one line for "Today"
    summary: str | None = None
    intensity: str | None = None  # Khepri's intensity (rest included), else the app's
    duration: float | None = None
    notes: str | None = None
    reasons: tuple[str, ...] = ()
    baseline_lines: tuple[str, ...] = ()
    load_line: str | None = None
    plan_line: str | None = None
    plan_title: str | None = None
    is_local_fallback: bool | None = None
    app_readable: bool = False
    raw: Any = None


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _signs(value: Any) -> tuple[Sign, ...]:
    found = []
    for sign in value if isinstance(value, list) else []:
        if isinstance(sign, dict):
            level = sign.get("level")
            found.append(
                Sign(
                    str(sign.get("sign", "")),
                    level if isinstance(level, str) else UNKNOWN,
                    str(sign.get("reason", "")),
                )
            )
    return tuple(found)


def _version(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _part(value: Any, key: str) -> dict[str, Any]:
    found = value.get(key) if isinstance(value, dict) else None
    return found if isinstance(found, dict) else {}


def legacy_baseline_lines(baseline: Any) -> tuple[str, str]:
    """The normal a version 1 assessment used, in the words the check-in showed then."""
    base = baseline if isinstance(baseline, dict) else {}
    need = (
        f"needs {RUBRIC.baseline_min_checkins} check-ins with it in the "
        f"{RUBRIC.baseline_days} days before"
    )
    rhr_value, hrv_value = base.get("resting_hr"), base.get("hrv_ms")
    if isinstance(rhr_value, int | float):
        source = base.get("resting_hr_source") or "source unknown"
        rhr = f"resting HR {rhr_value:g} bpm, {source}"
    else:
        rhr = f"resting HR: no normal yet ({need}, or set 'khepri profile set --resting-hr')"
    if isinstance(hrv_value, int | float):
        source = base.get("hrv_source") or "source unknown"
        hrv = f"HRV {hrv_value:g} ms, {source}"
    else:
        hrv = f"HRV: no normal yet ({need})"
    return rhr, hrv


def _app_parts(value: dict[str, Any]) -> dict[str, Any]:
    duration = value.get("duration")
    fallback = value.get("isLocalFallback")
    return {
        "summary": _text(value.get("summary")),
        "advice": _text(value.get("workoutSuggestion")),
        "intensity": _text(value.get("intensityLevel")),
        "duration": duration
        if isinstance(duration, int | float) and not isinstance(duration, bool)
        else None,
        "notes": _text(value.get("notes")),
        "is_local_fallback": fallback if isinstance(fallback, bool) else None,
        "app_readable": app_can_read(value),
    }


def read_recommendation(value: Any) -> RecommendationView:
    """One view of whatever ``ai_recommendation`` holds; never raises on odd content."""
    if value is None:
        return RecommendationView(NONE, UNKNOWN)
    if isinstance(value, dict) and isinstance(value.get(KHEPRI_KEY), dict):
        ours = value[KHEPRI_KEY]
        advice = _part(ours, "advice")
        baseline = _part(ours, "baseline")
        reasons = [r.get("text") for r in advice.get("reasons") or [] if isinstance(r, dict)]
        parts = _app_parts(value)
        return RecommendationView(
            KHEPRI,
            _text(ours.get("readiness")) or UNKNOWN,
            _version(ours.get("rubric_version")),
            _text(ours.get("generated_at")),
            _signs(ours.get("signs")),
            **{**parts, "intensity": _text(advice.get("intensity")) or parts["intensity"]},
            reasons=tuple(r for r in reasons if isinstance(r, str)),
            baseline_lines=tuple(
                line for line in baseline.get("lines") or [] if isinstance(line, str)
            ),
            load_line=_text(_part(ours, "load").get("text")),
            plan_line=_text(_part(ours, "plan").get("text")),
            plan_title=_text(_part(ours, "plan").get("title")),
            raw=value,
        )
    if isinstance(value, dict) and isinstance(value.get("readiness"), str):
        level = value["readiness"]
        return RecommendationView(
            KHEPRI_V1,
            level,
            _version(value.get("rubric_version")),
            _text(value.get("generated_at")),
            _signs(value.get("signs")),
            advice=_text(value.get("advice")) or ADVICE.get(level),
            baseline_lines=legacy_baseline_lines(value.get("baseline")),
            app_readable=app_can_read(value),
            raw=value,
        )
    if app_can_read(value):
        return RecommendationView(APP, UNKNOWN, **_app_parts(value), raw=value)
    return RecommendationView(OTHER, UNKNOWN, raw=value)
