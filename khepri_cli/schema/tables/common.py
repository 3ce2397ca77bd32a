"""What the tables' declarations share: the id and timestamps, the athlete link, titles, ranges."""

from __future__ import annotations

from khepri_cli.schema import kinds as k
from khepri_cli.schema.model import Column
from khepri_cli.schema.rules import DateWindow, NotBlank, Range

HEART_RATE = Range(20, 250, unit="bpm")
SCORE = Range(1, 10)
_BODY_WEIGHT_KG = Range(0, 1000, open_low=True, open_high=True)
DECIMAL_10_2 = Range(-100_000_000, 100_000_000, open_low=True, open_high=True)
WHOLE_SECONDS = Range(0, k.INT_MAX, open_low=True)
NOT_IN_THE_FUTURE = DateWindow(0)
WITHIN_TEN_YEARS = DateWindow(3653, "ten years from today")
"""A goal or a constraint further ahead than this is a typo for a nearer year."""


def common_head() -> tuple[Column, ...]:
    return (Column("id", k.UUID, nullable=False),)


def common_tail() -> tuple[Column, ...]:
    return (
        Column("created_at", k.TIMESTAMP, nullable=False, label="created"),
        Column("updated_at", k.TIMESTAMP, nullable=False, label="updated"),
    )


def athlete_id() -> Column:
    return Column("athlete_id", k.UUID, nullable=False, references="athletes")


def title(noun: str) -> Column:
    return Column(
        "title",
        k.TEXT,
        nullable=False,
        rule=NotBlank(),
        label="title",
        flag="--title",
        help=f"A short name for the {noun}.",
        form="title",
    )


def description(noun: str) -> Column:
    return Column(
        "description",
        k.NOTE,
        label="description",
        flag="--description",
        help=f"Notes on the {noun}.",
        form="text",
    )


def weight_kg(prompt: str | None = None) -> Column:
    """Body weight, as the profile and the check-in both hold it."""
    return Column(
        "weight_kg",
        k.decimal(5, 2),
        rule=_BODY_WEIGHT_KG,
        label="Weight",
        flag="--weight",
        help="Body weight in your units (kg or lb), e.g. 70.5.",
        form="weight",
        prompt=prompt,
    )
