"""The CLI's help shows its options' examples as written: brackets are text, not Rich markup."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from motionctl.cli import app


@pytest.mark.parametrize(("command", "shown"), [
    ("generate", ["[x, y]", "[gpu]"]),
    ("eval", ["[x, y]"]),
])
def test_help_keeps_bracketed_examples(command: str, shown: list[str]) -> None:
    result = CliRunner().invoke(app, [command, "--help"], env={"COLUMNS": "300"})
    assert result.exit_code == 0
    for text in shown:
        assert text in result.output
