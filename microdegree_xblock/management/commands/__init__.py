"""The ``microdegree_programs`` management command."""
