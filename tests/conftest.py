"""Fixtures: a real server per test module — on SQLite, and again on PostgreSQL."""

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.helpers import ServerProcess
from tests.infra import Postgres, have_postgres, postgres_server

pytest_plugins = ["tests.layers"]  # marks the tests that start processes (make test-fast)


@pytest.fixture(scope="session")
def postgres() -> Iterator[Postgres]:
    if not have_postgres():
        pytest.fail("PostgreSQL is not installed: .ci/run installs it (apt-get install postgresql)")
    with postgres_server() as pg:
        yield pg


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    # the game-server suite runs against both databases
    if "server" in metafunc.fixturenames and metafunc.module.__name__.startswith("tests.web."):
        metafunc.parametrize("database", ["sqlite", "postgresql"], scope="module")


@pytest.fixture(scope="module")
def database(request: pytest.FixtureRequest) -> str:
    return getattr(request, "param", "sqlite")


@pytest.fixture(scope="module")
def server(
    tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest, database: str
) -> Iterator[ServerProcess]:
    url = None
    if database == "postgresql":
        url = request.getfixturevalue("postgres").create_database()
    proc = ServerProcess(tmp_path_factory.mktemp("server"), database_url=url).start()
    yield proc
    proc.stop()


@pytest.fixture
def fresh_server(tmp_path: Path) -> Iterator[ServerProcess]:
    proc = ServerProcess(tmp_path).start()
    yield proc
    proc.stop()
