"""Wording shared by the formats: dates, durations, answers and levels in the session language.

Dates are stored in UTC and shown in French time (the product's users are French companies),
with the time zone said in words so nobody has to guess.
"""

from datetime import datetime
from functools import cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from server.i18n import translate

LEVEL_COLORS = {
    "alert": "#b3261e",
    "watch": "#9a5b00",
    "ok": "#2e7d32",
    "not_assessed": "#6b6b6b",
}


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
        lang, "summary.datetime", day=moment.day,
        month=translate(lang, f"summary.month.{moment.month}"), year=moment.year,
        hour=f"{moment.hour:02d}", minute=f"{moment.minute:02d}", zone=zone_label,
    )


def day(iso: str | None, lang: str) -> str:
    if not iso:
        return translate(lang, "summary.unknown")
    moment = datetime.fromisoformat(iso)
    zone = _zone()
    if zone is not None:
        moment = moment.astimezone(zone)
    return translate(lang, "summary.date", day=moment.day,
                     month=translate(lang, f"summary.month.{moment.month}"), year=moment.year)


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
    """The word for a vote or group answer (yes, no, don't know, divided)."""
    if value is None:
        return "—"
    return translate(lang, f"answer.{value}")


def level(value: str, lang: str) -> str:
    return translate(lang, f"level.{value}")


def percent(ratio: float, lang: str) -> str:
    return translate(lang, "summary.percent", value=round(100 * ratio))
