"""Regenerate the README's "Data model" section from clspd_geo.schemas (run after a change)."""

from __future__ import annotations

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from clspd_geo import schemas  # noqa: E402

START, END = "<!-- data-model:start -->", "<!-- data-model:end -->"


def main() -> None:
    readme = ROOT / "README.md"
    text = readme.read_text(encoding="utf-8")
    block = f"{START}\n{schemas.markdown()}\n{END}"
    new = re.sub(re.escape(START) + r".*?" + re.escape(END), lambda _m: block, text, flags=re.S)
    readme.write_text(new, encoding="utf-8")


if __name__ == "__main__":
    main()
