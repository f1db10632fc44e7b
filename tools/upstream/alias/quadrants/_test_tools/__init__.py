"""`quadrants._test_tools`: helpers Quadrants' test files import."""
