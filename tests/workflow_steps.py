"""Runs a GitHub Actions job's `run:` steps here, in order, as the runner would: each in
`bash --noprofile --norc -eo pipefail`, with the step's `env:`, `GITHUB_OUTPUT` read back
into `steps.ID.outputs`, and `if:` conditions judged. `uses:` steps (actions, which only
run on GitHub) are not run; they are returned, with their `with:` resolved, for the test
to stand in for (an upload's folder is the artifact).

Expressions are the few these workflows use: a context value (`github.event.number`,
`steps.pages.outputs.base_url`) and `A == 'x'` / `A != 'x'`. Anything else fails the
test, so a workflow cannot quietly outgrow what is tested here."""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

EXPRESSION = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")
COMPARISON = re.compile(r"^([\w.-]+)\s*(==|!=)\s*'([^']*)'$")


@dataclass
class JobRun:
    context: dict[str, str]
    """`github.event.action` → `synchronize`; step outputs are added as they are written."""
    ran: list[str] = field(default_factory=list)
    """The name (or first line) of every `run:` step that ran."""
    actions: list[dict[str, Any]] = field(default_factory=list)
    """Every `uses:` step whose condition held, with `with:` resolved."""

    def value(self, name: str) -> str:
        if name in self.context:
            return self.context[name]
        if re.fullmatch(r"steps\.[\w-]+\.outputs\.[\w-]+", name):
            return ""  # as on GitHub: an output never written is empty
        raise AssertionError(f"an expression this test cannot give: {name}")

    def resolve(self, text: str) -> str:
        return EXPRESSION.sub(lambda match: self.evaluate(match.group(1)), text)

    def resolve_if_known(self, text: str) -> str:
        """An action's input as given, where it is an expression (`hashFiles(...)`) that
        only GitHub can work out."""
        try:
            return self.resolve(text)
        except AssertionError:
            return text

    def evaluate(self, expression: str) -> str:
        comparison = COMPARISON.match(expression.strip())
        if comparison:
            name, operator, literal = comparison.groups()
            equal = self.value(name) == literal
            return "true" if equal == (operator == "==") else "false"
        return self.value(expression.strip())

    def holds(self, condition: object) -> bool:
        if condition is None:
            return True
        verdicts = [
            self.evaluate(part) for part in EXPRESSION.sub(r"\1", str(condition)).split("&&")
        ]
        assert set(verdicts) <= {"true", "false"}, (
            f"a condition this test cannot judge: {condition}"
        )
        return all(verdict == "true" for verdict in verdicts)


def load_job(workflow: Path, job: str) -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(workflow.read_text(encoding="utf-8"))
    found: dict[str, Any] = loaded["jobs"][job]
    return found


def run_job(
    workflow: Path,
    job: str,
    *,
    cwd: Path,
    env: dict[str, str],
    context: dict[str, str],
    scratch: Path,
) -> JobRun:
    """Run the job's steps; a failing step fails the test with its script and output."""
    definition = load_job(workflow, job)
    run = JobRun(dict(context))
    assert run.holds(definition.get("if")), f"{workflow.name}: job {job} would not run"
    for number, step in enumerate(definition["steps"]):
        if not run.holds(step.get("if")):
            continue
        if "uses" in step:
            given = step.get("with", {}).items()
            resolved = {key: run.resolve_if_known(str(value)) for key, value in given}
            run.actions.append({"uses": step["uses"], "with": resolved})
            continue
        script = run.resolve(step["run"])
        output = scratch / f"output-{job}-{number}"
        output.write_text("")
        step_env = {key: run.resolve(str(value)) for key, value in step.get("env", {}).items()}
        result = subprocess.run(
            ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", script],
            cwd=cwd,
            env={**env, **step_env, "GITHUB_OUTPUT": str(output)},
            capture_output=True,
            text=True,
            timeout=900,
            stdin=subprocess.DEVNULL,
        )
        assert result.returncode == 0, f"{workflow.name}: {script}\n{result.stdout}{result.stderr}"
        run.ran.append(step.get("name") or script.splitlines()[0])
        if "id" in step:
            for key, value in _outputs(output.read_text()).items():
                run.context[f"steps.{step['id']}.outputs.{key}"] = value
    return run


def _outputs(text: str) -> dict[str, str]:
    """`GITHUB_OUTPUT`'s two forms: `key=value` and `key<<DELIMITER` … `DELIMITER`."""
    found: dict[str, str] = {}
    lines = iter(text.splitlines())
    for line in lines:
        if "<<" in line and ("=" not in line or line.index("<<") < line.index("=")):
            key, delimiter = line.split("<<", 1)
            body = []
            for inner in lines:
                if inner == delimiter:
                    break
                body.append(inner)
            found[key] = "\n".join(body)
        elif "=" in line:
            key, value = line.split("=", 1)
            found[key] = value
    return found
