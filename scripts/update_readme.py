"""Regenerate the README's generated sections (run after changing the schemas or docs/).

- the "Data model" section, from clspd_geo.schemas;
- each ``<!-- include:docs/NAME.md:start -->`` block, from that file, its headings shifted so
  that its top heading is a README section (##).
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from clspd_geo import schemas  # noqa: E402

START, END = "<!-- data-model:start -->", "<!-- data-model:end -->"
INCLUDE = re.compile(r"<!-- include:(?P<path>[\w./-]+):start -->.*?<!-- include:(?P=path):end -->",
                     re.S)


def shifted(markdown: str, *, top: int = 2) -> str:
    """Return ``markdown`` with headings shifted so the highest one is at level ``top``."""
    lines = markdown.strip("\n").splitlines()
    in_code = False
    levels = []
    for line in lines:
        if line.startswith("```"):
            in_code = not in_code
        elif not in_code and (m := re.match(r"(#+) ", line)):
            levels.append(len(m.group(1)))
    if not levels:
        return "\n".join(lines)
    delta = top - min(levels)
    out, in_code = [], False
    for line in lines:
        if line.startswith("```"):
            in_code = not in_code
        elif not in_code and (m := re.match(r"(#+) ", line)):
            line = "#" * (len(m.group(1)) + delta) + line[len(m.group(1)):]
        out.append(line)
    return "\n".join(out)


def render(text: str) -> str:
    """Return the README text with every generated section up to date."""
    block = f"{START}\n{schemas.markdown()}\n{END}"
    text = re.sub(re.escape(START) + r".*?" + re.escape(END), lambda _m: block, text, flags=re.S)

    def include(m: re.Match) -> str:
        path = m.group("path")
        body = shifted((ROOT / path).read_text(encoding="utf-8"))
        return f"<!-- include:{path}:start -->\n{body}\n<!-- include:{path}:end -->"

    return INCLUDE.sub(include, text)


def main() -> None:
    readme = ROOT / "README.md"
    readme.write_text(render(readme.read_text(encoding="utf-8")), encoding="utf-8")


if __name__ == "__main__":
    main()
