"""What to do next, drawn from the LaborIA deployment guide and tailored to the session.

The guide's appropriation process has nine steps; each criterion points to the steps that
answer it best, so a criterion at "watch" or "alert" puts its steps forward, and a criterion
with questions "to clarify" puts forward transparency (step 3) and its own steps: the first
thing to do there is to find out who knows. Who must be informed or consulted depends on the
company's size: the CSE's information and consultation on the introduction of new technologies
(code du travail, art. L2312-8, quoted in the guide) applies to companies of at least 50
employees; smaller companies inform their staff directly and can lean on the prevention bodies
the guide names (services de prévention et de santé au travail, IPRP, ANACT, CARSAT, INRS).
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Final

from server.core.criteria import CriterionId
from server.core.state import CompanySize
from server.core.synthesis import Level
from server.i18n import translate
from server.summary.text import plural

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
TRANSPARENCY: Final = 3  # "garantir la transparence et la compréhension des technologies"
ALWAYS: Final = (1, 5)  # clarify the aims of the dialogue; assess working conditions (DUERP)
ACT_ON: Final[tuple[Level, ...]] = ("alert", "watch")
CSE_CONSULTED_FROM: Final = 50  # employees (art. L2312-8 and its section 2, as the guide quotes)


@dataclass(frozen=True)
class Step:
    id: str
    title: str
    text: str
    guide_steps: tuple[int, ...] = ()


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


def steps_for_clarifying(criterion: CriterionId) -> tuple[int, ...]:
    return (TRANSPARENCY, *(n for n in STEPS_FOR[criterion] if n != TRANSPARENCY))


def steps_words(lang: str, numbers: Sequence[int]) -> str:
    """« étape 6 », « étapes 3 et 7 », « étapes 2, 3 et 6 »."""
    ordered = sorted(set(numbers))
    if len(ordered) == 1:
        return translate(lang, "summary.steps.one", n=ordered[0])
    head = translate(lang, "summary.list_sep").join(str(n) for n in ordered[:-1])
    return translate(lang, "summary.steps.other", head=head, last=ordered[-1])


def _concern_steps(
    lang: str,
    to_act: Sequence[CriterionId],
    levels: Mapping[CriterionId, Level],
    to_clarify: Sequence[tuple[CriterionId, int]],
) -> list[Step]:
    """A step per criterion to act on, then one per criterion with questions to clarify."""

    def tr(key: str, **params: object) -> str:
        return translate(lang, key, **params)

    out: list[Step] = []
    for c in to_act:
        guide = STEPS_FOR[c]
        out.append(
            Step(
                f"criterion.{c}",
                tr(
                    "summary.next.criterion.title",
                    criterion=tr(f"criterion.{c}.label"),
                    level=tr(f"level.{levels[c]}"),
                ),
                tr(f"summary.next.criterion.{c}")
                + " "
                + tr("summary.next.see_steps", steps=steps_words(lang, guide)),
                guide,
            )
        )
    for c, count in to_clarify:
        guide = steps_for_clarifying(c)
        out.append(
            Step(
                f"clarify.{c}",
                tr("summary.next.clarify.title", criterion=tr(f"criterion.{c}.label")),
                plural(lang, "summary.next.clarify.text", count, count=count)
                + " "
                + tr("summary.next.see_steps", steps=steps_words(lang, guide)),
                guide,
            )
        )
    return out


def plan(
    lang: str,
    *,
    criteria: Sequence[tuple[CriterionId, Level]],
    divergent: int,
    finished: bool,
    played: int,
    to_clarify: Sequence[tuple[CriterionId, int]] = (),
    insufficient: int = 0,
    company_size: CompanySize | None = None,
) -> Plan:
    def tr(key: str, **params: object) -> str:
        return translate(lang, key, **params)

    def step(key: str, guide: tuple[int, ...] = (), **params: object) -> Step:
        return Step(
            key, tr(f"summary.next.{key}.title", **params), tr(f"summary.next.{key}.text", **params), guide
        )

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
    out += _concern_steps(lang, to_act, levels, to_clarify)
    if insufficient:
        out.append(
            Step(
                "insufficient",
                tr("summary.next.insufficient.title"),
                plural(lang, "summary.next.insufficient.text", insufficient, count=insufficient),
            )
        )
    size = company_size or "unknown"
    out.append(step(f"cse.{size}", (1, 2)))
    if levels.get("surveillance") in ACT_ON:
        small = company_size in ("under_11", "11_49")
        out.append(step("monitoring_small" if small else "cse_monitoring", (7,)))
    out.append(step("prevention", (5,)))
    if to_act:
        out.append(step("duerp", (5,), criteria=names(to_act)))
    else:
        out.append(step("duerp_none", (5,)))
    if divergent:
        out.append(
            Step(
                "divergent",
                tr("summary.next.divergent.title"),
                plural(lang, "summary.next.divergent.text", divergent, count=divergent),
                (6,),
            )
        )
    not_assessed = [c for c, lv in criteria if lv == "not_assessed"]
    if not_assessed and played:
        out.append(step("not_assessed", (8,), criteria=names(not_assessed)))
    out.append(step("share", (2,)))
    out.append(step("revisit", (6, 9)))

    wanted = (
        set(ALWAYS)
        | {n for c in to_act for n in STEPS_FOR[c]}
        | {n for c, _ in to_clarify for n in steps_for_clarifying(c)}
    )
    guide_steps = tuple(
        GuideStep(n, tr(f"summary.guide_step.{n}.title"), tr(f"summary.guide_step.{n}.text"), n in wanted)
        for n in range(1, STEP_COUNT + 1)
    )
    return Plan(tuple(out), guide_steps)
