"""Test layers: marks the tests that start processes, so ``make test-fast`` can leave them out.

``services``: a server process (``python -m server``), PostgreSQL or Redis; ``browser``: Chromium
through Playwright; ``slow``: builds a virtual environment. What is left unmarked runs in this
process (the core, the docs, in-process app tests) and is the fast layer:
``pytest -m "not services and not browser and not slow"``.

A test is marked from the lists below (by directory or module) and from what it uses, so a new
module that starts a server is marked without being listed: a fixture among ``SERVICE_FIXTURES``
or ``BROWSER_FIXTURES`` (directly or through other fixtures), a module that imports one of
``SERVICE_NAMES``, or a ``database`` parameter of ``postgresql``.
"""

import pytest

# whole modules (or directories, ending in "/"), relative to the repository
SERVICES = (
    "tests/scale/test_coalescing.py",
    "tests/scale/test_multiprocess.py",
    "tests/scale/test_presence_repair.py",
    "tests/security/test_anonymity.py",
    "tests/security/test_faults.py",
    "tests/security/test_fuzz_http.py",
    "tests/security/test_fuzz_protocol.py",
    "tests/security/test_limits.py",
    "tests/security/test_restart.py",
    "tests/web/test_contract_game.py",
    "tests/web/test_direct.py",
    "tests/web/test_game_ws.py",
    "tests/web/test_kill9.py",
    "tests/web/test_pages.py",
    "tests/web/test_wal.py",
    "tests/decks/test_api.py",
    "tests/decks/test_docs.py",
    "tests/summary/test_summary_http.py",
)
BROWSER = (
    "tests/browser/test_accessibility.py",
    "tests/browser/test_bad_input.py",
    "tests/browser/test_facilitator_controls.py",
    "tests/browser/test_game_flow.py",
    "tests/browser/test_safe_rendering.py",
    "tests/decks/test_studio_browser.py",
    "tests/summary/test_report_browser.py",
)
SLOW = ("tests/install/test_wheel.py",)

SERVICE_FIXTURES = {"server", "fresh_server", "postgres"}
BROWSER_FIXTURES = {"browser", "pages"}
SERVICE_NAMES = {"ServerProcess", "postgres_server", "redis_server", "Redis"}


def _listed(path: str, prefixes: tuple[str, ...]) -> bool:
    return path.startswith(prefixes)


def layers_of(item: pytest.Item) -> set[str]:
    path = item.nodeid.split("::", 1)[0]
    names = set(getattr(item, "fixturenames", ()))
    module = getattr(item, "module", None)
    imported = set(vars(module)) if module is not None else set()
    callspec = getattr(item, "callspec", None)
    params = callspec.params if callspec is not None else {}
    found = set()
    if (
        _listed(path, SERVICES)
        or names & SERVICE_FIXTURES
        or imported & SERVICE_NAMES
        or params.get("database") == "postgresql"
    ):
        found.add("services")
    if _listed(path, BROWSER) or names & BROWSER_FIXTURES:
        found.add("browser")
    if _listed(path, SLOW):
        found.add("slow")
    return found


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        for layer in sorted(layers_of(item)):
            item.add_marker(layer)
