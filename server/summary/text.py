"""Wording shared by the formats: dates, durations, answers and levels in the session language.

Dates are stored in UTC and shown in French time (the product's users are French companies),
with the time zone said in words so nobody has to guess.
"""

from datetime import datetime
from functools import cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from server.i18n import catalogue, normalize, translate

LEVEL_COLORS = {"alert": "#b3261e", "watch": "#9a5b00", "ok": "#2e7d32", "not_assessed": "#6b6b6b"}


@cache
def _zone() -> ZoneInfo | None:
    try:
        return ZoneInfo("Europe/Paris")
    except ZoneInfoNotFoundError:  # pragma: no cover - a system without tzdata: say UTC
        return None


def when(iso: str | None, lang: str) -> str:
    """``2025-11-23T13:05:00+00:00`` → « 23 novembre 2025, 14 h 05 (heure de Paris) »."""
    if not iso:
        return translate(lang, "summary.unknown")
    moment = datetime.fromisoformat(iso)
    zone = _zone()
    zone_label = translate(lang, "summary.zone_paris" if zone else "summary.zone_utc")
    if zone is not None:
        moment = moment.astimezone(zone)
    return translate(
        lang,
        "summary.datetime",
        day=moment.day,
        month=translate(lang, f"summary.month.{moment.month}"),
        year=moment.year,
        hour=f"{moment.hour:02d}",
        minute=f"{moment.minute:02d}",
        zone=zone_label,
    )


def day(iso: str | None, lang: str) -> str:
    if not iso:
        return translate(lang, "summary.unknown")
    moment = datetime.fromisoformat(iso)
    zone = _zone()
    if zone is not None:
        moment = moment.astimezone(zone)
    return translate(
        lang,
        "summary.date",
        day=moment.day,
        month=translate(lang, f"summary.month.{moment.month}"),
        year=moment.year,
    )


def duration(seconds: int | None, lang: str) -> str:
    if seconds is None:
        return translate(lang, "summary.unknown")
    minutes = round(seconds / 60)
    if minutes < 1:
        return translate(lang, "summary.duration.under_minute")
    hours, rest = divmod(minutes, 60)
    if hours == 0:
        return translate(lang, "summary.duration.minutes", minutes=rest)
    return translate(lang, "summary.duration.hours", hours=hours, minutes=f"{rest:02d}")


def answer(value: str | None, lang: str) -> str:
    """The words for a group answer (yes, no, don't know, divided, to clarify, not enough
    answers)."""
    if value is None:
        return "—"
    return translate(lang, f"summary.group.{value}")


def basis(group: str | None, consensus: bool, quorum: int, lang: str) -> str:
    """What a group answer rests on: the consensus, the majority, a tie, the unsure votes or a
    missing quorum (docs/protocol.md, the rule's order)."""
    if consensus:
        return translate(lang, "summary.basis.consensus")
    key = {
        "yes": "majority",
        "no": "majority",
        "divided": "tie",
        "to_clarify": "to_clarify",
        "insufficient": "insufficient",
    }.get(group or "", "tie")
    return translate(lang, f"summary.basis.{key}", quorum=quorum)


def level(value: str, lang: str) -> str:
    return translate(lang, f"level.{value}")


def percent(ratio: float, lang: str) -> str:
    return translate(lang, "summary.percent", value=round(100 * ratio))


def plural_form(lang: str, n: int) -> str:
    """``one`` or ``other``: French counts 0 and 1 as singular, English only 1."""
    if (normalize(lang) or "fr") == "fr":
        return "one" if abs(n) < 2 else "other"
    return "one" if abs(n) == 1 else "other"


def plural(lang: str, key: str, number: int, /, **params: object) -> str:
    """``key`` with its counts (the message format's ``{n|one|other}``, docs/i18n.md); the
    two-key form ``<key>.one`` / ``<key>.other`` is kept for texts that differ as a whole."""
    code = normalize(lang) or "fr"
    if key in catalogue(code):
        return translate(lang, key, **params)
    return translate(lang, f"{key}.{plural_form(lang, number)}", **params)


def turnout(voted: int, present: int, lang: str) -> str:
    """« 3 sur 4 ont répondu », « 1 sur 3 a répondu », "3 of 4 answered"."""
    # people who voted and then left before the reveal still voted: never "3 of 2"
    return plural(lang, "summary.turnout", voted, voted=voted, present=max(present, voted))


def rests_on(answered: int, to_clarify: int, insufficient: int, divided: int, lang: str) -> str:
    """« repose sur 2 questions tranchées · 1 à clarifier · 1 sans quorum »."""
    head = (
        plural(lang, "summary.rests_on", answered, n=answered)
        if answered
        else translate(lang, "summary.rests_on_none")
    )
    parts = [head] + [
        plural(lang, f"summary.also.{key}", n, n=n)
        for key, n in (("to_clarify", to_clarify), ("insufficient", insufficient), ("divided", divided))
        if n
    ]
    return " · ".join(parts)


def cards_line(played: int, skipped: int, parked: int, total: int, lang: str) -> str:
    def part(key: str, n: int) -> str:
        return plural(lang, f"summary.cards_part.{key}", n, n=n)

    return translate(
        lang,
        "summary.cards_line",
        played=part("played", played),
        skipped=part("skipped", skipped),
        parked=part("parked", parked),
        total=part("total", total),
    )


def quorum_line(percent: int, minimum: int, lang: str) -> str:
    key = "summary.quorum_line" if percent == 50 else "summary.quorum_line_custom"
    return translate(lang, key, percent=percent, minimum=minimum)
