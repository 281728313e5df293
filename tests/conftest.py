import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
RUBRICS = ROOT / "rubrics"


def rubric_given(sheet: str) -> dict:
    """The given data exactly as the shipped rubric states them."""
    with open(RUBRICS / f"{sheet}.toml", "rb") as fh:
        return tomllib.load(fh)["given"]


@pytest.fixture
def rubrics_dir() -> Path:
    return RUBRICS
