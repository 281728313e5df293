"""One module per check kind: pure functions from (spec, observed, reference) to a verdict."""
