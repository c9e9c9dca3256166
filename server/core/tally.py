"""Counting votes: the tally, the quorum, the group answer and divergence.

CONTRACT.md §4 as revised by §4.1; docs/protocol.md ("The synthesis rule") states the same rule
with the same names. Everything here is a pure function of counts.
"""

from collections.abc import Iterable
from typing import Final, Literal

from pydantic import BaseModel, ConfigDict

GroupAnswer = Literal["yes", "no", "unsure", "divided", "to_clarify", "insufficient"]
# the group answers that count as answered (a level rests on these)
DECIDED: Final[tuple[GroupAnswer, ...]] = ("yes", "no")
QUORUM_PERCENT: Final = 50
QUORUM_MIN: Final = 2


class Tally(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    yes: int = 0
    no: int = 0
    unsure: int = 0
    answered: int = 0  # every answer, including open texts

    @property
    def decided(self) -> int:
        return self.yes + self.no

    @property
    def voted(self) -> int:
        """Votes cast on a yes/no question (yes + no + unsure)."""
        return self.yes + self.no + self.unsure


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


def quorum(present: int, percent: int = QUORUM_PERCENT, minimum: int = QUORUM_MIN) -> int:
    """Votes needed for a group answer when ``present`` participants were there at the reveal:
    ``min(present, max(minimum, ceil(present * percent / 100)))``, and 1 when nobody was."""
    if present <= 0:
        return 1
    share = -(-present * percent // 100)  # ceil without floats
    return min(present, max(minimum, share))


def group_answer(tally: Tally, consensus: str | None, needed: int = 0) -> GroupAnswer:
    """The rule, in this order: the consensus if one was set; ``insufficient`` if fewer than
    ``needed`` votes were cast; ``to_clarify`` if "unsure" is at least yes + no; the majority
    of yes/no; ``divided`` on a tie (never with 0 yes/no votes: that is ``to_clarify``)."""
    if consensus in ("yes", "no", "unsure"):
        return consensus  # type: ignore[return-value]
    if tally.voted < needed:
        return "insufficient"
    if tally.unsure >= tally.decided:
        return "to_clarify"
    if tally.yes > tally.no:
        return "yes"
    if tally.no > tally.yes:
        return "no"
    return "divided"


def is_three_way_split(tally: Tally) -> bool:
    """Yes, no and unsure each chosen at least once, and none a strict majority of the votes."""
    votes = tally.voted
    parts = (tally.yes, tally.no, tally.unsure)
    return min(parts) >= 1 and all(2 * part <= votes for part in parts)


def is_divergent(tally: Tally) -> bool:
    """At least 3 yes/no votes with the minority side holding at least a third of them (§4),
    or a three-way split (§4.1)."""
    decided = tally.decided
    return (decided >= 3 and 3 * min(tally.yes, tally.no) >= decided) or is_three_way_split(tally)
