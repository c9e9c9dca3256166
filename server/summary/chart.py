"""The synthesis chart: an inline SVG bar chart drawn on the server.

One bar per criterion, grouped by dimension: its length is the share of the answered questions
that signal a risk, its colour the level, and the level is also written in words next to it,
with the counts, so the chart reads in black and white and by a screen reader. A dashed line
marks 50 %, where "watch" becomes "alert". Only presentation attributes are used (no style
attribute), which the Content-Security-Policy allows, and which WeasyPrint draws the same.
"""

from markupsafe import Markup, escape

from server.i18n import translate
from server.summary.model import Summary
from server.summary.text import LEVEL_COLORS, level, percent

WIDTH = 700
LABEL_W = 150
BAR_X = 160
BAR_W = 220
TEXT_X = BAR_X + BAR_W + 14
ROW_H = 30
HEAD_H = 28
TOP = 26
FONT = "DejaVu Sans, Verdana, sans-serif"


def chart_svg(summary: Summary) -> Markup:
    lang = summary.language
    crit = {c.criterion: c for c in summary.synthesis.criteria}
    rows = sum(len(d.criteria) for d in summary.synthesis.dimensions)
    height = TOP + len(summary.synthesis.dimensions) * HEAD_H + rows * ROW_H + 8
    title = escape(_t(lang, "summary.chart.title"))
    desc_parts = []
    out: list[str] = []
    # axis: 0, 50 %, 100 %
    for ratio in (0.0, 0.5, 1.0):
        x = BAR_X + BAR_W * ratio
        anchor = "start" if ratio == 0 else "end" if ratio == 1 else "middle"
        out.append(
            f'<text x="{x:.1f}" y="14" font-size="10" fill="#555" text-anchor="{anchor}">'
            f"{escape(percent(ratio, lang))}</text>"
        )
    y = TOP
    for dim in summary.synthesis.dimensions:
        out.append(
            f'<text x="0" y="{y + 18}" font-size="12" font-weight="bold" fill="#1d3557">'
            f"{escape(dim.label.upper())}</text>"
        )
        out.append(f'<line x1="0" y1="{y + 23}" x2="{WIDTH}" y2="{y + 23}" '
                   'stroke="#c9d3df" stroke-width="1"/>')
        y += HEAD_H
        for cid in dim.criteria:
            c = crit[cid]
            color = LEVEL_COLORS[c.level]
            mid = y + ROW_H / 2
            out.append(
                f'<text x="{LABEL_W}" y="{mid + 4:.1f}" font-size="12" fill="#1a1a1a" '
                f'text-anchor="end">{escape(c.label)}</text>'
            )
            out.append(
                f'<rect x="{BAR_X}" y="{mid - 8:.1f}" width="{BAR_W}" height="16" rx="3" '
                'fill="#eef1f5"/>'
            )
            if c.answered:
                ratio = c.risks / c.answered
                w = max(BAR_W * ratio, 4.0)  # a sliver even at 0 %, in the level's colour
                out.append(
                    f'<rect x="{BAR_X}" y="{mid - 8:.1f}" width="{w:.1f}" height="16" rx="3" '
                    f'fill="{color}"/>'
                )
                detail = _t(lang, "summary.chart.bar_counts", risks=c.risks, answered=c.answered)
            else:
                out.append(
                    f'<line x1="{BAR_X + 6}" y1="{mid:.1f}" x2="{BAR_X + BAR_W - 6}" '
                    f'y2="{mid:.1f}" stroke="#b8c0cc" stroke-width="1" stroke-dasharray="2 4"/>'
                )
                detail = _t(lang, "summary.chart.none")
            words = level(c.level, lang)
            out.append(
                f'<text x="{TEXT_X}" y="{mid + 4:.1f}" font-size="12" fill="{color}" '
                f'font-weight="bold">{escape(words)}'
                f'<tspan fill="#444" font-weight="normal"> · {escape(detail)}</tspan></text>'
            )
            desc_parts.append(f"{c.label}{_t(lang, 'summary.colon')} {words} ({detail})")
            y += ROW_H
    mid_x = BAR_X + BAR_W / 2
    out.append(
        f'<line x1="{mid_x}" y1="18" x2="{mid_x}" y2="{height - 6}" stroke="#888" '
        'stroke-width="1" stroke-dasharray="4 3"/>'
    )
    desc = escape("; ".join(desc_parts))
    body = "\n".join(out)
    return Markup(
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {WIDTH} {height}" '
        f'width="{WIDTH}" height="{height}" role="img" aria-labelledby="chart-title chart-desc" '
        f'font-family="{FONT}">'
        f'<title id="chart-title">{title}</title><desc id="chart-desc">{desc}</desc>'
        f"{body}</svg>"
    )


def _t(lang: str, key: str, **params: object) -> str:
    return translate(lang, key, **params)
