"""The six criteria of the LaborIA self-diagnosis, grouped in two dimensions.

The app (not the decks) owns their labels and texts: they live in the translation catalogues
under ``criterion.<id>.*``; this module only knows the ids and their grouping.
"""

from typing import Final, Literal

CriterionId = Literal[
    "autonomie", "reconnaissance", "savoir_faire", "surveillance", "relations_humaines", "responsabilite"
]

CRITERIA: Final[tuple[CriterionId, ...]] = (
    "autonomie",
    "reconnaissance",
    "savoir_faire",
    "surveillance",
    "relations_humaines",
    "responsabilite",
)

DimensionId = Literal["engagement", "bien_etre"]

DIMENSIONS: Final[dict[DimensionId, tuple[CriterionId, ...]]] = {
    "engagement": ("autonomie", "savoir_faire", "responsabilite"),
    "bien_etre": ("reconnaissance", "relations_humaines", "surveillance"),
}
