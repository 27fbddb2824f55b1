"""Tests of the CLSPD vocabularies: action fields, partners, categories, facility kinds."""

from __future__ import annotations

import re

import pytest

from clspd_geo import vocab

# The eight action fields and their French labels, as the glossary lists them.
GLOSSARY_FIELDS = {
    1: "Coordination police nationale / police municipale (présence, proximité)",
    2: "Vidéoprotection",
    3: "Conduites addictives (alcool, drogues, trafic, accès aux soins)",
    4: "Jeunesse : citoyenneté, violences intrafamiliales, conjugales et scolaires",
    5: "Insertion sociale et professionnelle, prévention de la récidive",
    6: "Aide aux victimes",
    7: "Sécurité routière",
    8: "Prévention de la radicalisation (CLSPDR)",
}

CODE_RE = re.compile(r"^[a-z][a-z0-9_]*$")
FIELD_CODES = {f.code for f in vocab.ACTION_FIELDS}
PARTNER_CODES = {p.code for p in vocab.PARTNERS}
KIND_CODES = {k.code for k in vocab.FACILITY_KINDS}


# -- action fields ----------------------------------------------------------------------------
def test_eight_action_fields_numbered_one_to_eight_in_order():
    assert [f.number for f in vocab.ACTION_FIELDS] == list(range(1, 9))
    assert [f.code for f in vocab.ACTION_FIELDS] == [
        "police", "video", "addictions", "jeunesse", "insertion", "victimes", "routier",
        "radicalisation"]


def test_action_field_labels_are_the_glossary_ones():
    assert {f.number: f.label for f in vocab.ACTION_FIELDS} == GLOSSARY_FIELDS


def test_action_fields_have_short_label_question_and_material_icon():
    for f in vocab.ACTION_FIELDS:
        assert f.short.strip(), f.code
        assert f.question.endswith("?"), f.code
        assert re.fullmatch(r":material/[a-z0-9_]+:", f.icon), f.icon


def test_action_field_lookup():
    assert vocab.action_field("video").number == 2
    with pytest.raises(KeyError):
        vocab.action_field("inconnu")


# -- incident categories ----------------------------------------------------------------------
def test_every_category_field_exists():
    for c in vocab.INCIDENT_CATEGORIES:
        assert c.field in FIELD_CODES, c.code


def test_category_sensitivities_and_severities_are_valid():
    for c in vocab.INCIDENT_CATEGORIES:
        assert c.sensitivity in ("standard", "stupefiants", "sensible"), c.code
        assert c.sensitivity in vocab.SENSITIVITY_LABELS
        assert isinstance(c.severity, int)
        assert 1 <= c.severity <= 5, c.code


@pytest.mark.parametrize("code", [
    "violences_intrafamiliales", "violences_conjugales", "violences_scolaires",
    "mineur_en_danger", "violences_sexuelles", "signalement_radicalisation",
])
def test_sensitive_categories_are_sensible(code):
    assert vocab.category(code).sensitivity == "sensible"


def test_every_radicalisation_category_is_sensible():
    codes = vocab.category_codes(field="radicalisation")
    assert codes
    assert all(vocab.category(c).sensitivity == "sensible" for c in codes)


def test_drug_categories_are_stupefiants():
    drug = [c for c in vocab.INCIDENT_CATEGORIES
            if c.field == "addictions" and ("stup" in c.code or "deal" in c.code)]
    assert {c.code for c in drug} >= {"usage_stupefiants", "trafic_stupefiants", "point_de_deal"}
    for c in drug:
        assert c.sensitivity == "stupefiants", c.code
    assert set(vocab.category_codes(sensitivity="stupefiants")) == {
        "usage_stupefiants", "trafic_stupefiants", "point_de_deal"}


def test_category_codes_filters():
    assert vocab.category_codes() == [c.code for c in vocab.INCIDENT_CATEGORIES]
    both = vocab.category_codes(field="jeunesse", sensitivity="sensible")
    assert "violences_conjugales" in both
    assert all(vocab.category(c).field == "jeunesse" for c in both)
    assert vocab.category_codes(field="video", sensitivity="stupefiants") == []


def test_label_and_weight_helpers_cover_every_category_and_kind():
    assert set(vocab.category_labels()) == {c.code for c in vocab.INCIDENT_CATEGORIES}
    assert set(vocab.severity_weights()) == {c.code for c in vocab.INCIDENT_CATEGORIES}
    assert set(vocab.facility_labels()) == KIND_CODES


# -- action fields x categories x facility kinds ----------------------------------------------
@pytest.mark.parametrize("field", sorted(FIELD_CODES))
def test_every_action_field_has_a_category_and_a_facility_kind(field):
    assert vocab.category_codes(field=field), field
    assert vocab.facility_kinds_for(field), field


def test_facility_kinds_for_returns_kinds_serving_the_field():
    kinds = vocab.facility_kinds_for("addictions")
    assert {"csapa", "caarud"} <= set(kinds)
    assert "csu" not in kinds


# -- facility kinds ---------------------------------------------------------------------------
def test_every_facility_kind_partner_and_fields_exist():
    for k in vocab.FACILITY_KINDS:
        assert k.partner in PARTNER_CODES, k.code
        assert k.fields, k.code
        assert set(k.fields) <= FIELD_CODES, k.code
        assert len(set(k.fields)) == len(k.fields), k.code


def test_facility_kinds_have_icon_colour_and_label():
    for k in vocab.FACILITY_KINDS:
        assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", k.icon), k.icon  # Font Awesome 6 name
        assert re.fullmatch(r"#[0-9a-f]{6}", k.color), k.color
        assert k.label.strip(), k.code
        assert isinstance(k.confidential, bool)


def test_victim_shelters_are_confidential():
    assert vocab.facility_kind("hebergement_victimes").confidential
    assert not vocab.facility_kind("mairie").confidential


# Each CLSPD member (glossary) and the facility kind that puts it on the map.
MEMBER_KINDS = {
    "mairie": ("maire", "Hôtel de ville"),
    "tribunal": ("parquet", "tribunal"),
    "prefecture": ("prefet", "préfecture"),
    "commissariat": ("police_nationale", "commissariat"),
    "brigade_gendarmerie": ("gendarmerie", "gendarmerie"),
    "poste_police_municipale": ("police_municipale", "police municipale"),
    "caserne_pompiers": ("sdis", "secours"),
    "service_social": ("cohesion_sociale", "social"),
    "ecole_maternelle": ("education_nationale", "maternelle"),
    "ecole_elementaire": ("education_nationale", "élémentaire"),
    "college": ("education_nationale", "collège"),
    "lycee": ("education_nationale", "lycée"),
    "ase": ("departement", "ASE"),
    "mds": ("departement", "MDS"),
    "asso_prevention": ("associations", "prévention"),
    "asso_aide_victimes": ("associations", "victimes"),
    "csapa": ("sante", "CSAPA"),
    "caarud": ("sante", "CAARUD"),
    "atelier_insertion": ("associations", "insertion"),
    "mission_locale": ("cohesion_sociale", "mission locale"),
    "residence_sociale": ("bailleurs", "logement social"),
    "gare": ("transporteurs", "gare"),
    "arret_bus": ("transporteurs", "bus"),
}


@pytest.mark.parametrize("code", sorted(MEMBER_KINDS))
def test_facility_kinds_cover_every_clspd_member(code):
    partner, word = MEMBER_KINDS[code]
    kind = vocab.facility_kind(code)
    assert kind.partner == partner
    assert word.lower() in kind.label.lower()


def test_every_partner_has_a_facility_kind():
    assert {k.partner for k in vocab.FACILITY_KINDS} == PARTNER_CODES


def test_school_kinds_serve_youth_and_road_safety():
    for code in ("ecole_maternelle", "ecole_elementaire", "college", "lycee"):
        assert {"jeunesse", "routier"} <= set(vocab.facility_kind(code).fields)


# -- codes ------------------------------------------------------------------------------------
@pytest.mark.parametrize("codes", [
    [f.code for f in vocab.ACTION_FIELDS],
    [p.code for p in vocab.PARTNERS],
    [c.code for c in vocab.INCIDENT_CATEGORIES],
    [k.code for k in vocab.FACILITY_KINDS],
    list(vocab.CAMERA_KINDS), list(vocab.CAMERA_STATUSES), list(vocab.CAMERA_OPERATORS),
    list(vocab.FORCES), list(vocab.ROAD_USERS),
], ids=["fields", "partners", "categories", "kinds", "camera_kinds", "camera_statuses",
        "camera_operators", "forces", "road_users"])
def test_codes_are_unique_lowercase_ascii(codes):
    assert len(codes) == len(set(codes))
    for code in codes:
        assert code.isascii(), code
        assert CODE_RE.fullmatch(code), code


def test_labels_are_unique_within_each_vocabulary():
    for labels in ([f.label for f in vocab.ACTION_FIELDS], [p.label for p in vocab.PARTNERS],
                   [c.label for c in vocab.INCIDENT_CATEGORIES],
                   [k.label for k in vocab.FACILITY_KINDS]):
        assert len(labels) == len(set(labels))


def test_every_force_has_a_colour():
    assert set(vocab.FORCE_COLORS) == set(vocab.FORCES)
    assert all(re.fullmatch(r"#[0-9a-f]{6}", c) for c in vocab.FORCE_COLORS.values())


def test_vocabularies_are_frozen():
    with pytest.raises(AttributeError):
        vocab.ACTION_FIELDS[0].label = "autre"  # type: ignore[misc]


def test_every_page_has_a_title_and_the_lexicon_defines_the_page_abbreviations():
    from pathlib import Path
    pages = {p.stem for p in (Path(__file__).resolve().parents[1] / "pages").glob("*.py")}
    assert pages <= set(vocab.PAGE_TITLES), pages - set(vocab.PAGE_TITLES)
    for term in ("PAI", "Gi*", "WDD", "CV", "DORI", "QPV"):
        assert len(vocab.LEXICON[term]) > 40, term
