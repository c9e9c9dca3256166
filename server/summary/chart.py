"""The synthesis chart: an inline SVG bar chart drawn on the server.

One bar per criterion, grouped by dimension: its length is the share of the answered questions
that signal a risk, its colour the level, and the level is also written in words next to it,
with the counts (and "indicative" when the level rests on fewer than 3 answered questions), so
the chart reads in black and white and by a screen reader. A dashed line marks 50 %, where
"watch" becomes "alert". Only presentation attributes are used (no style attribute), which the
Content-Security-Policy allows, and which WeasyPrint draws the same.

Two layouts of the same chart: ``wide`` (label, bar and words on one line, for screens and
paper) and ``narrow`` (label and words above the bar, drawn at a phone's width so its text
stays at a readable size); the web report shows one or the other by the screen's width.
"""

from dataclasses import dataclass
from typing import Literal

from markupsafe import Markup, escape

from server.i18n import translate
from server.summary.model import CriterionOut, Summary
from server.summary.text import LEVEL_COLORS, level, percent

FONT = "DejaVu Sans, Verdana, sans-serif"
Layout = Literal["wide", "narrow"]


@dataclass(frozen=True)
class _Geometry:
    width: int
    bar_x: int
    bar_w: int
    row_h: int
    head_h: int
    top: int
    font: int  # text size, in the SVG's own units


WIDE = _Geometry(width=700, bar_x=160, bar_w=220, row_h=30, head_h=28, top=26, font=12)
NARROW = _Geometry(width=360, bar_x=0, bar_w=340, row_h=62, head_h=28, top=26, font=13)


def chart_svg(summary: Summary, layout: Layout = "wide") -> Markup:
    g = WIDE if layout == "wide" else NARROW
    lang = summary.language
    crit = {c.criterion: c for c in summary.synthesis.criteria}
    rows = sum(len(d.criteria) for d in summary.synthesis.dimensions)
    height = g.top + len(summary.synthesis.dimensions) * g.head_h + rows * g.row_h + 8
    ident = f"chart-{layout}"
    title = escape(_t(lang, "summary.chart.title"))
    desc_parts = []
    out: list[str] = []
    small = g.font - 2
    for ratio in (0.0, 0.5, 1.0):  # axis: 0, 50 %, 100 %
        x = g.bar_x + g.bar_w * ratio
        anchor = "start" if ratio == 0 else "end" if ratio == 1 else "middle"
        out.append(
            f'<text x="{x:.1f}" y="14" font-size="{small}" fill="#555" text-anchor="{anchor}">'
            f"{escape(percent(ratio, lang))}</text>"
        )
    y = g.top
    for dim in summary.synthesis.dimensions:
        out.append(
            f'<text x="0" y="{y + 18}" font-size="{g.font}" font-weight="bold" fill="#1d3557">'
            f"{escape(dim.label.upper())}</text>"
        )
        out.append(
            f'<line x1="0" y1="{y + 23}" x2="{g.width}" y2="{y + 23}" stroke="#c9d3df" stroke-width="1"/>'
        )
        y += g.head_h
        for cid in dim.criteria:
            c = crit[cid]
            words, detail = _words(c, lang)
            if layout == "wide":
                mid = y + g.row_h / 2
                out.append(
                    f'<text x="{g.bar_x - 10}" y="{mid + 4:.1f}" font-size="{g.font}" '
                    f'fill="#1a1a1a" text-anchor="end">{escape(c.label)}</text>'
                )
                out += _bar(c, g, mid)
                out.append(_level_text(c, g.bar_x + g.bar_w + 14, mid + 4, g.font, words, detail))
            else:
                # label, then the level in words, then the bar with its own 50 % tick
                out.append(
                    f'<text x="0" y="{y + 16}" font-size="{g.font}" fill="#1a1a1a" '
                    f'font-weight="bold">{escape(c.label)}</text>'
                )
                out.append(_level_text(c, 0, y + 33, small + 1, words, detail))
                out += _bar(c, g, y + 48)
                tick = g.bar_x + g.bar_w / 2
                out.append(
                    f'<line x1="{tick}" y1="{y + 37}" x2="{tick}" y2="{y + 59}" '
                    'stroke="#888" stroke-width="1" stroke-dasharray="3 2"/>'
                )
            desc_parts.append(f"{c.label}{_t(lang, 'summary.colon')} {words} ({detail})")
            y += g.row_h
    if layout == "wide":  # one dashed line at 50 % across the chart
        mid_x = g.bar_x + g.bar_w / 2
        out.append(
            f'<line x1="{mid_x}" y1="18" x2="{mid_x}" y2="{height - 6}" stroke="#888" '
            'stroke-width="1" stroke-dasharray="4 3"/>'
        )
    desc = escape("; ".join(desc_parts))
    body = "\n".join(out)
    return Markup(
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart chart--{layout}" '
        f'viewBox="0 0 {g.width} {height}" width="{g.width}" height="{height}" role="img" '
        f'aria-labelledby="{ident}-title {ident}-desc" font-family="{FONT}">'
        f'<title id="{ident}-title">{title}</title><desc id="{ident}-desc">{desc}</desc>'
        f"{body}</svg>"
    )


def _words(c: CriterionOut, lang: str) -> tuple[str, str]:
    words = level(c.level, lang)
    if c.indicative:
        words += f" ({_t(lang, 'summary.chart.indicative')})"
    if c.answered:
        detail = _t(lang, "summary.chart.bar_counts", risks=c.risks, answered=c.answered)
    else:
        detail = _t(lang, "summary.chart.none")
    return words, detail


def _bar(c: CriterionOut, g: _Geometry, mid: float) -> list[str]:
    out = [f'<rect x="{g.bar_x}" y="{mid - 8:.1f}" width="{g.bar_w}" height="16" rx="3" fill="#eef1f5"/>']
    if c.answered:
        w = max(g.bar_w * c.risks / c.answered, 4.0)  # a sliver even at 0 %, in the level's colour
        out.append(
            f'<rect x="{g.bar_x}" y="{mid - 8:.1f}" width="{w:.1f}" height="16" rx="3" '
            f'fill="{LEVEL_COLORS[c.level]}"/>'
        )
    else:
        out.append(
            f'<line x1="{g.bar_x + 6}" y1="{mid:.1f}" x2="{g.bar_x + g.bar_w - 6}" '
            f'y2="{mid:.1f}" stroke="#b8c0cc" stroke-width="1" stroke-dasharray="2 4"/>'
        )
    return out


def _level_text(c: CriterionOut, x: float, y: float, size: int, words: str, detail: str) -> str:
    return (
        f'<text x="{x}" y="{y:.1f}" font-size="{size}" fill="{LEVEL_COLORS[c.level]}" '
        f'font-weight="bold">{escape(words)}'
        f'<tspan fill="#444" font-weight="normal"> · {escape(detail)}</tspan></text>'
    )


def _t(lang: str, key: str, **params: object) -> str:
    return translate(lang, key, **params)
