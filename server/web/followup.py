"""Follow-up sessions (issue 16): where the earlier session comes from, and the page that starts
a follow-up.

``POST /api/rooms`` takes an optional ``follows`` (docs/protocol.md, HTTP):
- ``{"code", "token"}`` or ``{"link"}`` (a share link or report link, as pasted): the earlier
  room must still be here, and the token must open it (its facilitator's, a participant's or
  a share token not revoked) — else 403 ``earlier_forbidden``. The server builds that room's
  summary and keeps the snapshot; the two rooms are linked, so erasing either clears it.
- ``{"summary": <summary JSON>}``: a summary file kept by the company (the earlier session
  may be erased). Nothing is linked: the snapshot is all there is.
"""

import re
from typing import Annotated, Any
from urllib.parse import parse_qs, urlsplit

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import BaseModel, ConfigDict, Field

from server.core.followup import Earlier, snapshot
from server.errors import BadMessage, Forbidden, NotFound
from server.rooms.service import RoomService
from server.summary.model import build_summary
from server.web.deps import DecksDep, LangDep, RoomsDep

router = APIRouter()

_CODE_IN_PATH = re.compile(r"/r/([A-Za-z0-9]{6})(?:/|$)")


class FollowsIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    code: Annotated[str, Field(max_length=16)] | None = None
    token: Annotated[str, Field(max_length=200)] | None = None
    link: Annotated[str, Field(max_length=2000)] | None = None
    summary: dict[str, Any] | None = None


def parse_link(link: str) -> tuple[str, str]:
    """(code, token) of a pasted report or share link: ``…/r/ABC123/report?token=…``."""
    parts = urlsplit(link.strip())
    match = _CODE_IN_PATH.search(parts.path)
    token = (parse_qs(parts.query).get("token") or [""])[0]
    if not token and parts.fragment:  # a facilitator link: /r/ABC123#f=…
        token = (parse_qs(parts.fragment).get("f") or [""])[0]
    if match is None:
        raise BadMessage("bad_field", field="follows.link")
    if not token:
        raise Forbidden("earlier_forbidden")
    return match.group(1).upper(), token


async def resolve(rooms: RoomService, follows: FollowsIn) -> tuple[Earlier, str | None]:
    """The snapshot of the earlier session, and its code when it is a room linked to."""
    if follows.summary is not None:
        return snapshot(follows.summary, "import"), None
    if follows.link:
        code, token = parse_link(follows.link)
    elif follows.code and follows.token:
        code, token = follows.code.strip().upper(), follows.token
    else:
        raise BadMessage("missing_field", field="follows")
    try:
        room = await rooms.get(code)
    except NotFound:
        # not "no such room": a link that opens nothing says as little as a wrong token
        raise Forbidden("earlier_forbidden") from None
    owner = await rooms.db(rooms.repo.token_owner, token)
    if owner is None or owner.room_code != room.code:
        raise Forbidden("earlier_forbidden")
    summary = build_summary(room.deck, room.state, room.code)
    return snapshot(summary.model_dump(mode="json"), "room"), room.code


@router.get("/follow-up", response_class=HTMLResponse)
async def follow_up_page(request: Request, lang: LangDep, rooms: RoomsDep, decks: DecksDep) -> Response:
    """Start a follow-up: paste the earlier session's link or import its summary JSON."""
    from server.web.pages import _page, json_block

    infos = [d.as_json() for d in await rooms.db(decks.list)]
    infos.sort(key=lambda d: (d["language"] != lang, not d["builtin"], d["title"].casefold()))
    return _page(request, lang, "followup.html", decks=infos, decks_json=json_block(infos))
