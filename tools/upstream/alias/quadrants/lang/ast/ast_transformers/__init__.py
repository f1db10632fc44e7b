"""Quadrants' AST transformer modules: internals qdmlir has no counterpart of."""
