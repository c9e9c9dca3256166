"""One colour-contrast rule for the game and the studio (static/js/colors.js): the ink chosen on
a theme colour is the one that contrasts more, and white only when it reaches 4.5:1."""

import re

from playwright.sync_api import Page

from tests.browser.conftest import Pages
from tests.helpers import ROOT, ServerProcess

# luminances around 0.18–0.35, where the game and the studio used to disagree, and the extremes
COLOURS = [
    "#2a6f97",
    "#6a4c93",
    "#1b7f5b",
    "#b5452b",
    "#8a6d00",
    "#3d5a80",
    "#9c2f6b",
    "#2a9d8f",
    "#e76f51",
    "#f4a261",
    "#8ab17d",
    "#5e9ed6",
    "#c77dff",
    "#ffffff",
    "#000000",
    "#7f7f7f",
    "#909090",
    "#a0a0a0",
    "#4f8fbf",
    "#3aa655",
]


def luminance(hex_colour: str) -> float:
    def channel(v: int) -> float:
        c = v / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    n = int(hex_colour[1:], 16)
    return 0.2126 * channel(n >> 16) + 0.7152 * channel((n >> 8) & 255) + 0.0722 * channel(n & 255)


def contrast(a: float, b: float) -> float:
    return (max(a, b) + 0.05) / (min(a, b) + 0.05)


def ink_in_browser(page: Page, colours: list[str]) -> list[str]:
    inks: list[str] = page.evaluate(
        """async (colours) => {
          const { inkFor } = await import('/static/js/colors.js');
          return colours.map(inkFor);
        }""",
        colours,
    )
    return inks


def test_the_ink_contrasts_more_and_white_reaches_aa(server: ServerProcess, pages: Pages) -> None:
    page = pages.new("colours")
    page.goto(f"{server.base}/")
    for colour, ink in zip(COLOURS, ink_in_browser(page, COLOURS), strict=True):
        bg = luminance(colour)
        white, dark = contrast(bg, 1.0), contrast(bg, luminance("#14181f"))
        if ink == "#ffffff":
            assert white >= 4.5, (colour, white)
        else:
            assert ink == "#14181f" and dark >= white, (colour, dark, white)


def test_game_and_studio_share_the_rule() -> None:
    js = ROOT / "static" / "js"
    studio = "\n".join(p.read_text("utf-8") for p in sorted((js / "studio").glob("*.js")))
    sources = {
        "views.js": (js / "views.js").read_text("utf-8"),
        "studio/": (js / "studio.js").read_text("utf-8") + studio,
    }
    for name, source in sources.items():
        assert re.search(r"""import \{[^}]*\binkFor\b[^}]*\} from ['"]\.\.?/colors\.js['"]""", source), name
        # no second copy of the formula anywhere in the game or the studio
        assert "0.2126" not in source and "0.03928" not in source, name
