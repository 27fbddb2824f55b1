"""The README documents the data model as it is in the code, and the two commands exist."""

from __future__ import annotations

from pathlib import Path

from clspd_geo import schemas

ROOT = Path(__file__).resolve().parent.parent


def test_generated_sections_are_up_to_date():
    import importlib.util

    spec = importlib.util.spec_from_file_location("update_readme",
                                                  ROOT / "scripts" / "update_readme.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    assert schemas.markdown() in text, "run: python scripts/update_readme.py"
    assert mod.render(text) == text, "run: python scripts/update_readme.py"


def test_readme_commands_exist_and_ci_calls_the_test_command():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "bash scripts/run_app.sh" in text and "bash scripts/run_tests.sh" in text
    assert (ROOT / "scripts" / "run_app.sh").is_file()
    assert "scripts/run_tests.sh" in (ROOT / ".ci" / "run").read_text()


def test_every_included_doc_has_both_markers():
    """An include block whose start marker was lost is never regenerated again."""
    import re

    text = (ROOT / "README.md").read_text(encoding="utf-8")
    starts = re.findall(r"<!-- include:([\w./-]+):start -->", text)
    ends = re.findall(r"<!-- include:([\w./-]+):end -->", text)
    assert starts == ends, (starts, ends)
    for path in starts:
        assert (ROOT / path).is_file(), path
