"""``create_app(settings)``: builds every part of the app from one settings object."""

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from server.decks.catalog import DeckCatalog, load_builtin
from server.errors import AppError, BadMessage, DeckInvalid
from server.i18n import error_message, translate
from server.rooms.bus import Bus, LocalBus, RedisBus
from server.rooms.service import RoomService
from server.settings import ROOT, Settings
from server.storage.engine import make_engine
from server.storage.repository import Repository
from server.web import api, guide, pages, report, studio, ws
from server.web.bodylimit import BodyLimit
from server.web.deps import request_lang
from server.web.direct import RawSendProbe
from server.web.ratelimit import AddressLimiter, Limit
from server.web.security import SecurityHeaders

log = logging.getLogger(__name__)


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        engine = make_engine(settings.database_url, busy_timeout_ms=settings.db_busy_timeout_ms)
        repo = Repository(engine)
        db_threads = 4 if settings.database_url.startswith("sqlite") else 8
        bus: Bus = (RedisBus(settings.redis_url, presence_ttl_s=settings.presence_ttl_s)
                    if settings.redis_url else LocalBus())
        rooms = RoomService(
            repo, big_room_threshold=settings.big_room_threshold,
            coalesce_ms=settings.coalesce_ms, db_threads=db_threads, bus=bus,
        )
        await bus.start(rooms.on_bus_event)
        app.state.rooms = rooms
        app.state.decks = DeckCatalog(load_builtin(settings.cards_dir), repo)
        cleaner = asyncio.create_task(_housekeeping(rooms, settings))
        checkpointer = asyncio.create_task(_checkpoints(rooms))
        tasks = [cleaner, checkpointer]
        if rooms.shared_presence:
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
            engine.dispose()

    app = FastAPI(title="ExplorIA en ligne", version="1", lifespan=lifespan)
    app.state.settings = settings
    app.include_router(api.router)
    app.include_router(pages.router)
    app.include_router(report.router)
    app.include_router(studio.router)
    app.include_router(guide.router)
    app.mount("/static", StaticFiles(directory=ROOT / "static"), name="static")
    app.add_middleware(SecurityHeaders)
    app.add_middleware(AddressLimiter, limits=address_limits(settings))
    app.add_middleware(BodyLimit, max_bytes=settings.max_body_bytes)
    app.add_middleware(RawSendProbe)  # last added = outermost: sees the server's own send
    app.add_api_websocket_route("/ws/rooms/{code}", ws.room_socket)
    _install_error_handlers(app)
    return app


def address_limits(settings: Settings) -> dict[str, Limit]:
    return {
        "join": Limit(settings.joins_per_minute / 60, settings.joins_burst),
        "lookup": Limit(settings.lookups_per_minute / 60, settings.lookups_burst),
        "create_room": Limit(settings.rooms_per_minute / 60, settings.rooms_burst),
        "deck_upload": Limit(settings.deck_uploads_per_minute / 60, settings.deck_uploads_burst),
    }


CHECKPOINT_INTERVAL_S = 0.25


async def _checkpoints(rooms: RoomService) -> None:
    """SQLite: copy the WAL into the database four times a second, off the commit path, and
    let the WAL start over. The bulk is copied on a pool thread while commits go on; then a
    short catch-up pass on the writer's own thread, between two batches, copies the few frames
    written meanwhile. The WAL is then wholly copied and the next commit starts it again from
    the beginning: without that pass, under sustained writes, the WAL never caught up and grew
    by tens of megabytes a second (and every commit got slower). The catch-up pass ends with
    an fsync of the database file between two batches: a few milliseconds on a slow disk, four
    times a second (once a second let the WAL reach ~30 MB in tests/web/test_wal.py)."""
    if not rooms.repo.is_sqlite:
        return
    while True:
        await asyncio.sleep(CHECKPOINT_INTERVAL_S)
        try:
            await rooms.db(rooms.repo.checkpoint)
            await rooms.writer.run(rooms.repo.checkpoint)
        except Exception:
            log.exception("checkpoint failed")


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
        except Exception:  # never let housekeeping take the app down
            log.exception("housekeeping failed")
        await asyncio.sleep(settings.cleanup_interval_s)


def _install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(DeckInvalid)
    async def deck_invalid(request: Request, exc: DeckInvalid) -> JSONResponse:
        lang = request_lang(request)
        errors = [
            {"path": p.path, "message": translate(lang, f"deck.problem.{p.key}", **p.params),
             "code": p.key}
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
