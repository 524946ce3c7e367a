"""Extracting a commit's files for the segment diff (cs_segments/diff.py).

`git archive` output is extracted with tarfile's "data" filter where Python
has it (3.11.4+) and with an explicit check of member paths where it does
not (Debian 12's python3.11 is 3.11.2). Both paths are run here, whatever
the Python: the filter is hidden with monkeypatch for the second.
"""

from __future__ import annotations

import io
import subprocess
import tarfile
from pathlib import Path

import pytest

from cs_segments.diff import DiffError, _extract_all, export_commit

HAS_FILTER = hasattr(tarfile, "data_filter")


def _tar(members: list[tarfile.TarInfo]) -> tarfile.TarFile:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as archive:
        for member in members:
            data = b"x" if member.isfile() else None
            if data is not None:
                member.size = len(data)
            archive.addfile(member, io.BytesIO(data) if data else None)
    buffer.seek(0)
    return tarfile.open(fileobj=buffer)


def _file(name: str) -> tarfile.TarInfo:
    return tarfile.TarInfo(name)


def _symlink(name: str, target: str) -> tarfile.TarInfo:
    member = tarfile.TarInfo(name)
    member.type = tarfile.SYMTYPE
    member.linkname = target
    return member


@pytest.fixture(params=["data_filter", "path_check"])
def extractor(request, monkeypatch):
    """_extract_all with the data filter, or with it hidden."""
    if request.param == "data_filter" and not HAS_FILTER:
        pytest.skip("this Python's tarfile has no data filter")
    if request.param == "path_check" and HAS_FILTER:
        monkeypatch.delattr(tarfile, "data_filter")
    return _extract_all


def test_files_and_inner_links_are_extracted(extractor, tmp_path):
    archive = _tar([_file("models/a.sql"), _symlink("models/b.sql", "a.sql")])
    extractor(archive, tmp_path)
    assert (tmp_path / "models" / "a.sql").read_bytes() == b"x"
    assert (tmp_path / "models" / "b.sql").read_bytes() == b"x"


@pytest.mark.parametrize("member", [
    _file("../outside.sql"),
    _symlink("models/escape.sql", "../../outside.sql"),
], ids=["parent", "symlink"])
def test_members_leaving_the_folder_are_refused(extractor, tmp_path, member):
    dest = tmp_path / "dest"
    dest.mkdir()
    with pytest.raises(DiffError, match="refusing to extract"):
        extractor(_tar([member]), dest)
    assert not (tmp_path / "outside.sql").exists()


def test_absolute_paths_are_not_written_outside(extractor, tmp_path):
    # The data filter strips the leading "/" (the file lands inside dest);
    # the path check refuses the member. Either way nothing is written at
    # the absolute path.
    dest = tmp_path / "dest"
    dest.mkdir()
    outside = tmp_path / "absolute.sql"
    try:
        extractor(_tar([_file(str(outside))]), dest)
    except DiffError:
        pass
    assert not outside.exists()


def test_export_commit_extracts_a_commit(extractor, tmp_path):
    repo = tmp_path / "repo"
    repo.mkdir()
    git = ["git", "-C", str(repo), "-c", "user.name=t", "-c",
           "user.email=t@example.com"]
    subprocess.run([*git, "init", "-q"], check=True)
    (repo / "dbt_project.yml").write_text("name: x\n")
    subprocess.run([*git, "add", "-A"], check=True)
    subprocess.run([*git, "commit", "-q", "-m", "base"], check=True)
    export_commit(repo, "HEAD", tmp_path / "out")
    assert (tmp_path / "out" / "dbt_project.yml").read_text() == "name: x\n"
