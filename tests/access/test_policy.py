"""The policy beside the visibility matrix (clspd_geo.access.policy)."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import Point

from clspd_geo.access import policy, release


def test_matrix_has_every_role_and_category():
    assert set(policy.MATRIX) == set(policy.ROLE_CODES)
    assert len(policy.ROLE_CODES) == 7
    for cells in policy.MATRIX.values():
        assert set(cells) == set(policy.CATEGORIES)
    table = policy.matrix_table()
    assert table.shape == (len(policy.CATEGORIES), 1 + len(policy.ROLES))


def test_unknown_role_is_refused_with_a_french_message():
    with pytest.raises(policy.AccessError, match="rôle « intrus » n'existe pas"):
        release.restrict(pd.DataFrame(), layer="cameras", role_code="intrus")


def test_admin_reads_no_incident_data():
    assert policy.visible_categories("admin") == []
    assert not policy.may_see("admin", "cameras")


def test_aggregated_rules_never_allow_small_k_for_non_police_sensitive():
    for r in policy.ROLE_CODES:
        rule = policy.rule(r, "faits_sensibles")
        if rule.access != "never":
            assert rule.access == "aggregated"
            assert rule.k >= (5 if r == "police" else 11)


def test_docs_matrix_is_up_to_date():
    from pathlib import Path

    text = (Path(__file__).resolve().parents[2] / "docs" / "roles.md").read_text("utf-8")
    for _, row in policy.matrix_table().iterrows():
        assert "| " + " | ".join(str(v) for v in row) + " |" in text, row["Données"]


def test_page_access_per_role():
    assert policy.may_open("police", "police")
    assert not policy.may_open("elu", "police")
    assert policy.may_open("videoprotection", "videoprotection")
    assert not policy.may_open("public", "videoprotection")
    assert policy.may_open("admin", "administration")
    assert not policy.may_open("police", "administration")
    # Pages not listed: every role but the administrator.
    assert policy.may_open("public", "jeunesse")
    assert not policy.may_open("admin", "jeunesse")
    assert not policy.may_open("admin", "")


def test_edit_and_import_rights():
    assert [r for r in policy.ROLE_CODES if policy.may_edit(r, "actions")] == [
        "elu", "groupe_travail", "police", "admin"]
    assert not any(policy.may_edit(r, "incidents") for r in policy.ROLE_CODES)
    assert [r for r in policy.ROLE_CODES if policy.may_import(r)] == ["police", "admin"]
    with pytest.raises(policy.AccessError, match="n'existe pas"):
        policy.may_edit("intrus", "actions")


def test_small_count_k_follows_the_role_matrix():
    # Élu and public see facts with k = 11: their tables hide 1 to 10, not 1 to 4.
    assert policy.small_count_k("elu") == 11
    assert policy.small_count_k("public") == 11
    assert policy.small_count_k("groupe_travail") == 11
    assert policy.small_count_k("police") == 5
    # Never below the floor, even for a role that sees nothing aggregated.
    assert policy.small_count_k("admin") == policy.SMALL_COUNT_FLOOR


def test_one_definition_of_confidential_facilities():
    equip = gpd.GeoDataFrame(
        {"kind": ["hebergement_victimes", "mairie", "mairie", "mairie"],
         "confidential": [False, True, False, None]},
        geometry=[Point(2.3, 48.8)] * 4, crs=4326)
    # A confidential kind, a flag, a clear row, and a missing flag (fail closed).
    assert policy.confidential_mask(equip).tolist() == [True, True, False, True]
    shown = release.restrict(equip, layer="equipements", role_code="elu")
    assert len(shown) == 1
    assert len(release.restrict(equip, layer="equipements", role_code="police")) == 4
    assert policy.confidential_mask(equip.iloc[0:0]).tolist() == []
    assert isinstance(policy.confidential_mask(equip), np.ndarray)


def test_notice_says_the_role_k():
    assert policy.notice("police") is not None and "5" in policy.notice("police")
    assert "11" in policy.notice("elu")
    assert "aucun fait" in policy.notice("admin")
    assert pd.notna(policy.notice("public"))


def test_finest_zone_per_role():
    assert policy.finest_zone("police", "cambriolage") == "point"
    assert policy.finest_zone("police", "violences_scolaires") == "grille"
    assert policy.finest_zone("elu", "violences_scolaires") == "quartier"
    assert policy.finest_zone("videoprotection", "violences_scolaires") is None
    assert policy.finest_zone("admin", "cambriolage") is None


def test_the_operator_full_read_is_explicit_and_never_an_account_role():
    op = policy.OPERATOR.code
    assert op not in policy.ROLE_CODES and op not in policy.MATRIX
    with pytest.raises(policy.AccessError):
        policy.role(op)  # accounts, claims and sessions are validated with role()
    assert policy.reader(op) is policy.OPERATOR
    assert policy.rule(op, "faits_sensibles").access == "exact"
    assert policy.may_edit(op, "secteurs_proposes") and policy.may_import(op)
    assert not policy.may_open(op, "") and policy.notice(op) is None


def test_notice_tells_police_their_facts_are_exact_and_elus_their_real_threshold():
    police = policy.notice("police")
    assert "Faits ordinaires et infractions liées aux stupéfiants : vus au fait près" in police
    assert "Faits sensibles : agrégés par maille de 200 m" in police
    assert "effectifs de 1 à 4 masqués (« < 5 »)" in police
    assert "moins de" not in police
    elu = policy.notice("elu")
    assert policy.small_count_k("elu") == 11
    assert "effectifs de 1 à 10 masqués (« < 11 »)" in elu
    assert "1 à 4" not in elu
    assert "Faits sensibles : non visibles." in policy.notice("videoprotection")
    assert "délai de 1 mois" in policy.notice("public")
