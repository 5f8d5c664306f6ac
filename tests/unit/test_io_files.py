"""humectl.io.files: writing into a directory the user named: exact bytes, nothing overwritten without
``force`` (and nothing written at all then), never through a symlink out of it."""

from __future__ import annotations

from pathlib import Path

import pytest

from humectl.core.errors import ExportError
from humectl.io.files import existing, inside, refuse_outside, write_files


def test_writes_exact_bytes_creating_directories(tmp_path: Path) -> None:
    root = tmp_path / "out"
    written = write_files(root, [("prompts.yaml", "a: 1\r\n"), ("prompts/deep/p.md", "héllo\n")])
    assert written == [root / "prompts.yaml", root / "prompts" / "deep" / "p.md"]
    assert (root / "prompts.yaml").read_bytes() == b"a: 1\r\n"  # no newline translation
    assert (root / "prompts/deep/p.md").read_bytes() == "héllo\n".encode()


def test_an_existing_file_refuses_the_whole_write(tmp_path: Path) -> None:
    (tmp_path / "tools.yaml").write_text("mine\n", encoding="utf-8")
    with pytest.raises(ExportError, match=r"refusing to overwrite 1 existing file\(s\) in .*: tools.yaml") as caught:
        write_files(tmp_path, [("configs.yaml", "c\n"), ("tools.yaml", "t\n")])
    assert caught.value.hint is not None and "--force" in caught.value.hint
    assert not (tmp_path / "configs.yaml").exists()  # nothing written, not even the first file
    assert (tmp_path / "tools.yaml").read_text(encoding="utf-8") == "mine\n"


def test_force_overwrites(tmp_path: Path) -> None:
    (tmp_path / "tools.yaml").write_text("mine\n", encoding="utf-8")
    write_files(tmp_path, [("tools.yaml", "t\n")], force=True)
    assert (tmp_path / "tools.yaml").read_text(encoding="utf-8") == "t\n"


def test_a_root_that_is_a_file_is_refused(tmp_path: Path) -> None:
    (tmp_path / "f").write_text("x", encoding="utf-8")
    with pytest.raises(ExportError, match="is not a directory"):
        write_files(tmp_path / "f", [("a.yaml", "a")])


def test_a_file_in_the_way_of_a_directory_is_refused(tmp_path: Path) -> None:
    (tmp_path / "prompts").write_text("x", encoding="utf-8")
    for path in ("prompts/p.md", "prompts/deeper/p.md"):  # the file is the parent, or further up
        with pytest.raises(ExportError, match="a file is in the way"):
            write_files(tmp_path, [(path, "hi")])


def test_a_symlinked_file_is_replaced_never_written_through(tmp_path: Path) -> None:
    outside = tmp_path / "precious.txt"
    outside.write_text("keep\n", encoding="utf-8")
    root = tmp_path / "out"
    root.mkdir()
    (root / "tools.yaml").symlink_to(outside)
    write_files(root, [("tools.yaml", "t\n")], force=True)
    assert outside.read_text(encoding="utf-8") == "keep\n"
    assert not (root / "tools.yaml").is_symlink() and (root / "tools.yaml").read_text(encoding="utf-8") == "t\n"


def test_a_dangling_symlink_counts_as_existing(tmp_path: Path) -> None:
    (tmp_path / "tools.yaml").symlink_to(tmp_path / "nowhere")
    assert existing(tmp_path, ["tools.yaml", "configs.yaml"]) == ["tools.yaml"]
    with pytest.raises(ExportError, match="refusing to overwrite"):
        write_files(tmp_path, [("tools.yaml", "t\n")])


def test_a_directory_symlinked_out_of_the_root_is_refused_before_anything_is_written(tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    root = tmp_path / "out"
    root.mkdir()
    (root / "prompts").symlink_to(elsewhere, target_is_directory=True)
    with pytest.raises(ExportError, match=r"refusing to write outside .*prompts/p.md") as caught:
        write_files(root, [("a.yaml", "a"), ("prompts/p.md", "hi")])
    assert "symlink" in caught.value.message
    assert list(elsewhere.iterdir()) == [] and not (root / "a.yaml").exists()


def test_inside_resolves_links(tmp_path: Path) -> None:
    root = tmp_path / "root"
    (root / "sub").mkdir(parents=True)
    (tmp_path / "rootless").mkdir()
    assert inside(root, root) and inside(root, root / "sub") and inside(root, root / "sub" / "new.md")
    assert not inside(root, tmp_path) and not inside(root, tmp_path / "rootless")  # a shared prefix is not inside
    (root / "link").symlink_to(tmp_path / "rootless")
    assert not inside(root, root / "link")
    assert inside(root, root / "sub" / ".." / "sub")
    refuse_outside(root, ["sub/a.md", "b.md"])  # fine: nothing raised
    with pytest.raises(ExportError):
        refuse_outside(root, ["link/a.md"])


def test_a_failed_write_says_what_was_already_written(tmp_path: Path) -> None:
    (tmp_path / "configs.yaml").mkdir()  # a directory where a file goes: the write itself fails
    with pytest.raises(
        ExportError, match=r"cannot write .*configs.yaml: Is a directory \(1 file\(s\) written before it: "
    ) as caught:
        write_files(tmp_path, [("tools.yaml", "t"), ("configs.yaml", "c")], force=True)
    assert str(tmp_path / "tools.yaml") in caught.value.message
