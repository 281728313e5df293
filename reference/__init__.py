"""Numpy reference implementation of every numeric task of every sheet.

The single source of expected values: each sheet module exposes `SHEET_ID`,
`GIVEN_MODELS` (pydantic models of the given-data sections a rubric must state, but those in
`OPTIONAL_GIVEN`)
and `answer_key(given)`, which turns those given data into a flat mapping of
dotted keys to expected values. Modules may add `FORMULAS` (expression tasks)
and `PROPERTIES` (identities checked on the student's functions).
"""
from __future__ import annotations

import importlib
from types import ModuleType
from typing import Any

SHEETS: dict[str, str] = {
    "nnti-ws2324-sheet7": "reference.nnti_ws2324_sheet7",
    "tub-ml-sheet1": "reference.tub_ml_sheet1",
    "nnti-ws2425-sheet6": "reference.nnti_ws2425_sheet6",
    "leuphana-dl-ss24-ex2": "reference.leuphana_dl_ss24_ex2",
    "tuda-sml-ss23-hw4": "reference.tuda_sml_ss23_hw4",
}


class UnknownSheet(KeyError):
    def __str__(self) -> str:
        return f"unknown sheet {self.args[0]!r}; known sheets: {', '.join(SHEETS)}"


def sheet_module(sheet_id: str) -> ModuleType:
    if sheet_id not in SHEETS:
        raise UnknownSheet(sheet_id)
    return importlib.import_module(SHEETS[sheet_id])


def answer_key(sheet_id: str, given: dict[str, Any]) -> dict[str, Any]:
    return sheet_module(sheet_id).answer_key(given)
