"""Numpy reference implementation of every numeric task of the built-in sheets.

The single source of expected values. A sheet's module (built-in, in an installed pack or in a course folder)
exposes:
- `SHEET_ID`: the sheet's id, as its rubric states it;
- `GIVEN_MODELS`: section name -> pydantic model of the given data a rubric must state (but those in
  `OPTIONAL_GIVEN`);
- `answer_key(given)`: those given data -> a flat mapping of dotted keys to expected values;
and may add `FORMULAS` (expression tasks), `PROPERTIES` (identities checked on the student's functions),
`RECOMPUTE` (values recomputed from what the student's code observed) and `MISTAKES` (known mistakes, beside
the error model's). grader/sheets.py finds the modules; nothing else names them.
"""
from __future__ import annotations

from importlib import resources
from pathlib import Path

# the built-in sheets' reference modules, loaded like any installed or course sheet (as pytest's default_plugins)
BUILTIN: tuple[str, ...] = (
    "reference.nnti_ws2324_sheet7",
    "reference.tub_ml_sheet1",
    "reference.nnti_ws2425_sheet6",
    "reference.leuphana_dl_ss24_ex2",
    "reference.tuda_sml_ss23_hw4",
)


def layout() -> Path:
    """The folder that holds the built-in sheets' `rubrics/` and `submissions/`: inside this package when it is
    installed from a wheel (package data), else the checkout this package lies in."""
    packaged = resources.files(__name__) / "_layout"
    if packaged.is_dir():
        return Path(str(packaged))
    return Path(__file__).resolve().parent.parent
