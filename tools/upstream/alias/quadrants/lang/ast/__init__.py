"""Quadrants' AST compiler package: internals qdmlir has no counterpart of."""
