"""A copy of this project in a temporary folder, as its own git repository,
for tests that change the project (the segment diff, the worked example of a
new segment). The copy holds the files git knows or would add (tracked and
untracked, not ignored) as they are in the working tree, committed once as
the base.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

GIT_IDENTITY = ["-c", "user.name=e2e", "-c", "user.email=e2e@example.com",
                "-c", "commit.gpgsign=false", "-c", "init.defaultBranch=main"]


def git(repo: Path, *args: str) -> str:
    """Run git in `repo`; fail with its message."""
    done = subprocess.run(["git", *GIT_IDENTITY, "-C", str(repo), *args],
                          capture_output=True, text=True, check=False)
    assert done.returncode == 0, f"git {' '.join(args)}: {done.stderr}"
    return done.stdout


def copy_project(source: Path, dest: Path, *, commit: bool = True) -> Path:
    """The project files of `source` copied into `dest` (a new git
    repository with one commit on branch main when `commit`)."""
    listed = subprocess.run(
        ["git", "-C", str(source), "ls-files", "-z", "--cached", "--others",
         "--exclude-standard"],
        capture_output=True, text=True, check=True).stdout.split("\0")
    for name in filter(None, listed):
        path = source / name
        if not path.is_file():  # deleted in the working tree
            continue
        target = dest / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, target)
    if commit:
        git(dest, "init", "-q")
        git(dest, "add", "-A")
        git(dest, "commit", "-q", "-m", "base")
    return dest


def apply_patch(repo: Path, patch: Path, *extra: str) -> None:
    """`git apply` a patch file in `repo` (extra: e.g. --include=PATH)."""
    git(repo, "apply", *extra, str(patch))
