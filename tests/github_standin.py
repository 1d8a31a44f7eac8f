"""A stand-in for the `gh` command on GitHub's runners, for running workflow steps here:
`gh api [--method M] PATH [-f key=value]... [--jq FILTER]` answers from a JSON file of
responses (`{"repos/o/r/pages": {"html_url": ...}}`; `{"status": 404}` is an error, as
when Pages is not set up), applies the filter with the real `jq` (as gh does, printing
strings raw), and logs each call, so a test can check what a step asked for.

GitHub's API cannot run on this machine; everything around it in a step does."""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest


def install(folder: Path, responses: dict[str, object]) -> dict[str, str]:
    """Put `gh` in `folder`; returns the environment that makes steps find it."""
    if shutil.which("jq") is None:
        message = "the gh stand-in applies --jq filters with jq: apt-get install jq"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "responses.json").write_text(json.dumps(responses))
    gh = folder / "gh"
    gh.write_text(f'#!/bin/sh\nexec {sys.executable} {Path(__file__).resolve()} "$@"\n')
    gh.chmod(gh.stat().st_mode | stat.S_IEXEC)
    return {
        "PATH": f"{folder}{os.pathsep}{os.environ['PATH']}",
        "GH_STANDIN": str(folder),
    }


def calls(folder: Path) -> list[dict[str, object]]:
    log = folder / "calls.jsonl"
    if not log.exists():
        return []
    return [json.loads(line) for line in log.read_text().splitlines()]


def main(arguments: list[str]) -> int:
    folder = Path(os.environ["GH_STANDIN"])
    assert arguments[0] == "api", f"the stand-in only knows `gh api`: {arguments}"
    method, path, fields, jq_filter = "GET", "", {}, None
    rest = iter(arguments[1:])
    for argument in rest:
        if argument in ("--method", "-X"):
            method = next(rest)
        elif argument in ("-f", "--raw-field", "-F", "--field"):
            key, value = next(rest).split("=", 1)
            fields[key] = value
        elif argument in ("--jq", "-q"):
            jq_filter = next(rest)
        else:
            path = argument
    with (folder / "calls.jsonl").open("a") as log:
        log.write(json.dumps({"method": method, "path": path, "fields": fields}) + "\n")
    responses = json.loads((folder / "responses.json").read_text())
    response = responses.get(path, {"status": 404})
    if isinstance(response, dict) and "status" in response:
        print(f"gh: Not Found (HTTP {response['status']})", file=sys.stderr)
        return 1
    if jq_filter is None:
        print(json.dumps(response))
        return 0
    return subprocess.run(["jq", "-r", jq_filter], input=json.dumps(response), text=True).returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
