"""The fixed parts of the reading guide and of "what to remember" (texts in the catalogues)."""

from typing import Final

from server.core.synthesis import Level

# the order in which the levels are explained
LEVELS: Final[tuple[Level, ...]] = ("ok", "watch", "alert", "not_assessed")
# what a level does not say: summary.guide.limit.<key>
LIMITS: Final = ("first_reading", "views", "divided", "not_audit")
# the guide's "what to remember": summary.remember.<key>.title / .text
REMEMBER: Final = ("involve", "roles", "simple", "training")
# the rule, in the order it applies: summary.guide.rule.<key>
RULES: Final = (
    "turnout",
    "quorum",
    "consensus",
    "to_clarify",
    "majority",
    "divergent",
    "level",
    "indicative",
    "thresholds",
)
# LaborIA's official documents, as the guide names them (summary.official.<key>)
OFFICIAL: Final = (
    (
        "cards",
        "https://www.laboria.ai/wp-content/uploads/2025/03/"
        "LaborIA-Explorer-JEU-DE-CARTES-EXPLORIA_Mars-2025.pdf",
    ),
    (
        "diagnostic",
        "https://www.laboria.ai/wp-content/uploads/2025/03/LaborIA-Explorer-AUTO-DIAGNOCTIC_Mars-2025-.pdf",
    ),
)
