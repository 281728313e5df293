"""nngrade: grades neural-network exercise sheets against a numpy reference."""

__version__ = "0.1.0"
