"""scripts/_env.sh: the system package checks, run in bash under the scripts' own `set -euo pipefail`."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _bash(script: str, path_dirs: tuple[Path, ...] = ()) -> subprocess.CompletedProcess:
    env = dict(os.environ, PATH=os.pathsep.join([*map(str, path_dirs), os.environ["PATH"]]))
    return subprocess.run(
        ["bash", "-c", f'set -euo pipefail; source scripts/_env.sh; PYTHON="{sys.executable}"; {script}'],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def _stub(directory: Path, name: str, body: str) -> None:
    stub = directory / name
    stub.write_text(f"#!/bin/sh\n{body}\n")
    stub.chmod(0o755)


def test_the_installed_packages_are_found_every_time_under_pipefail():
    # The fonts, pango and harfbuzz's subsetter are installed on this machine (the PDF tests need them).
    result = _bash('for _ in $(seq 50); do echo "[$(missing_system_packages)]"; done')

    assert (result.returncode, result.stdout, result.stderr) == (0, "[]\n" * 50, "")


def test_a_missing_font_names_its_package(tmp_path):
    _stub(tmp_path, "fc-list", "exit 0")

    result = _bash("missing_system_packages", path_dirs=(tmp_path,))

    assert (result.returncode, result.stdout) == (0, "fonts-liberation2\n")


def test_a_user_who_is_not_root_is_told_what_to_install_only_when_something_is_missing(tmp_path):
    _stub(tmp_path, "id", "echo 1000")
    font_missing = tmp_path / "no-fonts"
    font_missing.mkdir()
    _stub(font_missing, "fc-list", "exit 0")

    complete = _bash("ensure_system_packages", path_dirs=(tmp_path,))
    incomplete = _bash("ensure_system_packages", path_dirs=(font_missing, tmp_path))

    assert (complete.returncode, complete.stdout, complete.stderr) == (0, "", "")
    assert (incomplete.returncode, incomplete.stdout, incomplete.stderr) == (
        0,
        "",
        "Please install these Debian packages first: fonts-liberation2\n",
    )


def test_the_test_run_also_wants_debians_chromium_for_the_browser_tests():
    found = _bash("missing_system_packages test; have_chromium() { return 1; }; missing_system_packages test")
    not_root = _bash("have_chromium() { return 1; }; id() { echo 1000; }; ensure_system_packages test")
    demo = _bash("have_chromium() { return 1; }; missing_system_packages")

    assert (found.returncode, found.stdout) == (0, "\nchromium\n")
    assert (not_root.returncode, not_root.stderr) == (0, "Please install these Debian packages first: chromium\n")
    assert (demo.returncode, demo.stdout) == (0, "\n")
