"""The layout of server/ holds (docs/architecture.md): who may import whom, and modules small
enough to read in one sitting."""

import ast
from pathlib import Path

import pytest

SERVER = Path(__file__).resolve().parent.parent / "server"
MAX_LINES = 300
TOO_LONG_FOR_NOW: set[str] = set()  # the send path left service.py (issue 15)


def modules() -> list[Path]:
    return sorted(SERVER.rglob("*.py"))


def imports_of(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
    return found


def rel(path: Path) -> str:
    return path.relative_to(SERVER).as_posix()


@pytest.mark.parametrize("path", modules(), ids=rel)
def test_imports_follow_the_layers(path: Path) -> None:
    names = imports_of(path)
    where = rel(path)
    if where.startswith("core/"):
        banned = (
            "server.web",
            "server.rooms",
            "server.storage",
            "server.summary",
            "fastapi",
            "sqlalchemy",
            "asyncio",
        )
        assert not [n for n in names if n.startswith(banned)], where
    if where.startswith("summary/"):
        assert not [n for n in names if n.startswith("server.web")], where
    if where.startswith("web/") and where != "web/app.py":  # app.py builds the repository
        assert not [n for n in names if n.startswith("server.storage")], where


@pytest.mark.parametrize("path", modules(), ids=rel)
def test_modules_are_small(path: Path) -> None:
    lines = len(path.read_text(encoding="utf-8").splitlines())
    if rel(path) in TOO_LONG_FOR_NOW:
        pytest.skip(f"{rel(path)}: {lines} lines, its send path moves out (issue 15)")
    assert lines <= MAX_LINES, f"{rel(path)} has {lines} lines"


def test_every_module_says_its_job() -> None:
    missing = [
        rel(p)
        for p in modules()
        if p.name != "__init__.py" and ast.get_docstring(ast.parse(p.read_text())) is None
    ]
    assert not missing
