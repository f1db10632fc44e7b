"""`quadrants._lib`: the compiled core's few entry points that Quadrants' test_utils calls."""
