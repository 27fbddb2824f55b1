"""AppTest of the police coordination page: load per shift, PN/PM, patrol brief, redesign."""

from __future__ import annotations

from app_sections import open_sections

PAGE = "pages/police.py"


def _open(app):
    app.run()
    app.switch_page(PAGE).run()
    assert not app.exception, app.exception
    return app


def _section(app, name: str):
    app.radio(key="police.section").set_value(name).run()
    assert not app.exception, app.exception
    return app


def _metric(app, label: str) -> str:
    return next(m.value for m in app.metric if m.label == label)


def test_police_page_shows_load_coordination_and_brief(app):
    at = _open(app)
    assert not at.error, [e.value for e in at.error]
    assert "Écart de charge (CV)" in [m.label for m in at.metric]
    # The load table has one column per shift, plus the whole day.
    pivots = [d.value for d in at.dataframe if "Nuit (22 h – 06 h)" in d.value.columns]
    assert pivots and "Toute la journée" in pivots[0].columns
    _section(at, "coordination")
    assert "Surface couverte par PN et PM" in [m.label for m in at.metric]
    assert _metric(at, "Couvert par aucun secteur").endswith("km²")
    # Decimal commas (clspd_geo._format), never a decimal point.
    for label in ("Surface couverte par PN et PM", "Couvert par aucun secteur"):
        assert "," in _metric(at, label) and "." not in _metric(at, label), _metric(at, label)
    # The demo's municipal police leaves a zone uncovered: reported in the gaps table.
    gaps = [d.value for d in at.dataframe if "Surface non couverte (ha)" in d.value.columns]
    assert gaps and "Police municipale" in set(gaps[0]["Force"])
    # Presence against need.
    assert any("Faits par heure de patrouille" in d.value.columns for d in at.dataframe)
    # Tonight's patrol brief.
    _section(at, "fiche")
    assert at.selectbox(key="police.brief_shift").value == "nuit"
    downloads = at.get("download_button")
    assert any("fiche de patrouille" in d.proto.label for d in downloads)


def test_shift_choice_changes_the_balance_figures(app):
    at = _open(app)
    whole_day = _metric(at, "Écart de charge (CV)")
    at.radio(key="police.shift").set_value("nuit").run()
    assert not at.exception
    night = _metric(at, "Écart de charge (CV)")
    at.radio(key="police.force").set_value("police_municipale").run()
    assert not at.exception
    assert len({whole_day, night, _metric(at, "Écart de charge (CV)")}) > 1


def _french(text) -> float:
    """Read a number the tables write the French way (« 12,3 », « 1 234 », « 8 % »)."""
    return float(str(text).replace("\u202f", "").replace("%", "").replace(",", ".").strip())


def test_redesign_proposal_is_compared_with_todays_sectors(app):
    at = _section(_open(app), "redecoupage")
    at.toggle(key="police.propose").set_value(True).run()
    assert not at.exception, at.exception
    table = next(d.value for d in at.dataframe if "Écart de charge (CV)" in d.value.columns)
    assert list(table.index) == ["Secteurs actuels", "Proposition"]
    assert _french(table.loc["Proposition", "Écart de charge (CV)"]) < _french(table.loc[
        "Secteurs actuels", "Écart de charge (CV)"])
    assert any("GeoJSON" in d.proto.label for d in at.get("download_button"))


def test_too_many_sectors_is_explained_and_the_page_goes_on(app):
    at = _section(_open(app), "redecoupage")
    at.radio(key="police.blocks").set_value("quartiers")
    at.number_input(key="police.k").set_value(40)
    at.toggle(key="police.propose").set_value(True).run()
    assert not at.exception, at.exception
    assert any("îlots à regrouper" in e.value for e in at.error), [e.value for e in at.error]
    # The sections after the proposal are still drawn (and open when asked).
    open_sections(at, "police.open.trend")
    assert any(s.value == "Par quartier" for s in at.subheader)


def test_categories_without_hour_are_left_out_and_said(app):
    at = _open(app)
    note = next(c.value for c in at.caption if "publiées sans heure" in c.value)
    # The police role reads sensitive categories aggregated by month, without the hour.
    assert "Violences conjugales" in note and "Cambriolage" not in note
