"""Session cookies: one-time codes, cookie headers, redirect targets (access.sessions)."""

from __future__ import annotations

import datetime as dt

import pytest

from access_db import dump
from clspd_geo.access import auth, sessions

T0 = dt.datetime(2026, 11, 25, 9, 0, 0)
PW = "correct-horse-battery"


@pytest.fixture
def users(access_db):
    path = access_db
    auth.create_account("alice", role="elu", password=PW, path=path, now=T0)
    return path


def _cookie_token(users, now=T0):
    token = auth.login("alice", PW, path=users, now=now)
    code = sessions.issue_code(token, path=users, now=now)
    return token, code


def test_a_code_gives_back_its_token_once(users):
    token, code = _cookie_token(users)
    assert sessions.redeem_code(code, path=users, now=T0 + dt.timedelta(seconds=5)) == token
    assert sessions.redeem_code(code, path=users, now=T0 + dt.timedelta(seconds=6)) is None


def test_a_code_expires_after_its_lifetime(users):
    _token, code = _cookie_token(users)
    late = T0 + dt.timedelta(seconds=sessions.CODE_TTL_S + 1)
    assert sessions.redeem_code(code, path=users, now=late) is None


@pytest.mark.parametrize("code", [None, "", "x" * 200, "inconnu"])
def test_unknown_codes_give_nothing(users, code):
    _cookie_token(users)
    assert sessions.redeem_code(code, path=users, now=T0) is None


def test_no_code_for_a_dead_session(users):
    token = auth.login("alice", PW, path=users, now=T0)
    auth.logout(token, path=users)
    with pytest.raises(auth.AuthError):
        sessions.issue_code(token, path=users, now=T0)


def test_the_file_holds_neither_code_nor_token(users):
    token, code = _cookie_token(users)
    raw = dump(users)
    assert token.encode() not in raw and code.encode() not in raw


def test_cookie_token_expires_when_idle_and_after_the_maximum(users):
    token, code = _cookie_token(users)
    t = T0
    assert sessions.redeem_code(code, path=users, now=t) == token
    for _ in range(16):  # 16 × 29 min of activity: alive until the 8 h maximum
        t += dt.timedelta(minutes=29)
        assert auth.check_session(token, path=users, now=t) is not None
    t += dt.timedelta(minutes=29)  # 8 h 13 min after the login
    assert auth.check_session(token, path=users, now=t) is None
    token2, code2 = _cookie_token(users)
    assert sessions.redeem_code(code2, path=users, now=T0) == token2
    assert auth.check_session(token2, path=users, now=T0 + dt.timedelta(minutes=31)) is None


def test_cookie_token_is_revoked_by_logout_and_by_disabling(users):
    token, code = _cookie_token(users)
    auth.logout(token, path=users)
    assert sessions.redeem_code(code, path=users, now=T0) is None  # session ended meanwhile
    assert auth.check_session(token, path=users, now=T0) is None
    token, code = _cookie_token(users)
    assert sessions.redeem_code(code, path=users, now=T0) == token
    auth.set_disabled("alice", path=users)
    assert auth.check_session(token, path=users, now=T0) is None


def test_cookie_headers():
    assert sessions.cookie_header("abc-_1", secure=False) == (
        "clspd_session=abc-_1; Path=/; Max-Age=28800; HttpOnly; SameSite=Strict")
    assert sessions.cookie_header("abc", secure=True).endswith("; SameSite=Strict; Secure")
    clear = sessions.clear_cookie_header(secure=False)
    assert clear.startswith("clspd_session=; Path=/; Max-Age=0;") and "HttpOnly" in clear
    with pytest.raises(auth.AuthError):
        sessions.cookie_header("a;b", secure=False)


@pytest.mark.parametrize("target, base, expected", [
    ("/videoprotection", "", "/videoprotection"),
    ("/police?x=1", "", "/police?x=1"),
    (None, "", "/"),
    ("https://evil.example/", "", "/"),
    ("//evil.example/x", "", "/"),
    ("/\\evil.example", "", "/"),
    ("javascript:alert(1)", "", "/"),
    ("/a:b", "", "/"),
    ("/clspd/police", "clspd", "/clspd/police"),
    ("/police", "clspd", "/clspd/"),
])
def test_safe_next(target, base, expected):
    assert sessions.safe_next(target, base_path=base) == expected


def test_same_token():
    assert sessions.same_token("abc", "abc")
    assert not sessions.same_token("abc", "abd")
    assert not sessions.same_token(None, None)
