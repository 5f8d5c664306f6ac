"""humectl.load.existing: the manifest-only settings of manifests as written (no substitution, no
validation), each text file's path relative to the manifest directory."""

from __future__ import annotations

from pathlib import Path

from humectl.load.existing import Kept, manifest_only_settings


def test_settings_as_written_and_text_files_relative_to_the_directory(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "agent.yaml").write_text(
        "prompts:\n"
        "  - name: agent\n"
        "    version_description: ${why}\n"  # never substituted (and no variable is defined)
        "    protect: true\n"
        "    text_file: texts/agent.md\n"
        "  - name: plain\n"
        "    text: Hi.\n"
        "  - name: outside\n"
        "    text_file: ../../elsewhere.md\n"
        "    protect: true\n"
    )
    (tmp_path / "humectl.yaml").write_text("variables: {why: because}\n")  # not a manifest: skipped
    assert manifest_only_settings(tmp_path) == {
        "prompt/agent": Kept({"version_description": "${why}", "protect": True}, "sub/texts/agent.md"),
        "prompt/outside": Kept({"protect": True}, None),  # a text file outside the directory is not kept
    }
    assert manifest_only_settings(tmp_path / "missing") == {}
