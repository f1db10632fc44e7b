"""Target back ends: upstream MLIR pipelines from the hand-off to an artifact (docs/targets.md)."""
