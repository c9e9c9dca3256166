"""Counting votes: the tally, the group answer and divergence (CONTRACT.md §4)."""

from collections.abc import Iterable
from typing import Literal

from pydantic import BaseModel, ConfigDict

GroupAnswer = Literal["yes", "no", "unsure", "divided"]


class Tally(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    yes: int = 0
    no: int = 0
    unsure: int = 0
    answered: int = 0  # every answer, including open texts

    @property
    def decided(self) -> int:
        return self.yes + self.no


def count(values: Iterable[str]) -> Tally:
    yes = no = unsure = answered = 0
    for value in values:
        answered += 1
        if value == "yes":
            yes += 1
        elif value == "no":
            no += 1
        elif value == "unsure":
            unsure += 1
    return Tally(yes=yes, no=no, unsure=unsure, answered=answered)


def group_answer(tally: Tally, consensus: str | None) -> GroupAnswer:
    """The consensus if one was set, else the majority of yes/no votes; a tie is divided."""
    if consensus in ("yes", "no", "unsure"):
        return consensus  # type: ignore[return-value]
    if tally.yes > tally.no:
        return "yes"
    if tally.no > tally.yes:
        return "no"
    return "divided"


def is_divergent(tally: Tally) -> bool:
    """At least 3 yes/no votes, and the minority side holds at least a third of them."""
    decided = tally.decided
    return decided >= 3 and 3 * min(tally.yes, tally.no) >= decided
