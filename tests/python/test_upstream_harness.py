"""tools/upstream/run.py on a small checkout laid out as Quadrants' is (tests/test_utils.py,
tests/python/conftest.py), written here: the alias answers `import quadrants`, the counts per
file are right, private runtime state is named, and the checkout is left untouched."""

import importlib.util
import json
import textwrap
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


def _load_run():
    spec = importlib.util.spec_from_file_location("upstream_run", REPO / "tools/upstream/run.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


run = _load_run()

TEST_UTILS = """
    import pytest
    import quadrants as qd
    from quadrants._lib import core
    from quadrants.lang import cpu
    from quadrants.lang.misc import is_arch_supported

    def test(arch=None, require=()):
        archs = [a for a in (arch or [cpu]) if is_arch_supported(a)]
        archs = [a for a in archs if all(core.is_extension_supported(a, e) for e in require)]
        if not archs:
            return pytest.mark.skip(reason="No supported archs")
        return pytest.mark.parametrize("req_arch", archs, ids=lambda a: f"arch={a.name}")
"""

CONFTEST = """
    import pytest
    import quadrants as qd

    @pytest.fixture(autouse=True)
    def wanted_arch(request):
        arch = request.node.callspec.params.get("req_arch") if hasattr(request.node, "callspec") else None
        if arch is not None:
            qd.init(arch=arch, print_full_traceback=True)
        yield
        if arch is not None:
            qd.reset()
"""

SAMPLE = """
    import numpy as np
    import quadrants as qd
    from quadrants.lang import impl
    from tests import test_utils

    @test_utils.test()
    def test_kernel_runs(req_arch):
        @qd.kernel
        def add_one(x: qd.types.ndarray(qd.i32, 1)):
            for i in range(x.shape[0]):
                x[i] += 1

        x = np.zeros(4, np.int32)
        add_one(x)
        assert impl.current_cfg().arch in (qd.x64, qd.arm64)
        assert (x == 1).all()

    @test_utils.test()
    def test_reads_a_counter_it_checks_only_on_cuda(req_arch):
        nodes = impl.get_runtime().prog.get_graph_num_nodes_on_last_call()
        if impl.current_cfg().arch == qd.cuda:
            assert nodes == 3

    @test_utils.test()
    def test_checks_a_counter(req_arch):
        assert impl.get_runtime().prog.get_graph_cache_size() == 1

    @test_utils.test(require=[qd.extension.sparse])
    def test_needs_sparse(req_arch):
        pass

    def test_fails():
        assert qd.lang.impl.current_cfg().debug
"""


@pytest.fixture(scope="module")
def checkout(tmp_path_factory):
    root = tmp_path_factory.mktemp("quadrants")
    files = {
        "tests/__init__.py": "",
        "tests/test_utils.py": TEST_UTILS,
        "tests/python/__init__.py": "",
        "tests/python/conftest.py": CONFTEST,
        "tests/python/test_sample.py": SAMPLE,
        "tests/python/test_missing.py": "import quadrants as qd\nqd.not_a_quadrants_name\n",
    }
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(textwrap.dedent(text))
    return root


@pytest.fixture(scope="module")
def outcome(checkout, tmp_path_factory):
    out = tmp_path_factory.mktemp("out") / "outcomes.json"
    status = run.main([str(checkout), "test_sample.py", "test_missing.py", "--json", str(out)])
    return status, json.loads(out.read_text())


def test_counts_per_file(outcome):
    status, results = outcome
    assert status == 1
    sample = results["test_sample.py"]
    assert sample["status"] == "ok"
    assert sample["counts"] == {"passed": 2, "failed": 2, "errors": 0, "skipped": 1, "xfailed": 0}
    missing = results["test_missing.py"]
    assert missing["status"].startswith("collection error: AttributeError")
    assert "not_a_quadrants_name" in missing["status"]


def test_private_state_fails_only_when_used(outcome):
    tests = outcome[1]["test_sample.py"]["tests"]
    by_name = {nodeid.split("::")[1]: test for nodeid, test in tests.items()}
    assert by_name["test_reads_a_counter_it_checks_only_on_cuda[arch=cpu]"]["outcome"] == "passed"
    checked = by_name["test_checks_a_counter[arch=cpu]"]
    assert checked["outcome"] == "failed"
    assert "get_graph_cache_size(): Quadrants' private runtime state" in checked["message"]
    assert by_name["test_kernel_runs[arch=cpu]"]["outcome"] == "passed"


def test_the_checkout_is_left_as_it_was(outcome, checkout):
    written = sorted(p.name for p in checkout.rglob("*") if p.is_file())
    assert written == [
        "__init__.py",
        "__init__.py",
        "conftest.py",
        "test_missing.py",
        "test_sample.py",
        "test_utils.py",
    ]


def test_a_folder_that_is_not_a_checkout_is_refused(tmp_path, capsys):
    assert run.main([str(tmp_path)]) == 2
    assert "not a Quadrants checkout" in capsys.readouterr().err


def test_phases_merge_into_one_outcome(tmp_path):
    records = [
        {"nodeid": "a", "when": "setup", "outcome": "failed", "message": "E1"},
        {"nodeid": "a", "when": "teardown", "outcome": "passed"},
        {"nodeid": "b", "when": "setup", "outcome": "passed"},
        {"nodeid": "b", "when": "call", "outcome": "skipped", "xfail": True, "message": "why"},
        {"nodeid": "c", "when": "call", "outcome": "passed"},
        {"nodeid": "c", "when": "teardown", "outcome": "failed", "message": "E2"},
    ]
    result = run.summarise(records, 1, tmp_path / "log")
    assert result["counts"] == {"passed": 0, "failed": 0, "errors": 2, "skipped": 0, "xfailed": 1}
    assert result["tests"]["a"]["message"] == "E1"
    assert run.summarise([], -11, tmp_path / "log")["status"].startswith("pytest stopped (-11)")
