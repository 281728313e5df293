"""The only code that runs inside the isolated child, next to the student's code.

It uses the standard library and numpy only and imports nothing else from
`grader`: the child sees no rubric, no reference and no expected value. It gets a
plan (files to load, steps to run, names to observe) and returns plain data.
Modules import each other relatively so the package works both as `grader.worker`
(unit tests) and as the top-level `worker` package the child script loads.
"""
