"""qdmlir: Quadrants-style checkpointed graph kernels, compiled through MLIR.

`import qdmlir as qd` gives the Quadrants surface. This package holds only the public names;
the top-level folders frontend/, dialects/, passes/, runtime/ and tools/ are its subpackages.
"""

__version__ = "0.1.0"
