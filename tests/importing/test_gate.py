"""clspd_geo.importing.gate: one import runs, N wait, the next is refused; nothing is lost."""

from __future__ import annotations

import threading

import pytest

from clspd_geo.importing import gate


def _wait_until(check, *, what: str) -> None:
    """Wait (up to 10 s) until ``check()`` is true: the threads reached their state."""
    event = threading.Event()
    for _ in range(1000):
        if check():
            return
        event.wait(0.01)
    raise AssertionError(what)


@pytest.mark.parametrize("n_waiting", [0, 1, 3])
def test_the_n_plus_2th_import_is_refused_and_the_accepted_ones_all_finish(n_waiting):
    g = gate.ImportGate(running=1, waiting=n_waiting, timeout_s=30.0)
    hold = threading.Event()
    done: list[int] = []
    order_lock = threading.Lock()
    errors: list[BaseException] = []

    def an_import(i: int) -> None:
        try:
            with g.slot():
                if i == 0:
                    hold.wait(30)
                assert g.status()[0] == 1  # never two imports at once
                with order_lock:
                    done.append(i)
        except BaseException as err:  # noqa: BLE001 - collected and asserted below
            errors.append(err)

    first = threading.Thread(target=an_import, args=(0,))
    first.start()
    _wait_until(lambda: g.status() == (1, 0), what="the first import did not start")
    waiters = [threading.Thread(target=an_import, args=(i,)) for i in range(1, n_waiting + 1)]
    for t in waiters:
        t.start()
    _wait_until(lambda: g.status() == (1, n_waiting), what="the waiters are not in line")

    with pytest.raises(gate.ImportBusy) as refused:  # the (N + 2)-th import
        g.acquire()
    assert str(refused.value) == gate.BUSY_MESSAGE
    assert "Un autre import est en cours" in str(refused.value)
    assert g.status() == (1, n_waiting)  # the refusal took no place

    hold.set()
    for t in [first, *waiters]:
        t.join(30)
    assert errors == []
    assert sorted(done) == list(range(n_waiting + 1))  # every accepted import ran, once
    assert done[0] == 0
    assert g.status() == (0, 0)
    with g.slot():  # and the gate is free again
        assert g.status() == (1, 0)


def test_a_wait_longer_than_the_timeout_is_refused_and_leaves_the_line():
    g = gate.ImportGate(running=1, waiting=1, timeout_s=0.05)
    g.acquire()
    with pytest.raises(gate.ImportBusy):
        g.acquire()
    assert g.status() == (1, 0)
    g.release()
    g.acquire()
    assert g.status() == (1, 0)
    g.release()


def test_a_failing_import_gives_its_slot_back():
    g = gate.ImportGate(running=1, waiting=0)
    with pytest.raises(ValueError, match="bad file"):
        with g.slot():
            raise ValueError("bad file")
    assert g.status() == (0, 0)


def test_two_running_slots():
    g = gate.ImportGate(running=2, waiting=0)
    g.acquire()
    g.acquire()
    with pytest.raises(gate.ImportBusy):
        g.acquire()
    g.release()
    g.acquire()
    assert g.status() == (2, 0)


def test_invalid_bounds_and_release_without_acquire():
    with pytest.raises(ValueError):
        gate.ImportGate(running=0)
    with pytest.raises(ValueError):
        gate.ImportGate(waiting=-1)
    with pytest.raises(RuntimeError):
        gate.ImportGate().release()


def test_slot_uses_the_server_gate(monkeypatch):
    g = gate.ImportGate(running=1, waiting=0)
    monkeypatch.setattr(gate, "GATE", g)
    with gate.slot():
        assert g.status() == (1, 0)
        with pytest.raises(gate.ImportBusy):
            with gate.slot():
                pass
    assert g.status() == (0, 0)
    assert isinstance(gate.ImportBusy(), gate.ClspdGeoError)
