"""A normal install: the project's wheel and the locked dependencies in a fresh virtual
environment, then ``python -m server`` started from an unrelated directory serves a game.

Slow (marked by tests/layers.py): it builds a wheel and a virtual environment (pip's cache
makes the second run quicker; PyPI is only needed for what the cache lacks).
"""

import asyncio
import os
import re
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.helpers import ROOT, Client, ServerProcess

pytestmark = pytest.mark.timeout(300)


def run(*args: str | Path, cwd: Path | None = None) -> str:
    done = subprocess.run([str(a) for a in args], cwd=cwd, capture_output=True, text=True, timeout=240)
    assert done.returncode == 0, f"{args}: {done.stdout[-2000:]}{done.stderr[-3000:]}"
    return done.stdout


@pytest.fixture(scope="module")
def venv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh virtual environment with the locked dependencies and the project's wheel."""
    tmp = tmp_path_factory.mktemp("install")
    run(sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", tmp / "wheels", ROOT)
    (wheel,) = (tmp / "wheels").glob("*.whl")
    run(sys.executable, "-m", "venv", tmp / "venv")
    python = tmp / "venv" / "bin" / "python"
    run(python, "-m", "pip", "install", "-q", "--require-hashes", "-r", ROOT / "requirements.lock")
    run(python, "-m", "pip", "install", "-q", "--no-deps", wheel)
    run(python, "-m", "pip", "check")
    return python


class InstalledServer(ServerProcess):
    """``python -m server`` of the installed package, in ``cwd``, with its default settings
    (no database or cards directory given)."""

    def __init__(self, python: Path, cwd: Path) -> None:
        super().__init__(cwd)
        self.python = python
        self.env = {
            "PATH": os.environ["PATH"],
            "HOST": "127.0.0.1",
            "PORT": str(self.port),
            "LOG_LEVEL": "info",
            "ENVIRONMENT": "test",
        }

    def start(self) -> "InstalledServer":
        with self.log.open("ab") as out:
            self.proc = subprocess.Popen(
                [self.python, "-m", "server"], cwd=self.tmp, env=self.env, stdout=out, stderr=out
            )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            assert self.proc.poll() is None, self.log.read_text()[-3000:]
            try:
                with urllib.request.urlopen(self.base + "/healthz", timeout=1) as r:
                    if r.status == 200:
                        return self
            except OSError:
                time.sleep(0.1)
        raise AssertionError("the installed server did not answer in 30 s")


@pytest.fixture(scope="module")
def installed(venv: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[InstalledServer]:
    server = InstalledServer(venv, tmp_path_factory.mktemp("elsewhere")).start()
    yield server
    server.stop()


def test_the_package_is_not_read_from_the_source_tree(venv: Path) -> None:
    out = run(
        venv,
        "-c",
        "import server, server.settings as s; print(server.__file__); print(s.ROOT)",
        cwd=venv.parent,
    )
    package, shared = (Path(line) for line in out.split())
    assert ROOT not in package.parents and venv.parent.parent in package.parents
    assert shared == package.parent / "_share"
    for name in ("cards", "templates", "static", "migrations", "alembic.ini"):
        assert (shared / name).exists(), name


def test_served_from_another_directory(installed: InstalledServer) -> None:
    status, decks = installed.request("GET", "/api/decks")
    assert status == 200
    ids = {d["id"] for d in (decks["decks"] if isinstance(decks, dict) else decks)}
    assert {"exploria-fr", "exploria-en", "autodiag-fr"} <= ids
    status, page = installed.request("GET", "/")
    assert status == 200 and b"<html" in page
    assets = re.findall(r'(?:href|src)="(/static/[^"?]+)', page.decode())
    assert assets
    for asset in assets:
        assert installed.request("GET", asset)[0] == 200, asset
    assert installed.request("GET", "/studio")[0] == 200
    # the default database is data/ in the working directory, migrated at start
    assert (installed.tmp / "data" / "exploria.db").exists()
    log = installed.log.read_text()
    assert "WebSocket send path: direct writes" in log, log


def test_a_game_can_be_joined(installed: InstalledServer) -> None:
    room = installed.create_room("exploria-fr")

    async def scenario() -> None:
        client = await Client.connect(installed, room["code"])
        welcome = await client.join(token=room["facilitator_token"])
        assert welcome["you"]["role"] == "facilitator"
        await client.close()

    asyncio.run(scenario())


def test_a_database_it_cannot_write_is_one_clear_sentence(venv: Path, tmp_path: Path) -> None:
    (tmp_path / "taken").write_text("a file where the data directory should be")
    env = {"PATH": os.environ["PATH"], "DATABASE_URL": f"sqlite:///{tmp_path}/taken/x.db"}
    done = subprocess.run(
        [venv, "-m", "server"], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 1
    assert done.stderr.startswith("Cannot write the database"), done.stderr
    assert "Traceback" not in done.stderr and "10001" in done.stderr


def test_stops_cleanly(installed: InstalledServer) -> None:
    assert installed.proc is not None
    installed.proc.send_signal(signal.SIGTERM)
    # uvicorn shuts down gracefully, then ends by the signal it received
    assert installed.proc.wait(15) in (0, -signal.SIGTERM)
    assert "Application shutdown complete" in installed.log.read_text()
