"""``create_app(settings)``: builds every part of the app from one settings object."""

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Receive, Scope, Send

from server.decks.catalog import DeckCatalog, load_builtin
from server.errors import AppError, BadMessage, DeckInvalid
from server.i18n import error_message, translate
from server.rooms.bus import bus_from_url
from server.rooms.sealing import FileKeyStore, KeyStore, RedisKeyStore
from server.rooms.service import RoomService
from server.settings import ROOT, Settings
from server.storage.checkpoints import checkpoints
from server.storage.engine import make_engine
from server.storage.repository import Repository
from server.summary import layouts
from server.web import api, followup, guide, pages, report, sockets, studio
from server.web.bodylimit import BodyLimit
from server.web.clientaddr import ClientAddress, parse_networks
from server.web.deps import request_lang
from server.web.direct import RawSendProbe
from server.web.origin import JsonFromOurOrigin
from server.web.quietgc import collect_when_quiet
from server.web.ratelimit import AddressBuckets, AddressLimiter, CodeGuard, Limit
from server.web.security import SecurityHeaders

log = logging.getLogger(__name__)


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        engine = make_engine(settings.database_url, busy_timeout_ms=settings.db_busy_timeout_ms)
        repo = Repository(engine)
        db_threads = 4 if settings.database_url.startswith("sqlite") else 8
        bus = bus_from_url(settings.bus_url, presence_ttl_s=settings.presence_ttl_s)
        keys: KeyStore = (
            RedisKeyStore(settings.redis_url) if settings.redis_url else FileKeyStore(settings.key_dir)
        )
        rooms = RoomService(
            repo,
            big_room_threshold=settings.big_room_threshold,
            coalesce_ms=settings.coalesce_ms,
            db_threads=db_threads,
            bus=bus,
            keys=keys,
        )
        await bus.start(rooms.on_bus_event)
        app.state.rooms = rooms
        app.state.decks = DeckCatalog(
            load_builtin(settings.cards_dir),
            repo,
            per_address=settings.decks_per_address,
            total=settings.decks_total,
        )
        layouts.use_process(settings.pdf_process)
        cleaner = asyncio.create_task(_housekeeping(rooms, settings))
        checkpointer = asyncio.create_task(checkpoints(repo, rooms.db))
        tasks = [cleaner, checkpointer, asyncio.create_task(_slow_readers(rooms, settings))]
        tasks.append(asyncio.create_task(collect_when_quiet()))
        if bus.shared:
            tasks.append(asyncio.create_task(_presence(rooms, settings.presence_ttl_s / 2)))
        try:
            yield
        finally:
            for task in tasks:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
            await bus.close()
            await rooms.close()
            layouts.stop()
            if isinstance(keys, RedisKeyStore):
                await keys.close()
            engine.dispose()

    app = ExplorIA(title="ExplorIA en ligne", version="1", lifespan=lifespan)
    app.state.settings = settings
    app.state.open_sockets = {}  # address group → open WebSockets (server/web/sockets.py)
    app.state.code_guard = CodeGuard(settings.code_misses_per_hour, settings.code_misses_burst)
    app.include_router(api.router)
    app.include_router(pages.router)
    app.include_router(report.router)
    app.include_router(studio.router)
    app.include_router(guide.router)
    app.include_router(followup.router)
    app.mount("/static", StaticFiles(directory=ROOT / "static"), name="static")
    app.add_middleware(JsonFromOurOrigin, settings=settings)
    app.add_middleware(AddressLimiter, limits=address_limits(settings))
    app.add_middleware(BodyLimit, max_bytes=settings.max_body_bytes)
    # outside the limits: their 413, 429 and 415 carry the security headers too
    app.add_middleware(SecurityHeaders, settings=settings)
    app.add_middleware(ClientAddress, trusted=parse_networks(settings.trusted_proxies))
    app.add_middleware(RawSendProbe)  # last added = outermost: sees the server's own send
    # WebSocket connections skip the stack above: see ExplorIA
    app.sockets = sockets.RoomSockets(
        parse_networks(settings.trusted_proxies), AddressBuckets(address_limits(settings))
    )
    _install_error_handlers(app)
    return app


class ExplorIA(FastAPI):
    """The app. WebSocket connections (``/ws/rooms/{code}``) go to ``sockets``
    (``server/web/sockets.py``, ``RoomSockets``), not through the middlewares and routing of the
    HTTP side: every layer would keep a frame alive for the connection's whole life.
    ``RoomSockets`` applies what of the middlewares concerns a WebSocket; a new middleware
    that should see WebSockets must be applied there too."""

    sockets: ASGIApp | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "websocket" and self.sockets is not None:
            scope["app"] = self
            if self.root_path:
                scope["root_path"] = self.root_path
            await self.sockets(scope, receive, send)
            return
        await super().__call__(scope, receive, send)


def address_limits(settings: Settings) -> dict[str, Limit]:
    return {
        "join": Limit(settings.joins_per_minute / 60, settings.joins_burst),
        "lookup": Limit(settings.lookups_per_minute / 60, settings.lookups_burst),
        "create_room": Limit(settings.rooms_per_minute / 60, settings.rooms_burst),
        "deck_upload": Limit(settings.deck_uploads_per_minute / 60, settings.deck_uploads_burst),
    }


SLOW_SWEEP_PARTS = 10  # each room looked at once a second, a tenth of them every 0.1 s


async def _slow_readers(rooms: RoomService, settings: Settings) -> None:
    """Once a second for each room: cut readers whose buffer passed MAX_BUFFERED_BYTES, or
    whose pending send has waited longer than WS_PING_TIMEOUT (a keepalive could not have got
    through). In tenths, so that no turn of the loop walks every connection."""
    part = 0
    while True:
        await asyncio.sleep(1.0 / SLOW_SWEEP_PARTS)
        part = (part + 1) % SLOW_SWEEP_PARTS
        try:
            cut = rooms.sweep_slow(
                settings.max_buffered_bytes, settings.ws_ping_timeout, part, SLOW_SWEEP_PARTS
            )
            if cut:
                log.info("closed %d connections that fell behind", cut)
        except Exception:
            log.exception("slow reader check failed")


async def _presence(rooms: RoomService, interval_s: float) -> None:
    """Several processes: release the people of processes that stopped (see bus.py)."""
    while True:
        await asyncio.sleep(interval_s)
        try:
            fixed = await rooms.reconcile_presence()
            if fixed:
                log.info("corrected %d presences", fixed)
        except Exception:
            log.exception("presence check failed")


async def _housekeeping(rooms: RoomService, settings: Settings) -> None:
    """Erase expired sessions and forget idle rooms, now and then."""
    while True:
        try:
            expired = await rooms.expire(
                retention_days=settings.retention_days, lobby_days=settings.lobby_expiry_days
            )
            if expired:
                log.info("erased %d expired sessions", len(expired))
            rooms.unload_idle()
            unused = await rooms.db(
                rooms.repo.delete_unused_decks, time.time() - settings.deck_expiry_days * 86400
            )
            if unused:
                log.info("erased %d unused custom decks", unused)
        except Exception:  # never let housekeeping take the app down
            log.exception("housekeeping failed")
        await asyncio.sleep(settings.cleanup_interval_s)


def _install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(DeckInvalid)
    async def deck_invalid(request: Request, exc: DeckInvalid) -> JSONResponse:
        lang = request_lang(request)
        errors = [
            {"path": p.path, "message": translate(lang, f"deck.problem.{p.key}", **p.params), "code": p.key}
            for p in exc.problems
        ]
        return JSONResponse({"errors": errors}, status_code=422)

    @app.exception_handler(AppError)
    async def app_error(request: Request, exc: AppError) -> JSONResponse:
        lang = request_lang(request)
        message = error_message(lang, exc.code, exc.params)
        body: dict[str, object] = {"error": {"code": exc.code, "message": message}}
        if isinstance(exc, BadMessage):  # one list shape for every 422, as for decks
            body["errors"] = [
                {"path": str(exc.params.get("field", "")), "message": message, "code": exc.code}
            ]
        return JSONResponse(body, status_code=exc.http_status)

    @app.exception_handler(RequestValidationError)
    async def validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        lang = request_lang(request)
        first = exc.errors()[0] if exc.errors() else {"loc": ()}
        field = ".".join(str(p) for p in first.get("loc", ())[1:])
        message = translate(lang, "error.bad_field", field=field)
        return JSONResponse({"error": {"code": "bad_field", "message": message}}, 422)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        lang = request_lang(request)
        code = {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "http_error")
        message = translate(lang, f"error.{code}")
        return JSONResponse({"error": {"code": code, "message": message}}, exc.status_code)
