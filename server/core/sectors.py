"""The fixed list of sectors a card can be tagged with (deck field ``cards[].sectors``).

A facilitator picks sectors for a session (``RoomSettings.sectors``); the dealing then keeps the
cards tagged with one of them and the untagged ones (an untagged card suits any sector). The app
owns the labels: translation catalogue keys ``sector.<id>``.
"""

from collections.abc import Sequence
from typing import Final, Literal, get_args

SectorId = Literal[
    "agriculture",
    "artisanat",
    "artisanat_alimentaire",
    "btp",
    "commerce",
    "hotellerie_restauration",
    "industrie",
    "juridique_conseil",
    "logistique_transport",
    "public_associatif",
    "sante_social",
    "services_entreprises",
]

SECTORS: Final[tuple[SectorId, ...]] = get_args(SectorId)  # in the order above


def suits(card_sectors: Sequence[str] | None, wanted: Sequence[str]) -> bool:
    """Whether a card tagged ``card_sectors`` is dealt in a session limited to ``wanted``.

    No limit (empty ``wanted``) keeps every card; an untagged card suits every sector.
    """
    if not wanted or not card_sectors:
        return True
    return any(s in wanted for s in card_sectors)
