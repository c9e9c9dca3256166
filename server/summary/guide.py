"""The fixed parts of the reading guide and of "what to remember" (texts in the catalogues)."""

from typing import Final

from server.core.synthesis import Level

# the order in which the levels are explained
LEVELS: Final[tuple[Level, ...]] = ("ok", "watch", "alert", "not_assessed")
# what a level does not say: summary.guide.limit.<key>
LIMITS: Final = ("first_reading", "views", "divided", "not_audit")
# the guide's "what to remember": summary.remember.<key>.title / .text
REMEMBER: Final = ("involve", "roles", "simple", "training")
