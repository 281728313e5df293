"""Reporters: pure functions from report models to text for terminals and files."""
