"""The line a new site's `requirements.txt` gets, so that its Pages workflow installs the very
coursepress that made the site. How this one was installed is in PEP 610's
`direct_url.json`: none (from an index, PyPI), a VCS URL at a commit, an archive, or a
local folder (a checkout, editable or not), which a GitHub runner cannot reach."""

from __future__ import annotations

import json
import subprocess
from dataclasses import dataclass
from importlib.metadata import Distribution, distribution
from pathlib import Path
from urllib.parse import unquote, urlsplit


@dataclass(frozen=True, slots=True)
class Requirement:
    line: str
    """What requirements.txt says."""
    advice: str = ""
    """Said at `init` when the line may not install on GitHub, with what to do."""


def this_requirement(installed: Distribution | None = None) -> Requirement:
    """The requirement for the coursepress that is running (or `installed`)."""
    found = installed or distribution("coursepress")
    return requirement_for(found.version, found.read_text("direct_url.json"))


def requirement_for(version: str, direct_url: str | None) -> Requirement:
    pinned = f"coursepress=={version}"
    if not direct_url:  # from an index: that index has this version
        return Requirement(pinned)
    data = json.loads(direct_url)
    url = str(data.get("url", ""))
    subdirectory = data.get("subdirectory")
    fragment = f"#subdirectory={subdirectory}" if subdirectory else ""
    if "vcs_info" in data:
        vcs = data["vcs_info"]
        line = f"coursepress @ {vcs['vcs']}+{url}@{vcs.get('commit_id', '')}{fragment}"
        if url.startswith("file:"):
            return Requirement(line, _unreachable(f"the repository {_path(url)}", line))
        return Requirement(line)
    if "archive_info" in data:
        if url.startswith("file:"):
            return Requirement(pinned, _unreachable(f"the file {_path(url)}", pinned))
        hashes = data["archive_info"].get("hashes") or {}
        digest = next((f"#{name}={value}" for name, value in sorted(hashes.items())), "")
        return Requirement(f"coursepress @ {url}{digest}")
    folder = _path(url)
    editable = "an editable checkout" if data.get("dir_info", {}).get("editable") else "a folder"
    remote, commit = _git_origin(folder)
    if remote and commit:
        line = f"coursepress @ git+{remote}@{commit}{fragment}"
        return Requirement(
            line,
            f"coursepress runs from {editable}, {folder}: requirements.txt installs it from "
            f"that checkout's remote, {remote}, at the commit checked out, {commit[:12]}. Push "
            "that commit, or pass --requirement with what the workflow should install.",
        )
    return Requirement(pinned, _unreachable(f"{editable}, {folder},", pinned))


def _unreachable(where: str, line: str) -> str:
    return (
        f"coursepress was installed from {where} which GitHub's runners cannot reach: "
        f"requirements.txt says `{line}`, from PyPI. If that version is not published there, "
        "write `coursepress @ git+https://github.com/OWNER/REPO@COMMIT` in requirements.txt "
        "instead (or pass --requirement)."
    )


def _path(url: str) -> str:
    return unquote(urlsplit(url).path)


def _git_origin(folder: str) -> tuple[str, str]:
    """The checkout's `origin` as pip reads a VCS URL, and its commit; ("", "") when it has
    none that a runner can reach (no git, no remote, a remote that is a local path)."""
    try:
        remote, commit = (
            subprocess.run(
                ["git", "-C", folder, *args], capture_output=True, text=True, check=True
            ).stdout.strip()
            for args in (["remote", "get-url", "origin"], ["rev-parse", "HEAD"])
        )
    except (OSError, subprocess.CalledProcessError):
        return "", ""
    if remote.startswith("git@") and ":" in remote:  # scp form: git@github.com:org/repo.git
        host, _, path = remote.partition(":")
        remote = f"ssh://{host}/{path}"
    if not remote.startswith(("https://", "http://", "ssh://")) or Path(remote).exists():
        return "", ""
    return remote, commit
