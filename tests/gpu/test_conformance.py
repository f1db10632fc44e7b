"""docs/semantics.md on qd.cuda: the checkpoint semantics tests of tests/python, run on the GPU."""

from test_checkpoint_semantics import *  # noqa: F401,F403 - every test, re-collected here
