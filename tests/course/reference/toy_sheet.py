"""A two-step sheet: y = sigmoid(w . x + b)."""
from __future__ import annotations

from typing import Any

from reference.common import linear, sigmoid
from reference.given import GivenModel, Vector

SHEET_ID = "toy-sheet"


class Neuron(GivenModel):
    x: Vector
    w: Vector
    b: float


GIVEN_MODELS = {"1": Neuron}


def answer_key(given: dict[str, Any]) -> dict[str, Any]:
    g = Neuron.model_validate(given["1"])
    z = linear(g.w, g.x, g.b, where="neuron")
    return {"1.x": g.x, "1.w": g.w, "1.b": g.b, "1.y": float(sigmoid(z))}
