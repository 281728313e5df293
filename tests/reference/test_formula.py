"""Formulas and their sampling, across all sheets."""
import inspect

import numpy as np
import pytest

from reference.formula import Formula, Variable, sample_dims, sample_point
from tests.conftest import BUILTIN, reference_of

ALL = [(sheet, name, f) for sheet in BUILTIN
       for name, f in getattr(reference_of(sheet), "FORMULAS", {}).items()]


@pytest.mark.parametrize("sheet,name,formula", ALL, ids=[f"{s}:{n}" for s, n, _ in ALL])
def test_every_formula_takes_only_names_the_sheet_defines(sheet, name, formula):
    rng = np.random.default_rng(0)
    for _ in range(5):
        value = formula(**sample_point(formula, rng))
        assert np.all(np.isfinite(value))
    params = inspect.signature(formula.fn).parameters
    if not any(p.kind == p.VAR_KEYWORD for p in params.values()):
        assert set(params) <= set(formula.names)


def test_sample_point_respects_kinds_and_shared_dimensions():
    f = Formula("x", lambda **v: 0, {
        "W": Variable(("d", "h")), "a": Variable(("h",), kind="unit"),
        "s": Variable(("d",), kind="simplex"), "p": Variable(kind="positive"),
    })
    rng = np.random.default_rng(5)
    for _ in range(50):
        dims = sample_dims(f, rng)
        pt = sample_point(f, rng, dims)
        assert pt["W"].shape == (dims["d"], dims["h"])
        assert pt["a"].shape == (dims["h"],) and np.all((pt["a"] > 0) & (pt["a"] < 1))
        assert pt["s"].sum() == pytest.approx(1.0) and np.all(pt["s"] > 0)
        assert pt["p"].shape == () and pt["p"] > 0
