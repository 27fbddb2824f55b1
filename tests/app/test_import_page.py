"""The "Données" page: upload, report, preview, confirm (AppTest through the router)."""

from __future__ import annotations

import datetime as dt
import hashlib
import shutil
from pathlib import Path

import conftest
import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from clspd_geo import store as store_mod
from clspd_geo.importing import preview

ROOT = Path(__file__).resolve().parents[2]


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def page(demo_store: Path, tmp_path: Path,
         monkeypatch: pytest.MonkeyPatch) -> tuple[AppTest, Path]:
    """The app on a private copy of the demo store, opened on the « Données » page."""
    path = tmp_path / "clspd.gpkg"
    shutil.copyfile(demo_store, path)
    monkeypatch.setenv("CLSPD_STORE", str(path))
    st.cache_data.clear()
    st.cache_resource.clear()
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    if hasattr(conftest, "logged_in"):  # login gate of the roles work
        at = conftest.logged_in(at, "admin", path)
    at.run()
    at.switch_page("pages/donnees.py").run()
    assert not at.exception, at.exception
    return at, path


def _incidents_csv(path: Path, *, days_ago: int) -> bytes:
    """Two incidents with the same id inside the demo territory, ``days_ago`` days ago."""
    terr = store_mod.open_store(path).read("territoire").to_crs(2154)
    c = terr.union_all().representative_point()
    lines = ["id,date_heure,categorie,x_l93,y_l93"]
    for i, dx in enumerate((0, 50)):
        day = dt.date.today() - dt.timedelta(days=days_ago + i)
        lines.append(f"A1,{day} 22:10,tapage,{c.x + dx:.1f},{c.y:.1f}")
    return ("\n".join(lines) + "\n").encode("utf-8")


def test_upload_report_preview_then_confirm(page: tuple[AppTest, Path]) -> None:
    at, path = page
    before_rows = store_mod.open_store(path).count("incidents")
    at.selectbox(key="donnees.kind").set_value("incidents").run()
    at.radio(key="donnees.mode").set_value("append").run()
    data = _incidents_csv(path, days_ago=10)
    at.file_uploader(key="donnees.files").upload("faits.csv", data, "text/csv").run()
    assert not at.exception, at.exception
    before = sha256(path)
    text = " ".join(str(e.value) for e in [*at.info, *at.warning, *at.caption])
    assert "1 ligne acceptée (incidents : 1, ajoutée aux 3\u202f000 existantes)" in text
    rejected = at.dataframe[-1].value
    assert list(rejected["Ligne"]) == ["3"] and "en double" in rejected["Motif du rejet"][0]
    assert sha256(path) == before  # nothing written before the confirmation
    at.button(key="donnees.confirm").click().run()
    assert not at.exception, at.exception
    assert store_mod.open_store(path).count("incidents") == before_rows + 1
    assert any("Import écrit" in str(s.value) for s in at.success)
    prov = store_mod.open_store(path).source_of("incidents")
    assert "faits.csv" in prov.source


def test_refused_file_shows_french_error_and_store_untouched(page: tuple[AppTest, Path]) -> None:
    at, path = page
    before = sha256(path)
    at.selectbox(key="donnees.kind").set_value("incidents").run()
    data = _incidents_csv(path, days_ago=-400)
    at.file_uploader(key="donnees.files").upload("futur.csv", data, "text/csv").run()
    assert not at.exception
    assert any("date dans le futur" in str(e.value) for e in at.error)
    assert sha256(path) == before


def test_upload_over_the_cap_refused() -> None:
    msg = preview.upload_too_big({"gros.csv": 60_000_000, "petit.csv": 10})
    assert msg is not None and "« gros.csv » (60 Mo)" in msg and "petit" not in msg
    assert preview.upload_too_big({"petit.csv": 10}) is None


def test_upload_limit_is_one_number(page: tuple[AppTest, Path]) -> None:
    """The page, its French refusal, the uploader and ``server.maxUploadSize`` say the same
    limit (issue 20: the page said 52 Mo, Streamlit refused at 50)."""
    import tomllib

    at, _ = page
    cfg = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    mb = preview.MAX_UPLOAD_MB
    assert cfg["server"]["maxUploadSize"] == mb
    assert preview.MAX_UPLOAD_BYTES == mb * 1_000_000
    texts = [str(e.value) for e in at.markdown]
    assert any(f"Taille maximale : {mb} Mo par fichier." in t for t in texts), texts
    uploader = at.get("file_uploader")[0]
    assert uploader.proto.max_upload_size_mb == mb
    assert f"{mb} Mo" in uploader.proto.help
    msg = preview.upload_too_big({"gros.csv": preview.MAX_UPLOAD_BYTES + 1})
    assert msg is not None and f"maximum {mb} Mo par fichier" in msg
    assert preview.upload_too_big({"juste.csv": preview.MAX_UPLOAD_BYTES}) is None


def test_a_second_import_is_refused_in_french_and_keeps_the_choices(
        page: tuple[AppTest, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    """Issue 20 item 1: while another session's import holds the server's slot (no room in
    line), the preview and the write are refused with a French message, nothing is written,
    and the kind, mode and file stay chosen; once the slot is free the same page goes on."""
    from clspd_geo.importing import gate

    at, path = page
    busy = gate.ImportGate(running=1, waiting=0)
    monkeypatch.setattr(gate, "GATE", busy)
    before, before_rows = sha256(path), store_mod.open_store(path).count("incidents")
    at.selectbox(key="donnees.kind").set_value("incidents").run()
    at.radio(key="donnees.mode").set_value("append").run()
    busy.acquire()  # another user's import runs
    at.file_uploader(key="donnees.files").upload(
        "faits.csv", _incidents_csv(path, days_ago=10), "text/csv").run()
    assert not at.exception, at.exception
    assert [str(e.value) for e in at.error] == [gate.BUSY_MESSAGE]
    assert "donnees.confirm" not in [b.key for b in at.button]  # no preview to confirm
    assert at.selectbox(key="donnees.kind").value == "incidents"
    assert at.radio(key="donnees.mode").value == "append"
    assert sha256(path) == before
    busy.release()  # the other import ended
    at.run()
    assert not at.error, [e.value for e in at.error]
    busy.acquire()  # another one starts between the preview and the confirmation
    at.button(key="donnees.confirm").click().run()
    assert not at.exception, at.exception
    assert [str(e.value) for e in at.error] == [gate.BUSY_MESSAGE]
    assert sha256(path) == before and not at.success
    busy.release()
    at.run()
    at.button(key="donnees.confirm").click().run()
    assert store_mod.open_store(path).count("incidents") == before_rows + 1
    assert busy.status() == (0, 0)


def test_incidents_offer_add_or_update_first_and_a_reimport_changes_nothing(
        page: tuple[AppTest, Path]) -> None:
    at, path = page
    at.selectbox(key="donnees.kind").set_value("incidents").run()
    radio = at.radio(key="donnees.mode")
    assert radio.value == "upsert" and radio.options[0] == "Ajouter / mettre à jour"
    before_rows = store_mod.open_store(path).count("incidents")
    data = _incidents_csv(path, days_ago=10)
    for n in (1, 2):  # the same month twice: one row added, then nothing changes
        at.file_uploader(key="donnees.files").upload("faits.csv", data, "text/csv").run()
        assert not at.exception, at.exception
        text = " ".join(str(e.value) for e in at.info)
        assert "incidents : 1, ajoutée ou mise à jour par identifiant" in text
        version = store_mod.open_store(path).version()
        at.button(key="donnees.confirm").click().run()
        assert not at.exception, at.exception
        assert store_mod.open_store(path).count("incidents") == before_rows + 1
        if n == 2:
            assert store_mod.open_store(path).version() == version
    # Other kinds have no identifier-based update: replace comes first.
    at.selectbox(key="donnees.kind").set_value("cameras").run()
    assert at.radio(key="donnees.mode").value == "replace"
    assert "Ajouter / mettre à jour" not in at.radio(key="donnees.mode").options
