"""Local accounts, sessions, lockout and identity-provider roles (clspd_geo.access.auth)."""

from __future__ import annotations

import contextlib
import datetime as dt

import pytest

from access_db import dump, query
from clspd_geo.access import _db, auth

T0 = dt.datetime(2026, 11, 25, 9, 0, 0)
PW = "correct-horse-battery"


@pytest.fixture
def users(access_db):
    path = access_db
    auth.create_account("alice", role="elu", password=PW, path=path, now=T0)
    return path


def test_hash_is_scrypt_salted_and_verifies():
    h1, h2 = auth.hash_password(PW), auth.hash_password(PW)
    assert h1.startswith("scrypt$16384$8$1$") and h1 != h2
    assert auth.verify_password(PW, h1)
    assert not auth.verify_password(PW + "x", h1)
    assert not auth.verify_password(PW, "md5$abc")


def test_no_clear_password_or_token_in_the_file(users):
    token = auth.login("alice", PW, path=users, now=T0)
    raw = dump(users)
    assert PW.encode() not in raw and token.encode() not in raw


def test_login_opens_a_session_that_gives_the_role(users):
    token = auth.login("alice", PW, path=users, now=T0)
    acc = auth.check_session(token, path=users, now=T0 + dt.timedelta(minutes=5))
    assert acc is not None and acc.username == "alice" and acc.role == "elu"


@pytest.mark.parametrize("name,password", [("alice", "mauvais-mot-de-passe"),
                                           ("bob", PW), ("", "")])
def test_wrong_credentials_get_one_message(users, name, password):
    with pytest.raises(auth.AuthError, match="Identifiant ou mot de passe incorrect"):
        auth.login(name, password, path=users, now=T0)


def test_lockout_after_repeated_failures_even_with_the_right_password(users):
    for i in range(auth.MAX_FAILURES):
        with pytest.raises(auth.AuthError, match="incorrect"):
            auth.login("alice", "faux-mot-de-passe", path=users, now=T0 + dt.timedelta(seconds=i))
    with pytest.raises(auth.AuthError) as err:
        auth.login("alice", PW, path=users, now=T0 + dt.timedelta(seconds=30))
    assert str(err.value) == auth.BAD_LOGIN
    later = T0 + dt.timedelta(minutes=auth.LOCKOUT_MIN + 1)
    assert auth.login("alice", PW, path=users, now=later)


def test_failures_reset_after_a_success(users):
    for _ in range(auth.MAX_FAILURES - 1):
        with pytest.raises(auth.AuthError):
            auth.login("alice", "faux-mot-de-passe", path=users, now=T0)
    auth.login("alice", PW, path=users, now=T0)
    with pytest.raises(auth.AuthError, match="incorrect"):
        auth.login("alice", "faux-mot-de-passe", path=users, now=T0)
    assert auth.login("alice", PW, path=users, now=T0)


def test_disabled_account_loses_its_session_and_cannot_log_in(users):
    token = auth.login("alice", PW, path=users, now=T0)
    auth.set_disabled("alice", path=users)
    assert auth.check_session(token, path=users, now=T0) is None
    with pytest.raises(auth.AuthError, match="désactivé"):
        auth.login("alice", PW, path=users, now=T0)
    auth.set_disabled("alice", False, path=users)
    assert auth.login("alice", PW, path=users, now=T0)


def test_session_expires_when_idle_and_after_the_maximum(users):
    token = auth.login("alice", PW, path=users, now=T0)
    assert auth.check_session(token, path=users,
                              now=T0 + dt.timedelta(minutes=auth.IDLE_MIN + 1)) is None
    # Kept alive by use, it still ends after MAX_SESSION_H.
    token = auth.login("alice", PW, path=users, now=T0)
    t = T0
    while t < T0 + dt.timedelta(hours=auth.MAX_SESSION_H - 1):
        t += dt.timedelta(minutes=20)
        assert auth.check_session(token, path=users, now=t) is not None
    assert auth.check_session(token, path=users,
                              now=T0 + dt.timedelta(hours=auth.MAX_SESSION_H, minutes=1)) is None


def test_session_use_is_written_once_a_minute_and_keeps_it_alive(users):
    token = auth.login("alice", PW, path=users, now=T0)

    def last_seen() -> str:
        with auth.database(users) as con:
            return con.execute("SELECT last_seen FROM sessions").fetchone()[0]

    early = T0 + dt.timedelta(seconds=auth.TOUCH_S - 1)
    assert auth.check_session(token, path=users, now=early) is not None
    assert last_seen() == T0.isoformat(timespec="seconds")  # read only: no write
    later = T0 + dt.timedelta(seconds=auth.TOUCH_S)
    assert auth.check_session(token, path=users, now=later) is not None
    assert last_seen() == later.isoformat(timespec="seconds")
    # Used every 50 s for an hour: the writes once a minute keep it alive past IDLE_MIN.
    t = later
    while t < T0 + dt.timedelta(hours=1):
        t += dt.timedelta(seconds=50)
        assert auth.check_session(token, path=users, now=t) is not None
    # Idle from its last written use, it ends within a minute of IDLE_MIN.
    idle_end = dt.datetime.fromisoformat(last_seen()) + dt.timedelta(minutes=auth.IDLE_MIN)
    assert auth.check_session(token, path=users, now=idle_end + dt.timedelta(seconds=1)) is None


def test_role_change_applies_at_next_check(users):
    token = auth.login("alice", PW, path=users, now=T0)
    auth.set_role("alice", "public", path=users)
    assert auth.check_session(token, path=users, now=T0).role == "public"


def test_password_change_closes_sessions(users):
    token = auth.login("alice", PW, path=users, now=T0)
    auth.set_password("alice", "un-autre-mot-de-passe", path=users)
    assert auth.check_session(token, path=users, now=T0) is None
    with pytest.raises(auth.AuthError):
        auth.login("alice", PW, path=users, now=T0)


def test_unknown_and_empty_tokens(users):
    assert auth.check_session(None, path=users) is None
    assert auth.check_session("n'importe-quoi", path=users) is None


def test_logout_ends_the_session(users):
    token = auth.login("alice", PW, path=users, now=T0)
    auth.logout(token, path=users)
    assert auth.check_session(token, path=users, now=T0) is None


@pytest.mark.parametrize("name,role,pw,match", [
    ("alice", "elu", PW, "existe déjà"), ("bob", "roi", PW, "rôle « roi »"),
    ("bob", "elu", "court", "trop court"), ("b o b", "elu", PW, "Identifiant invalide")])
def test_bad_accounts_are_refused(users, name, role, pw, match):
    with pytest.raises(Exception, match=match):
        auth.create_account(name, role=role, password=pw, path=users)


def test_demo_accounts_one_per_role_only_on_an_empty_file(access_db):
    path = access_db
    made = auth.ensure_demo_accounts(path=path)
    assert set(made) == {"public", "partenaire", "elu", "groupe_travail", "police",
                         "videoprotection", "admin"}
    assert auth.login("police", made["police"], path=path)
    assert auth.ensure_demo_accounts(path=path) == {}


def test_a_role_tampered_in_the_file_gives_no_access(users):
    token = auth.login("alice", PW, path=users, now=T0)
    query(users, "UPDATE accounts SET role = 'superuser'")
    assert auth.check_session(token, path=users, now=T0) is None


@pytest.mark.parametrize("claims,expected", [
    ({"email": "a@b.fr", "clspd_role": "police"}, "police"),
    ({"email": "a@b.fr", "clspd_role": ["agents", "clspd:elu"]}, "elu"),
])
def test_role_from_claims(claims, expected, access_db):
    assert auth.oidc_account(claims, path=access_db).role == expected


@pytest.mark.parametrize("claims", [{"email": "a@b.fr"}, {"email": "a@b.fr", "clspd_role": "roi"},
                                    {"email": "a@b.fr", "clspd_role": ["elu", "police"]},
                                    {"clspd_role": "elu"}])
def test_bad_claims_are_refused(claims, access_db):
    with pytest.raises(auth.AuthError):
        auth.oidc_account(claims, path=access_db)


def test_claim_name_from_environment(monkeypatch):
    monkeypatch.setenv("CLSPD_ROLE_CLAIM", "groups")
    assert auth.role_from_claims({"groups": ["clspd:videoprotection"]}) == "videoprotection"


def test_disabled_local_account_blocks_an_identity_provider_login(access_db):
    path = access_db
    auth.create_account("a@b.fr", role="elu", password=PW, path=path)
    auth.set_disabled("a@b.fr", path=path)
    with pytest.raises(auth.AuthError, match="désactivé"):
        auth.oidc_account({"email": "a@b.fr", "clspd_role": "elu"}, path=path)


def test_provider_without_role_claim_uses_the_local_allow_list(access_db):
    path = access_db
    auth.create_account("agent@mairie.fr", role="groupe_travail", password=PW, path=path)
    assert auth.oidc_account({"email": "agent@mairie.fr"}, path=path).role == "groupe_travail"
    with pytest.raises(auth.AuthError):
        auth.oidc_account({"email": "inconnu@mairie.fr"}, path=path)


def test_simultaneous_wrong_guesses_each_count(access_db):
    # Issue 20 item 2: N wrong guesses at the same time count N (the counter is incremented
    # atomically before the password check), so a burst cannot dodge the lockout.
    from concurrent.futures import ThreadPoolExecutor

    path = access_db
    auth.create_account("alice", role="admin", password="un-mot-de-passe-long", path=path)

    def guess(i):
        with contextlib.suppress(auth.AuthError):
            auth.login("alice", f"faux-{i}-mot-de-passe", path=path)

    with ThreadPoolExecutor(4) as pool:
        list(pool.map(guess, range(4)))
    [(failures, locked)] = query(path, "SELECT failures, locked_until FROM accounts")
    assert (failures, locked) == (4, None)
    if not _db.is_url(path):
        assert query(path, "PRAGMA journal_mode") == [("wal",)]
    guess(5)
    with pytest.raises(auth.AuthError, match="verrouillé"):
        auth.login("alice", "un-mot-de-passe-long", path=path)


def test_concurrent_account_changes_and_logins_lose_nothing(access_db):
    from concurrent.futures import ThreadPoolExecutor

    path = access_db

    def work(i):
        auth.create_account(f"u{i}", role="admin", password=f"mot-de-passe-{i:04d}", path=path)
        auth.set_role(f"u{i}", "lecteur" if "lecteur" in auth.policy.ROLE_CODES else "admin",
                      path=path)
        return auth.login(f"u{i}", f"mot-de-passe-{i:04d}", path=path)

    with ThreadPoolExecutor(8) as pool:
        tokens = list(pool.map(work, range(8)))
    assert sorted(a.username for a in auth.list_accounts(path=path)) == [f"u{i}" for i in range(8)]
    assert all(auth.check_session(t, path=path) is not None for t in tokens)


def test_reset_password_gives_a_working_random_password_and_ends_sessions(users):
    token = auth.login("alice", PW, path=users, now=T0)
    new = auth.reset_password("alice", path=users)
    assert len(new) == auth.TEMP_PASSWORD_LEN >= auth.MIN_PASSWORD_LEN
    assert new != auth.reset_password("alice", path=users)  # random: 54^14 possibilities
    new = auth.reset_password("alice", path=users)
    assert auth.check_session(token, path=users, now=T0) is None
    with pytest.raises(auth.AuthError):
        auth.login("alice", PW, path=users, now=T0)
    assert auth.login("alice", new, path=users, now=T0)
    with pytest.raises(auth.AuthError, match="Aucun compte"):
        auth.reset_password("bob", path=users)


def test_unlock_lifts_a_lockout_at_once(users):
    for _ in range(auth.MAX_FAILURES):
        with pytest.raises(auth.AuthError):
            auth.login("alice", "wrong-password", path=users, now=T0)
    locked = auth.locked_until(path=users, now=T0)
    assert list(locked) == ["alice"]
    first = auth.lock_minutes(0)  # a first lock: 1 minute (locks in a row grow to 15)
    assert locked["alice"] == T0 + dt.timedelta(minutes=first)
    assert auth.locked_until(path=users, now=T0 + dt.timedelta(minutes=first + 1)) == {}
    with pytest.raises(auth.AuthError, match="verrouillé"):
        auth.login("alice", PW, path=users, now=T0)
    assert auth.unlock("alice", path=users) is True
    assert auth.locked_until(path=users, now=T0) == {}
    assert auth.login("alice", PW, path=users, now=T0)
    assert auth.unlock("alice", path=users) is False  # nothing to lift


def test_demo_accounts_appear_all_at_once_even_with_concurrent_starts(access_db):
    """Sessions starting together saw part of the demo accounts (a login then failed
    with the documented password) or collided on a name: one transaction now."""
    import threading

    path = access_db
    auth.list_accounts(path=path)  # the file exists, empty
    seen, results, errors = set(), [], []
    done = threading.Event()

    def watch():
        while not done.is_set():
            seen.add(len(auth.list_accounts(path=path)))

    def start():
        try:
            results.append(auth.ensure_demo_accounts(path=path))
        except Exception as err:  # noqa: BLE001 - the test reports it
            errors.append(err)

    watcher = threading.Thread(target=watch)
    watcher.start()
    starters = [threading.Thread(target=start) for _ in range(3)]
    for t in starters:
        t.start()
    for t in starters:
        t.join()
    done.set()
    watcher.join()
    assert not errors, errors
    assert sorted(len(r) for r in results) == [0, 0, 7]
    assert seen <= {0, 7}, seen
    assert len(auth.list_accounts(path=path)) == 7
# -- issue 20 item 2: lockout per account and per address, one answer ---------------------------

def _sessions(path) -> int:
    return query(path, "SELECT COUNT(*) FROM sessions")[0][0]


def _refused(name, password, path, *, address=None, now=T0) -> str:
    with pytest.raises(auth.AuthError) as err:
        auth.login(name, password, path=path, address=address, now=now)
    return str(err.value)


def test_delays_grow_known_answers():
    assert [auth.address_delay_s(n) for n in (1, 4, 5, 6, 7, 14, 15, 40)] == [
        0, 0, 1, 2, 4, 512, 900, 900]
    assert [auth.lock_minutes(n) for n in range(6)] == [1, 2, 4, 8, 15, 15]


def test_free_attempts_per_address_can_be_raised_for_a_shared_address(monkeypatch):
    monkeypatch.setenv("CLSPD_ADDRESS_FREE", "30")  # a station's NAT: 30 users at once
    assert [auth.address_delay_s(n) for n in (1, 29, 30, 31, 10_000)] == [0, 0, 1, 2, 900]
    monkeypatch.setenv("CLSPD_ADDRESS_FREE", "pas un nombre")
    assert auth.address_delay_s(auth.ADDRESS_FREE) == 1


def test_unknown_wrong_locked_and_waiting_get_the_same_answer(users):
    answers = {_refused("bob", PW, users), _refused("alice", "faux-mot-de-passe", users)}
    for _ in range(auth.MAX_FAILURES - 1):
        _refused("alice", "faux-mot-de-passe", users)
    answers.add(_refused("alice", PW, users))  # locked: the right password is refused
    for _ in range(auth.ADDRESS_FREE):
        _refused("bob", "x", users, address="198.51.100.7")
    answers.add(_refused("bob", "x", users, address="198.51.100.7"))  # the address waits
    assert answers == {auth.BAD_LOGIN}
    assert "Identifiant ou mot de passe incorrect, ou compte temporairement verrouillé" in (
        auth.BAD_LOGIN)
    assert _sessions(users) == 0


def test_one_address_cannot_guess_fast(users):
    # Sequential guesses from one address on an unknown name: the 5 first are free, then
    # the address must wait 1 s, 2 s, 4 s… and an attempt during the wait checks nothing.
    ip = "203.0.113.9"
    for i in range(auth.ADDRESS_FREE):
        _refused("bob", f"essai-{i}", users, address=ip)
    t = T0
    for wait in (1, 2, 4, 8):
        with pytest.raises(auth.AuthError):  # too early: refused without counting
            auth.login("alice", PW, path=users, address=ip, now=t + dt.timedelta(seconds=wait - 1))
        t += dt.timedelta(seconds=wait)
        _refused("bob", "encore", users, address=ip, now=t)
    # Another address is not slowed down, and the forgotten address starts again.
    assert auth.login("alice", PW, path=users, address="192.0.2.1", now=t)
    later = t + dt.timedelta(minutes=auth.ADDRESS_FORGET_MIN + 1)
    assert auth.login("alice", PW, path=users, address=ip, now=later)


def test_a_burst_from_one_address_is_checked_five_times_at_most(users):
    # 19 wrong guesses and the right password sent at the same moment from one address: at
    # most ADDRESS_FREE of them reach the password check (on main: all 20).
    from concurrent.futures import ThreadPoolExecutor

    def attempt(i):
        try:
            return auth.login("alice", PW if i == 19 else f"faux-{i}-mot-de-passe",
                              path=users, address="203.0.113.50", now=T0)
        except auth.AuthError as err:
            assert str(err) == auth.BAD_LOGIN
            return None

    with ThreadPoolExecutor(8) as pool:
        tokens = [t for t in pool.map(attempt, range(20)) if t]
    [(failures,)] = query(users, "SELECT failures FROM accounts")
    [(counted,)] = query(users, "SELECT attempts FROM throttle")
    assert counted + len(tokens) == auth.ADDRESS_FREE
    assert failures + len(tokens) <= auth.ADDRESS_FREE


def test_an_anonymous_client_locks_a_known_account_for_a_minute_not_fifteen(users):
    ip = "203.0.113.66"
    t = T0
    for _ in range(auth.MAX_FAILURES):
        _refused("alice", "faux-mot-de-passe", users, address=ip, now=t)
    # Locked, the right password too, from the owner's own address…
    _refused("alice", PW, users, address="192.0.2.10", now=t + dt.timedelta(seconds=59))
    assert _sessions(users) == 0
    # … for one minute only, and the owner's login then works.
    assert auth.login("alice", PW, path=users, address="192.0.2.10",
                      now=t + dt.timedelta(seconds=61))


def test_repeated_locks_grow_and_a_success_resets_them(users):
    t = T0
    for expected_min in (1, 2, 4):
        for _ in range(auth.MAX_FAILURES):
            _refused("alice", "faux-mot-de-passe", users, now=t)
        _refused("alice", PW, users, now=t + dt.timedelta(minutes=expected_min, seconds=-1))
        t += dt.timedelta(minutes=expected_min, seconds=1)
    assert auth.login("alice", PW, path=users, now=t)
    for _ in range(auth.MAX_FAILURES):
        _refused("alice", "faux-mot-de-passe", users, now=t)
    assert auth.login("alice", PW, path=users, now=t + dt.timedelta(minutes=1, seconds=1))
