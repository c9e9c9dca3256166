"""docs/operations.md documents every setting."""

from pathlib import Path

import pytest

from server.settings import Settings

DOC = (Path(__file__).resolve().parent.parent.parent / "docs" / "operations.md").read_text("utf-8")


@pytest.mark.parametrize("name", [n.upper() for n in Settings.model_fields])
def test_every_setting_is_documented(name: str) -> None:
    assert f"| `{name}` |" in DOC
