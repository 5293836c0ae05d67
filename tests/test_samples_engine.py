"""The demo corpus is generated, not hand-written: samples/generate.py reads the story
(samples/story/*.yaml), renders the four JSON files and checks them.

These tests run the generator as a user would, into a temporary folder: it must write the
committed files byte for byte, and its self-check must stop it when the story breaks a rule.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from tests.conftest import SAMPLES

OUTPUTS = ("calls.json", "transcripts.json", "folder.json", "expected.json")


def generate(tmp_path: Path, story: Path) -> subprocess.CompletedProcess[str]:
    out = tmp_path / "out"
    out.mkdir()
    return subprocess.run(
        [sys.executable, str(SAMPLES / "generate.py"), "--story", str(story), "--out", str(out)],
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )


def test_the_generator_writes_the_committed_corpus(tmp_path: Path) -> None:
    run = generate(tmp_path, SAMPLES / "story")
    assert run.returncode == 0, run.stdout + run.stderr
    assert '"name_leaks": 0' in run.stdout  # the self-check ran and printed its summary
    for name in OUTPUTS:
        written = (tmp_path / "out" / name).read_bytes()
        assert written == (SAMPLES / name).read_bytes(), f"{name} differs from samples/{name}"


def test_the_self_check_stops_a_story_that_names_another_accounts_people(tmp_path: Path) -> None:
    # Olympus describing its forecast process with Moss & Co's CFO in it breaks "nobody names
    # another account's people"; the generator must refuse the corpus, not write it silently.
    story = tmp_path / "story"
    shutil.copytree(SAMPLES / "story", story)
    accounts = story / "accounts.yaml"
    text = accounts.read_text(encoding="utf-8")
    first_step = "    process:\n    - "
    at = text.index(first_step, text.index("\n  Olympus:\n")) + len(first_step)
    accounts.write_text(text[:at] + "Gregory Hale says hello. " + text[at:])

    run = generate(tmp_path, story)

    assert run.returncode == 1
    assert run.stdout.startswith("CorpusError: "), run.stdout + run.stderr
    assert "name another account's people" in run.stdout
    assert "Gregory Hale (Moss & Co)" in run.stdout


def test_a_story_naming_a_beat_that_does_not_exist_is_refused(tmp_path: Path) -> None:
    story = tmp_path / "story"
    shutil.copytree(SAMPLES / "story", story)
    beats = story / "beats.yaml"
    beats.write_text(beats.read_text(encoding="utf-8").replace("b_closing", "b_closign"))

    run = generate(tmp_path, story)

    assert run.returncode == 1
    assert run.stdout.strip() == (
        "StoryError: the story names a beat that does not exist: b_closign"
    ), run.stdout + run.stderr
