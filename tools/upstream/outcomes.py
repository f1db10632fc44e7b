"""pytest plugin that run.py loads into each upstream test run: one JSON line per failed
collection and per test phase, with the exception's one-line message, into $QD_UPSTREAM_OUTCOMES."""

import json
import os

_LIMIT = 600  # characters of a message: enough to name the missing construct and the reason


def _message(report) -> str:
    if isinstance(report.longrepr, tuple):  # a skip: (file, line, reason)
        return str(report.longrepr[2])
    crash = getattr(report.longrepr, "reprcrash", None)
    if crash is not None:  # a QuadrantsSyntaxError's reason sits on a later line: keep them all
        return " | ".join(line.strip() for line in crash.message.splitlines() if line.strip())[
            :_LIMIT
        ]
    lines = str(report.longrepr or "").splitlines()
    errors = [line[1:].strip() for line in lines if line.startswith("E ")]
    return (errors[-1] if errors else lines[-1] if lines else "")[:_LIMIT]


def _write(record: dict) -> None:
    with open(os.environ["QD_UPSTREAM_OUTCOMES"], "a") as out:
        out.write(json.dumps(record) + "\n")


def pytest_collectreport(report):
    if report.failed:
        _write(
            {
                "nodeid": report.nodeid,
                "when": "collect",
                "outcome": "error",
                "message": _message(report),
            }
        )


def pytest_runtest_logreport(report):
    record = {"nodeid": report.nodeid, "when": report.when, "outcome": report.outcome}
    if report.outcome != "passed":
        record["message"] = _message(report)
    if hasattr(report, "wasxfail"):
        record["xfail"] = True
    _write(record)
