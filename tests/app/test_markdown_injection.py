"""Names from data are shown as text on every page, never rendered as Markdown (issue 20).

A quartier named ``![b](http://…/x.png)`` became a real image (a beacon) on « 6. Aide aux
victimes », a facility ``[lien](http://…)`` a link, a file name ``**…**`` bold in the
« Source : » captions. Every Markdown source string the pages send must carry the
backslash escapes of :func:`clspd_geo.safe.md`.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import conftest
from app_sections import open_all
import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from clspd_geo.store import open_store

ROOT = Path(__file__).resolve().parents[2]
IMAGE = "![b](http://127.0.0.1:9/x.png)"
LINK = "[lien](http://127.0.0.1:9/)"
BOLD = "**gras**"
PAGES = ["pages/overview.py", "pages/communes.py", "pages/police.py", "pages/videoprotection.py",
         "pages/addictions.py", "pages/jeunesse.py", "pages/insertion.py",
         "pages/victimes.py", "pages/routier.py", "pages/radicalisation.py",
         "pages/donnees.py"]


@pytest.fixture(scope="module")
def hostile_store(demo_store: Path, tmp_path_factory) -> Path:
    """The demo store with every quartier, facility and the sources named with Markdown."""
    path = tmp_path_factory.mktemp("md") / "clspd.gpkg"
    shutil.copyfile(demo_store, path)
    store = open_store(path)
    quartiers = store.read("quartiers")
    quartiers["name"] = [f"{IMAGE} {i}" for i in range(len(quartiers))]
    facilities = store.read("equipements")
    facilities["name"] = [f"{(LINK, BOLD)[i % 2]} {i}" for i in range(len(facilities))]
    store.write_many({"quartiers": quartiers, "equipements": facilities},
                     source=f"import {BOLD} {LINK}.csv")
    return path


def _sources(at: AppTest) -> list[str]:
    """Every Markdown source string the run sent (markdown, captions, alerts, titles)."""
    out = []
    for kind in ("markdown", "caption", "info", "warning", "success", "error", "title",
                 "header", "subheader"):
        out += [str(e.value) for e in getattr(at, kind)]
    out += [str(e.body) for e in at.get("alert")] if hasattr(at, "get") else []
    return out


UNESCAPED = [re.compile(r"(?<!\\)\]\(http"), re.compile(r"(?<!\\)\*(?<!\\)\*gras"),
             re.compile(r"(?<!\\)!(?<!\\)\[b")]


@pytest.mark.parametrize("role", ["police", "elu", "public"])
def test_no_page_renders_imported_names_as_markdown(hostile_store: Path, role: str,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CLSPD_STORE", str(hostile_store))
    st.cache_data.clear()
    st.cache_resource.clear()
    at = conftest.logged_in(AppTest.from_file(str(ROOT / "app.py"), default_timeout=180),
                            role, hostile_store)
    at.run()
    seen, bad = [], []
    for page in PAGES:
        try:
            at.switch_page(page)
        except ValueError:  # a page this role does not have (the router hides it)
            continue
        open_all(at.run())  # the folded sections too
        assert not at.exception, (page, at.exception)
        texts = _sources(at)
        seen += texts
        bad += [(page, t) for t in texts if any(p.search(t) for p in UNESCAPED)]
    assert not bad, (role, bad)
    joined = "\n".join(seen)
    assert "lien" in joined or "gras" in joined or "x.png" in joined, \
        "the hostile names never reached a page: the test checks nothing"
