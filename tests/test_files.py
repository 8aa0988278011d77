"""files.write_atomically: never over an input, never over an existing file unless forced, never half-written."""

from __future__ import annotations

import errno
import os
import stat

import pytest

from bpcalc import files
from bpcalc.errors import BpcalcError
from bpcalc.files import write_atomically


def leftovers(folder):
    """Temporary files write_atomically left behind."""
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".tmp"))


def test_writes_the_text(tmp_path):
    target = tmp_path / "grades.csv"
    write_atomically(target, "a,b\n1,2\n")
    assert target.read_text() == "a,b\n1,2\n"
    assert leftovers(tmp_path) == []


def test_writes_utf8_with_plain_newlines(tmp_path):
    target = tmp_path / "out.yaml"
    write_atomically(target, "w₁: 0.5\r\nδ: 1\n")
    assert target.read_bytes() == "w₁: 0.5\r\nδ: 1\n".encode("utf-8")


def test_a_relative_name_is_written_in_the_working_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write_atomically("out.txt", "x")
    assert (tmp_path / "out.txt").read_text() == "x"
    assert leftovers(tmp_path) == []


def test_refuses_an_existing_file_without_force(tmp_path):
    target = tmp_path / "out.yaml"
    target.write_text("precious")
    with pytest.raises(BpcalcError, match=r"out\.yaml: already exists; use --force to replace it$"):
        write_atomically(target, "new")
    assert target.read_text() == "precious"
    assert leftovers(tmp_path) == []


def test_replaces_an_existing_file_with_force_keeping_its_permissions(tmp_path):
    target = tmp_path / "out.yaml"
    target.write_text("old")
    os.chmod(target, 0o640)
    write_atomically(target, "new", force=True)
    assert target.read_text() == "new"
    assert stat.S_IMODE(os.stat(target).st_mode) == 0o640
    assert leftovers(tmp_path) == []


def test_a_new_file_gets_the_usual_permissions(tmp_path):
    old = os.umask(0o022)
    try:
        write_atomically(tmp_path / "out.csv", "x")
    finally:
        os.umask(old)
    assert stat.S_IMODE(os.stat(tmp_path / "out.csv").st_mode) == 0o644  # not mkstemp's 0600


@pytest.mark.parametrize("force", [False, True])
def test_never_overwrites_an_input_even_with_force(tmp_path, monkeypatch, force):
    net = tmp_path / "net.yaml"
    net.write_text("the network")
    monkeypatch.chdir(tmp_path)
    (tmp_path / "link.yaml").symlink_to(net)
    os.link(net, tmp_path / "hard.yaml")
    for spelling in ["net.yaml", "./net.yaml", str(net), "link.yaml", "hard.yaml", "../" + tmp_path.name + "/net.yaml"]:
        with pytest.raises(BpcalcError, match="refusing to overwrite an input file"):
            write_atomically(spelling, "clobbered", force=force, inputs=[net])
    assert net.read_text() == "the network"
    assert leftovers(tmp_path) == []


def test_a_directory_is_refused(tmp_path):
    (tmp_path / "out").mkdir()
    with pytest.raises(BpcalcError, match=r"out: is a directory; give a file name$"):
        write_atomically(tmp_path / "out", "x", force=True)


def test_a_missing_folder_is_refused(tmp_path):
    with pytest.raises(BpcalcError, match=r"the folder .*nope does not exist$"):
        write_atomically(tmp_path / "nope" / "out.csv", "x")


def test_an_unwritable_folder_is_one_error_not_a_traceback(tmp_path, monkeypatch):
    def denied(*args, **kwargs):
        raise PermissionError(errno.EACCES, "Permission denied")

    monkeypatch.setattr(files.tempfile, "mkstemp", denied)
    with pytest.raises(BpcalcError, match=r"out\.csv: cannot write: Permission denied$"):
        write_atomically(tmp_path / "out.csv", "x")


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into any folder")
def test_a_read_only_folder(tmp_path):
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o500)
    try:
        with pytest.raises(BpcalcError, match="cannot write: Permission denied"):
            write_atomically(folder / "out.csv", "x")
    finally:
        folder.chmod(0o700)


@pytest.mark.parametrize("failure", [OSError(errno.ENOSPC, "No space left on device"), KeyboardInterrupt()])
@pytest.mark.parametrize("existing", [None, "old contents"])
def test_a_failed_or_interrupted_write_leaves_the_old_file_and_no_temporary(tmp_path, monkeypatch, failure,
                                                                              existing):
    target = tmp_path / "out.csv"
    if existing is not None:
        target.write_text(existing)

    def fail(fd):
        raise failure

    monkeypatch.setattr(files.os, "fsync", fail)  # after the text is written, before the rename
    expected = BpcalcError if isinstance(failure, OSError) else KeyboardInterrupt
    with pytest.raises(expected):
        write_atomically(target, "new contents " * 1000, force=True)
    assert (target.read_text() if target.exists() else None) == existing
    assert leftovers(tmp_path) == []


def test_interrupted_at_the_rename_leaves_no_temporary(tmp_path, monkeypatch):
    def interrupted(source, destination):
        raise KeyboardInterrupt

    monkeypatch.setattr(files.os, "link", interrupted)
    with pytest.raises(KeyboardInterrupt):
        write_atomically(tmp_path / "out.csv", "x")
    assert not (tmp_path / "out.csv").exists()
    assert leftovers(tmp_path) == []


def test_a_file_that_appears_while_writing_is_not_replaced(tmp_path, monkeypatch):
    """The existence check and the rename are one step (a hard link), so no race can clobber a file."""
    target = tmp_path / "out.csv"
    real_mkstemp = files.tempfile.mkstemp

    def mkstemp_then_someone_writes(**kwargs):
        result = real_mkstemp(**kwargs)
        target.write_text("written meanwhile")
        return result

    monkeypatch.setattr(files.tempfile, "mkstemp", mkstemp_then_someone_writes)
    with pytest.raises(BpcalcError, match="already exists; use --force"):
        write_atomically(target, "ours")
    assert target.read_text() == "written meanwhile"
    assert leftovers(tmp_path) == []


def test_without_hard_links_it_still_writes_and_still_refuses(tmp_path, monkeypatch):
    def no_links(source, destination):
        raise OSError(errno.EPERM, "Operation not permitted")

    monkeypatch.setattr(files.os, "link", no_links)
    write_atomically(tmp_path / "out.csv", "x")
    assert (tmp_path / "out.csv").read_text() == "x"
    with pytest.raises(BpcalcError, match="already exists"):
        write_atomically(tmp_path / "out.csv", "y")
    assert leftovers(tmp_path) == []
