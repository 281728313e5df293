"""Rubric files: pydantic models, loading, and problems reported by file, task and field.

A rubric is TOML (read with tomllib) and states, per sheet: the files a submission holds, the given data the
reference computes expected values from, and the tasks with their points, checks, tolerances and visibility.
Structural problems come from pydantic (`steps`, `checks`, `models`); problems that need the reference (a key
no task can be graded against, a property the reference does not define, points that do not add up to the
sheet's total) come from `cross_checks`, which `loading.parse` runs on every rubric it reads.
"""
from grader.rubric.checks import (CHECK_KINDS, NOTEBOOK_KINDS, AnswerCheck, CellCheck, Check, CheckBase, ChoiceCheck,
                                  ChoiceMistake, ExpressionCheck, FigureCheck, GradientCheck, ManualCheck,
                                  ParametersCheck, PropertyCheck, RunsCheck, StatisticsCheck, Tolerance, TrainingCheck,
                                  TrainingRetry, ValueCheck, choice_alternatives, choice_readings, choice_words,
                                  normalise_choice)
from grader.rubric.cross_checks import cross_check, key_usage
from grader.rubric.loading import Problem, RubricError, check_files, load, parse, provided_file
from grader.rubric.models import Assumption, Deadline, Defaults, Rubric, StudentValue, Task
from grader.rubric.steps import (IDENT_RE, PATH_RE, REF_RE, SCHEMA_VERSION, TASK_ID_RE, CallStep, Model, NewStep, SetStep,
                                 Step, Visibility, key_refs)

__all__ = [
    "CHECK_KINDS", "NOTEBOOK_KINDS", "AnswerCheck", "CellCheck", "Check", "CheckBase", "ChoiceCheck", "ChoiceMistake",
    "ExpressionCheck", "FigureCheck", "GradientCheck", "ManualCheck", "ParametersCheck", "PropertyCheck", "RunsCheck",
    "StatisticsCheck", "Tolerance", "TrainingCheck", "TrainingRetry", "ValueCheck", "choice_alternatives",
    "choice_readings", "choice_words", "normalise_choice", "cross_check", "key_usage", "Problem", "RubricError", "check_files", "load",
    "parse", "provided_file", "Assumption", "Deadline", "Defaults", "Rubric", "StudentValue", "Task", "IDENT_RE", "PATH_RE", "REF_RE",
    "SCHEMA_VERSION", "TASK_ID_RE", "CallStep", "Model", "NewStep", "SetStep", "Step", "Visibility", "key_refs",
]
