"""Advice for today: every rule at its edges, the day's limits, and the app's fields."""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace

import pytest

from khepri_cli.domain import advice as a
from khepri_cli.domain.advice import EASY, HARD, MODERATE, RECOVERY, REST, advise
from khepri_cli.domain.limits import DayLimits, day_limits
from khepri_cli.domain.load import DETRAINING, FRESH, HIGH_RISK, NEUTRAL, OPTIMAL, Form
from khepri_cli.domain.plans import PlanPosition
from khepri_cli.domain.readiness import GREEN, RED, UNKNOWN, YELLOW, Sign

DAY = date(2026, 11, 25)  # a Wednesday
GREEN_SIGNS = (Sign("sleep", GREEN, "8 h of sleep"), Sign("energy", GREEN, "energy 7/10"))


def form(band: str | None, percent: float = 0.0) -> Form:
    return Form(DAY, 50.0, 50.0 - percent / 2, percent / 2, percent, band, 60)


def position(phase: str | None, volume: float | None = None, lighter: bool = False, focus=None):
    return PlanPosition(DAY, 6, 16, phase, focus, 1, 7, None, volume, lighter)


def rules(result) -> list[str]:
    return [r.rule for r in result.reasons]


def light_reason(result) -> str:
    [text] = [r.text for r in result.reasons if r.rule == "light"]
    return text


# -- what the day calls for ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("phase", "intensity"),
    [("base", MODERATE), ("build", HARD), ("peak", HARD), ("taper", MODERATE), ("recovery", EASY)],
)
def test_the_plans_phase_sets_the_target(phase, intensity):
    assert advise(GREEN, GREEN_SIGNS, plan=position(phase)).intensity == intensity


@pytest.mark.parametrize(
    ("phase", "intensity"), [("build", MODERATE), ("base", EASY), ("recovery", RECOVERY)]
)
def test_the_lighter_week_is_one_step_easier(phase, intensity):
    result = advise(GREEN, GREEN_SIGNS, plan=position(phase, lighter=True))
    assert result.intensity == intensity
    assert "lighter_week" in rules(result)


@pytest.mark.parametrize(
    ("band", "intensity"),
    [
        (HIGH_RISK, EASY),
        (OPTIMAL, MODERATE),
        (NEUTRAL, MODERATE),
        (FRESH, HARD),
        (DETRAINING, HARD),
    ],
)
def test_without_a_plan_form_sets_the_target(band, intensity):
    assert advise(GREEN, GREEN_SIGNS, form(band, -40 if band == HIGH_RISK else 0)).intensity == (
        intensity
    )


def test_without_plan_or_form_a_moderate_day():
    result = advise(GREEN, GREEN_SIGNS, form(None), position(None))
    assert result.intensity == MODERATE
    assert result.reasons[0].text == "no plan phase and no form yet: a moderate day"


def test_the_plan_comes_before_form():
    assert advise(GREEN, GREEN_SIGNS, form(FRESH, 10), position("base")).intensity == MODERATE


# -- caps ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("level", "intensity"), [(GREEN, HARD), (YELLOW, EASY), (RED, RECOVERY), (UNKNOWN, MODERATE)]
)
def test_the_light_caps_the_intensity(level, intensity):
    signs = (Sign("energy", level, "energy 5/10"),) if level not in (GREEN, UNKNOWN) else ()
    assert advise(level, signs, plan=position("build")).intensity == intensity


def test_a_cap_never_raises_the_intensity():
    assert advise(YELLOW, (), plan=position("recovery")).intensity == EASY
    assert advise(YELLOW, (), plan=position("recovery", lighter=True)).intensity == RECOVERY


def test_the_light_reason_names_the_signs_and_their_numbers():
    signs = (
        Sign("energy", YELLOW, "energy 5/10"),
        Sign("sleep", YELLOW, "6.5 h of sleep"),
        Sign("stress", GREEN, "stress 3/10"),
    )
    assert light_reason(advise(YELLOW, signs)) == (
        "readiness yellow (energy 5/10; 6.5 h of sleep): at most easy"
    )
    assert light_reason(advise(GREEN, GREEN_SIGNS)) == "readiness green: all 2 signs green"


@pytest.mark.parametrize(("band", "capped"), [(HIGH_RISK, True), (OPTIMAL, False)])
def test_high_risk_form_caps_at_easy(band, capped):
    result = advise(GREEN, GREEN_SIGNS, form(band, -30.1 if capped else -30.0), position("build"))
    assert result.intensity == (EASY if capped else HARD)
    if capped:
        assert a.Reason("form", "form -30.1 % (high risk, below -30 %): at most easy") in (
            result.reasons
        )


def test_an_intensity_restriction_caps_at_easy():
    limits = DayLimits(restrictions=("no_intervals",))
    result = advise(GREEN, GREEN_SIGNS, plan=position("build"), limits=limits)
    assert result.intensity == EASY
    assert "injury restriction 'no_intervals': at most easy" in [r.text for r in result.reasons]


# -- rest ---------------------------------------------------------------------------------


def test_one_red_sign_is_recovery_two_are_rest():
    one = (Sign("stress", RED, "stress 9/10"), Sign("energy", GREEN, "energy 7/10"))
    assert advise(RED, one).intensity == RECOVERY
    two = (*one, Sign("injury", RED, "injury: Sore knee"))
    result = advise(RED, two)
    assert (result.intensity, result.minutes, result.sport) == (REST, 0, None)
    assert result.reasons[-1].text == "2 red signs (stress 9/10; injury: Sore knee): rest"


@pytest.mark.parametrize(("band", "rest"), [(HIGH_RISK, True), (OPTIMAL, False)])
def test_a_red_day_in_high_risk_form_is_rest(band, rest):
    red = (Sign("stress", RED, "stress 9/10"),)
    assert (advise(RED, red, form(band, -35 if rest else -20)).intensity == REST) is rest


def test_yellow_with_high_risk_form_is_not_rest():
    assert advise(YELLOW, (), form(HIGH_RISK, -50)).intensity == EASY


@pytest.mark.parametrize(("days", "rest"), [(("monday", "friday"), True), (("wednesday",), False)])
def test_a_day_that_is_not_a_training_day_is_rest(days, rest):
    limits = DayLimits(weekday="wednesday", training_days=days)
    result = advise(GREEN, GREEN_SIGNS, limits=limits)
    assert (result.intensity == REST) is rest
    if rest:
        assert result.reasons[-1].text == (
            "wednesday is not one of your training days (monday, friday): rest"
        )


# -- minutes ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("intensity_phase", "minutes"), [("recovery", 45), ("base", 60), ("build", 75)]
)
def test_base_minutes(intensity_phase, minutes):
    assert advise(GREEN, GREEN_SIGNS, plan=position(intensity_phase)).minutes == minutes


@pytest.mark.parametrize(
    ("volume", "minutes"),
    [(0.68, 50), (1.05, 80), (1.16, 85), (0.5, 40), (0.2, 15)],  # 75 x v, to the nearest 5
)
def test_the_plans_volume_scales_the_minutes(volume, minutes):
    result = advise(GREEN, GREEN_SIGNS, plan=position("build", volume))
    assert result.minutes == minutes
    assert f"plan volume ×{volume:.2f}: 75 → {minutes} min" in [r.text for r in result.reasons]


def test_half_way_rounds_up():
    assert advise(GREEN, GREEN_SIGNS, plan=position("recovery", 0.5)).minutes == 25  # 22.5


def test_recovery_is_not_scaled():
    assert advise(RED, (Sign("x", RED, "stress 9/10"),), plan=position("build", 0.4)).minutes == 30


@pytest.mark.parametrize(("available", "minutes"), [(None, 75), (75, 75), (74, 74), (10, 10)])
def test_the_minutes_available_cap_the_session(available, minutes):
    result = advise(
        GREEN, GREEN_SIGNS, plan=position("build"), limits=DayLimits(available_minutes=available)
    )
    assert result.minutes == minutes


@pytest.mark.parametrize("available", [0, 9])
def test_fewer_than_10_minutes_is_rest(available):
    result = advise(GREEN, GREEN_SIGNS, limits=DayLimits(available_minutes=available))
    assert result.intensity == REST and result.minutes == 0
    assert result.reasons[-1].text == f"{available} minutes is too short for a session: rest"


def test_hours_per_week_spread_over_the_training_days():
    limits = DayLimits(
        weekday="monday", training_days=("monday", "wednesday", "friday"), hours_per_week=2.5
    )
    result = advise(GREEN, GREEN_SIGNS, plan=position("build"), limits=limits)
    assert result.minutes == 50
    assert result.reasons[-1].text == "2.5 h a week over 3 days: 50 min a day"
    assert advise(GREEN, GREEN_SIGNS, limits=DayLimits(hours_per_week=7)).minutes == 60  # 7 days


# -- sport --------------------------------------------------------------------------------


@pytest.mark.parametrize("restriction", ["no_running", "running", "No Running"])
def test_a_restricted_sport_is_skipped_whatever_the_spelling(restriction):
    result = advise(GREEN, GREEN_SIGNS, limits=DayLimits(restrictions=(restriction,)))
    assert result.sport == "bike"
    assert f"no run: injury restriction '{restriction}'" in [r.text for r in result.reasons]


def test_equipment_decides_the_sport():
    shoes = DayLimits(available=frozenset({"running_shoes"}), available_from="travel (Berlin)")
    assert advise(GREEN, GREEN_SIGNS, limits=shoes).sport == "run"
    pool = DayLimits(available=frozenset({"pool"}), available_from="today's equipment")
    result = advise(GREEN, GREEN_SIGNS, limits=pool)
    assert result.sport == "swim"
    assert [r.text for r in result.reasons if r.rule == "equipment"] == [
        "no run: today's equipment has pool",
        "no bike: today's equipment has pool",
    ]


def test_nothing_possible_is_mobility_at_recovery():
    limits = DayLimits(
        restrictions=("no_running",), available=frozenset(), available_from="today's equipment"
    )
    result = advise(GREEN, GREEN_SIGNS, plan=position("build"), limits=limits)
    assert (result.sport, result.intensity, result.minutes) == (a.MOBILITY, RECOVERY, 30)
    assert result.suggestion.startswith("Recovery 30 min mobility and an easy walk")


def test_a_recovery_day_prefers_low_impact():
    result = advise(RED, (Sign("stress", RED, "stress 9/10"),))
    assert result.sport == "bike"
    assert advise(GREEN, GREEN_SIGNS).sport == "run"


def test_the_athletes_own_sports():
    assert advise(GREEN, GREEN_SIGNS, sports=("swim",)).sport == "swim"
    assert (
        advise(
            GREEN, GREEN_SIGNS, sports=("strength",), limits=DayLimits(available=frozenset())
        ).sport
        == "strength"
    )


# -- the one-line suggestion and summary --------------------------------------------------


def test_suggestions():
    hard = advise(GREEN, GREEN_SIGNS, plan=position("build", focus="threshold_work"))
    assert hard.suggestion == (
        "Hard 75 min run: threshold intervals in zone 4 after a 15-minute warm-up."
    )
    easy = advise(YELLOW, (), limits=DayLimits(restrictions=("running", "hill_repeats")))
    assert easy.suggestion == "Easy 45 min ride: conversational, zones 1–2. Avoid hill repeats."
    rest = advise(GREEN, GREEN_SIGNS, limits=DayLimits(available_minutes=0))
    assert rest.suggestion == "Rest day: no training today; an easy walk or some mobility is fine."


def test_summary_names_light_form_plan_and_today():
    result = advise(YELLOW, (), form(OPTIMAL, -12.3), position("build", 0.95))
    assert result.summary == (
        "Readiness yellow; form -12.3 % (optimal training); build phase, week 6 of 16. "
        "Today: easy 45 min."
    )
    assert advise(GREEN, GREEN_SIGNS, limits=DayLimits(available_minutes=0)).summary == (
        "Readiness green. Today: rest."
    )


# -- the app's fields ---------------------------------------------------------------------


def test_app_fields():
    result = advise(YELLOW, (Sign("energy", YELLOW, "energy 5/10"),), plan=position("build", 1.0))
    assert result.app_fields() == {
        "summary": result.summary,
        "workoutSuggestion": result.suggestion,
        "intensityLevel": "easy",
        "duration": 45,
        "notes": "; ".join(r.text for r in result.reasons),
    }


def test_rest_is_recovery_for_zero_minutes_in_the_app():
    fields = advise(GREEN, GREEN_SIGNS, limits=DayLimits(available_minutes=0)).app_fields()
    assert (fields["intensityLevel"], fields["duration"]) == ("recovery", 0)


def test_to_dict_is_plain():
    stored = advise(GREEN, GREEN_SIGNS).to_dict()
    assert stored["reasons"][:2] == [
        {"rule": "target", "text": "no plan phase and no form yet: a moderate day"},
        {"rule": "light", "text": "readiness green: all 2 signs green"},
    ]
    assert stored["intensity"] == MODERATE and stored["sport"] == "run"


# -- the day's limits from constraints and the check-in -----------------------------------


def constraint(kind: str, **values):
    data = {
        "constraint_type": kind,
        "status": "active",
        "title": kind.title(),
        "start_date": date(2026, 11, 20),
        "end_date": None,
        "injury_restrictions": None,
        "travel_equipment_available": None,
        "travel_facilities_available": None,
        "availability_hours_per_week": None,
        "availability_days_available": None,
        **values,
    }
    return SimpleNamespace(**data)


def test_day_limits_from_constraints():
    found = day_limits(
        DAY,
        [
            constraint("injury", injury_restrictions=["no_running", "hill_repeats"]),
            constraint("injury", injury_restrictions=["no_running"]),
            constraint(
                "travel",
                title="Berlin",
                travel_equipment_available=["running_shoes"],
                travel_facilities_available=["gym"],
            ),
            constraint(
                "availability",
                availability_hours_per_week=6,
                availability_days_available=["monday", "wednesday", "friday"],
            ),
            constraint(
                "availability",
                availability_hours_per_week=4,
                availability_days_available=["wednesday", "friday", "sunday"],
            ),
            constraint("injury", status="resolved", injury_restrictions=["no_swimming"]),
            constraint("injury", end_date=date(2026, 11, 24), injury_restrictions=["no_cycling"]),
        ],
        {"available_time_minutes": 50},
    )
    assert found == DayLimits(
        weekday="wednesday",
        available_minutes=50,
        restrictions=("no_running", "hill_repeats"),
        available=frozenset({"running_shoes", "gym"}),
        available_from="travel (Berlin)",
        training_days=("wednesday", "friday"),
        hours_per_week=4,
    )


def test_the_checkins_equipment_is_the_days_whole_list():
    found = day_limits(
        DAY,
        [constraint("travel", travel_equipment_available=["running_shoes"])],
        {"equipment_access": ["pool"]},
    )
    assert found.available == frozenset({"pool"}) and found.available_from == "today's equipment"


def test_at_home_nothing_is_limited():
    found = day_limits(DAY, [])
    assert found == DayLimits(weekday="wednesday")
    assert found.equipment_allows("swim")


def test_a_light_given_without_its_signs():
    assert light_reason(advise(RED)) == "readiness red: at most recovery"


def test_the_sports_offered_are_those_done_most_then_the_others():
    from khepri_cli.domain.advice import usual_sports

    assert usual_sports([]) == ("run", "bike", "swim")
    assert usual_sports(["swim", "bike", "swim", "strength", "other"]) == ("swim", "bike", "run")
    assert usual_sports(["bike", "run"]) == ("run", "bike", "swim")  # a tie keeps the usual order
    only_runs = usual_sports(["run"] * 5)
    limits = DayLimits(restrictions=("no_running",))
    assert advise(GREEN, (), plan=None, limits=limits, sports=only_runs).sport == "bike"
