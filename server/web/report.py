"""The web report (/r/{code}/report) and the read-only share links of a session's summary.

Access is by token, as for the summary downloads: the facilitator's, a participant's, or a
share token made by the facilitator for people who were not in the room. A share token opens
the report and the downloads, nothing else (it holds no seat, so the game refuses it).

Opened without ``?token=``, the page is a small shell whose script (static/js/report.js) looks
for the token the game page keeps in localStorage and comes back with it; with a valid token
the whole report is rendered on the server, so it also works without script and prints well.
"""

from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse, JSONResponse

from server.errors import Forbidden, NotFound
from server.rooms.service import LiveRoom, new_token
from server.summary.html import render_report
from server.summary.model import build_summary
from server.web.api import public_base
from server.web.deps import LangDep, RoomsDep, SettingsDep, TokenDep
from server.web.templating import render

router = APIRouter()

NO_STORE = {"Cache-Control": "no-store", "X-Robots-Tag": "noindex"}


async def _token_kind(rooms: RoomsDep, room: LiveRoom, token: str | None) -> str | None:
    """The kind of ``token`` (facilitator, player, share) if it opens this room, else None."""
    if not token:
        return None
    owner = await rooms.db(rooms.repo.token_owner, token)
    if owner is None or owner.room_code != room.code:
        return None
    return owner.kind


@router.get("/r/{code}/report", response_class=HTMLResponse)
async def report_page(code: str, request: Request, rooms: RoomsDep, lang: LangDep) -> Response:
    try:
        room = await rooms.get(code)
    except NotFound:
        body = render("report/shell.html", lang=lang, code=code.upper(), state="not_found")
        return HTMLResponse(body, status_code=404, headers=NO_STORE)
    token = request.query_params.get("token") or None
    kind = await _token_kind(rooms, room, token)
    if kind is None:
        # 403 with a page that can still fetch the right token from this browser's storage
        body = render("report/shell.html", lang=room.language, code=room.code,
                      state="bad_token" if token else "need_token")
        return HTMLResponse(body, status_code=403, headers=NO_STORE)
    summary = build_summary(room.deck, room.state, room.code)
    body = render_report(summary, "web", token=token, kind=kind)
    return HTMLResponse(body, headers=NO_STORE)


async def _facilitator_room(rooms: RoomsDep, code: str, token: str | None) -> LiveRoom:
    room = await rooms.get(code)
    if not token:
        raise Forbidden("token_required")
    kind = await _token_kind(rooms, room, token)
    if kind is None:
        raise Forbidden("bad_token")
    if kind != "facilitator":
        raise Forbidden("not_facilitator")
    return room


@router.post("/api/rooms/{code}/shares", status_code=201)
async def create_share(
    code: str, request: Request, rooms: RoomsDep, settings: SettingsDep, token: TokenDep
) -> JSONResponse:
    room = await _facilitator_room(rooms, code, token)
    share = new_token()
    await rooms.db(rooms.repo.create_share_token, room.code, share)
    base = public_base(request, settings.public_url)
    body: dict[str, Any] = {"token": share, "url": f"{base}/r/{room.code}/report?token={share}"}
    return JSONResponse(body, status_code=201, headers=NO_STORE)


@router.delete("/api/rooms/{code}/shares")
async def revoke_shares(code: str, rooms: RoomsDep, token: TokenDep) -> dict[str, int]:
    room = await _facilitator_room(rooms, code, token)
    revoked = await rooms.db(rooms.repo.revoke_share_tokens, room.code)
    return {"revoked": revoked}
