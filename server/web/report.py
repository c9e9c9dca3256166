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
from server.rooms.seats import TokenOwner
from server.rooms.service import LiveRoom, new_token
from server.summary.html import render_report
from server.summary.model import build_summary
from server.templating import render
from server.web.api import public_base
from server.web.deps import PASS_COOKIE, LangDep, RoomsDep, SettingsDep, TokenDep, find_room

router = APIRouter()

NO_STORE = {"Cache-Control": "no-store", "X-Robots-Tag": "noindex"}
REPORT_PASS_S = 600.0  # a report pass lives ten minutes


async def _token_kind(rooms: RoomsDep, room: LiveRoom, token: str | None) -> str | None:
    """The kind of ``token`` (facilitator, player, share) if it opens this room, else None."""
    if not token:
        return None
    owner = await rooms.db(rooms.repo.token_owner, token)
    if owner is None or owner.room_code != room.code:
        return None
    return owner.kind


@router.get("/r/{code}/report", response_class=HTMLResponse)
async def report_page(
    code: str, request: Request, rooms: RoomsDep, lang: LangDep, token: TokenDep
) -> Response:
    """The report, for a token given as ``Authorization: Bearer``, as the room's pass cookie
    (``POST /api/rooms/{code}/report-pass``: nothing secret in the address bar, the history
    or a proxy's log), or in ``?token=`` (share links are links by design)."""
    try:
        room = await find_room(request, rooms, code)
    except NotFound:
        body = render("report/shell.html", lang=lang, code=code.upper(), state="not_found")
        return HTMLResponse(body, status_code=404, headers=NO_STORE)
    owner = await _owner_of(rooms, room, token)
    if owner is None:
        # 403 with a page that can still fetch a pass with the token this browser keeps
        body = render(
            "report/shell.html",
            lang=room.language,
            code=room.code,
            state="bad_token" if token else "need_token",
        )
        return HTMLResponse(body, status_code=403, headers=NO_STORE)
    kind = owner.player_id if owner.kind == "pass" else owner.kind
    summary = build_summary(room.deck, room.state, room.code)
    # with a pass the download links carry no token: the cookie goes with them
    body = render_report(summary, "web", token="" if owner.kind == "pass" else token, kind=kind)
    return HTMLResponse(body, headers=NO_STORE)


async def _owner_of(rooms: RoomsDep, room: LiveRoom, token: str | None) -> TokenOwner | None:
    if not token:
        return None
    owner = await rooms.db(rooms.repo.token_owner, token)
    if owner is None or owner.room_code != room.code:
        return None
    return owner


@router.post("/api/rooms/{code}/report-pass", status_code=204)
async def report_pass(code: str, request: Request, rooms: RoomsDep, token: TokenDep) -> Response:
    """Trade a token of the room (sent as ``Authorization: Bearer``) for a read-only pass
    to its report and downloads: an HttpOnly cookie valid REPORT_PASS_S seconds."""
    room = await find_room(request, rooms, code)
    owner = await _owner_of(rooms, room, token)
    if owner is None:
        raise Forbidden("bad_token" if token else "token_required")
    made_from = owner.player_id if owner.kind == "pass" else owner.kind
    ticket = new_token()
    await rooms.db(rooms.repo.create_pass, room.code, ticket, made_from, REPORT_PASS_S)
    response = Response(status_code=204, headers=NO_STORE)
    response.set_cookie(
        PASS_COOKIE + room.code,
        ticket,
        max_age=int(REPORT_PASS_S),
        httponly=True,
        samesite="strict",
        path="/",
        secure=request.url.scheme == "https",
    )
    return response


async def _facilitator_room(rooms: RoomsDep, code: str, token: str | None) -> LiveRoom:
    room = await rooms.get(code)  # behind a facilitator token: no guessing budget needed
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
