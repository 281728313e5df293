"""Plan steps and plan values: what the worker does with the student's module, as rubrics write it.
"""
from __future__ import annotations

import re
from typing import Annotated, Any, Literal, Union

from pydantic import BaseModel, ConfigDict, Field, field_validator

SCHEMA_VERSION = 1
PATH_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*|\[-?\d+\])*$")
IDENT_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
TASK_ID_RE = re.compile(r"^[0-9A-Za-z]+(\.[0-9A-Za-z_]+)*$")
Visibility = Literal["public", "hidden"]


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _check_path(value: str) -> str:
    if not PATH_RE.match(value):
        raise ValueError(f"{value!r} is not a name path like net.weight[0] (names, dots and integer indices only)")
    return value


# --- values in plans ---------------------------------------------------------------
# A plan argument is a TOML literal, a string "$KEY" naming an answer-key entry
# ("$5.x0"), optionally reshaped for the student's convention ("$5.x0|column"), or
# "@name" naming an object or result of an earlier step of the same plan, or "%Name"
# naming a class or function defined by the student's files (NNModel's module specifications).
REF_RE = re.compile(r"^\$(?P<key>[0-9A-Za-z_.]+)(\|(?P<shape>column|row|flat|list))?$")


def key_refs(value: Any) -> list[str]:
    """Every answer-key name a plan value refers to, in nested lists too."""
    if isinstance(value, str):
        m = REF_RE.match(value)
        return [m.group("key")] if m else []
    if isinstance(value, list):
        return [k for item in value for k in key_refs(item)]
    if isinstance(value, dict):
        return [k for item in value.values() for k in key_refs(item)]
    return []


# --- plan steps: what the worker does with the student's module --------------------

class NewStep(Model):
    """Construct an object: name = cls(*args, **kwargs)."""

    op: Literal["new"]
    name: str
    cls: str
    args: list[Any] = []
    kwargs: dict[str, Any] = {}

    _name = field_validator("name")(lambda v: _ident(v))
    _cls = field_validator("cls")(lambda v: _check_path(v))


class SetStep(Model):
    """Overwrite an attribute, e.g. a network's weights with the sheet's values."""

    op: Literal["set"]
    target: str
    value: Any

    _target = field_validator("target")(lambda v: _check_path(v))


class CallStep(Model):
    """Call a function or method; the result is stored under `name` for observation."""

    op: Literal["call"]
    target: str
    name: str = "result"
    args: list[Any] = []
    kwargs: dict[str, Any] = {}
    pointwise: bool = Field(False, description="a function the sheet lets work on one number at a time: when the "
                                               "call with an array raises, call it per entry of the first argument")
    optional: bool = Field(False, description="a call the sheet does not ask for, made only to read more (the "
                                              "loss before and after training): when it raises, its result is "
                                              "None and the job goes on")

    _target = field_validator("target")(lambda v: _check_path(v))
    _name = field_validator("name")(lambda v: _ident(v))


def _ident(v: str) -> str:
    if not IDENT_RE.match(v):
        raise ValueError(f"{v!r} is not a Python identifier")
    return v


Step = Annotated[Union[NewStep, SetStep, CallStep], Field(discriminator="op")]
