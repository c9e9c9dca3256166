"""What to do next, drawn from the LaborIA deployment guide and tailored to the levels found.

The guide's appropriation process has nine steps; each criterion points to the steps that
answer it best, so a criterion at "watch" or "alert" puts its steps forward. Some actions are
always due whatever the levels (informing and consulting the CSE, the DUERP), others only when
the session found something (a criterion to act on, questions the group was split on, criteria
nobody assessed).
"""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

from server.core.criteria import CriterionId
from server.core.synthesis import Level
from server.i18n import translate

STEP_COUNT: Final = 9
# The appropriation steps that answer each criterion (numbers as in the guide).
STEPS_FOR: Final[dict[CriterionId, tuple[int, ...]]] = {
    "autonomie": (6,),
    "reconnaissance": (4, 6),
    "savoir_faire": (4,),
    "surveillance": (7, 3),
    "relations_humaines": (2, 6),
    "responsabilite": (7, 3),
}
ALWAYS: Final = (1, 5)  # clarify the aims of the dialogue; assess working conditions (DUERP)
ACT_ON: Final[tuple[Level, ...]] = ("alert", "watch")


@dataclass(frozen=True)
class Step:
    id: str
    title: str
    text: str


@dataclass(frozen=True)
class GuideStep:
    number: int
    title: str
    text: str
    priority: bool


@dataclass(frozen=True)
class Plan:
    next_steps: tuple[Step, ...]
    steps: tuple[GuideStep, ...]


def plan(
    lang: str, *, criteria: Sequence[tuple[CriterionId, Level]], divergent: int, finished: bool,
    played: int,
) -> Plan:
    def tr(key: str, **params: object) -> str:
        return translate(lang, key, **params)

    def step(key: str, **params: object) -> Step:
        return Step(key, tr(f"summary.next.{key}.title", **params),
                    tr(f"summary.next.{key}.text", **params))

    def names(ids: Sequence[CriterionId]) -> str:
        return tr("summary.list_sep").join(tr(f"criterion.{c}.label") for c in ids)

    # alert before watch, each in the criteria's usual order
    to_act = [c for level in ACT_ON for c, lv in criteria if lv == level]
    levels = dict(criteria)
    out: list[Step] = []
    if played == 0:
        out.append(step("nothing_played"))
    elif not finished:
        out.append(step("unfinished"))
    for c in to_act:
        out.append(
            Step(f"criterion.{c}",
                 tr("summary.next.criterion.title", criterion=tr(f"criterion.{c}.label"),
                    level=tr(f"level.{levels[c]}")),
                 tr(f"summary.next.criterion.{c}"))
        )
    out.append(step("cse"))
    if levels.get("surveillance") in ACT_ON:
        out.append(step("cse_monitoring"))
    if to_act:
        out.append(step("duerp", criteria=names(to_act)))
    else:
        out.append(step("duerp_none"))
    if divergent:
        out.append(step("divergent", count=divergent))
    not_assessed = [c for c, lv in criteria if lv == "not_assessed"]
    if not_assessed and played:
        out.append(step("not_assessed", criteria=names(not_assessed)))
    out.append(step("share"))
    out.append(step("revisit"))

    wanted = set(ALWAYS) | {n for c in to_act for n in STEPS_FOR[c]}
    guide = tuple(
        GuideStep(n, tr(f"summary.guide_step.{n}.title"), tr(f"summary.guide_step.{n}.text"),
                  n in wanted)
        for n in range(1, STEP_COUNT + 1)
    )
    return Plan(tuple(out), guide)
