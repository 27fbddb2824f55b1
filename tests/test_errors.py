"""The library's error classes: one base, and the built-in class each one also is."""

from __future__ import annotations

import pytest

from clspd_geo import errors


@pytest.mark.parametrize(("cls", "builtin"), [
    (errors.SchemaError, ValueError), (errors.CrsError, ValueError),
    (errors.EmptySelectionError, ValueError), (errors.DataFileError, OSError),
    (errors.OptimisationError, RuntimeError), (errors.ConflictError, RuntimeError),
    (errors.RowConflictError, errors.ConflictError),
    (errors.LockTimeoutError, TimeoutError)])
def test_every_error_is_a_clspd_error_and_its_builtin(cls: type, builtin: type) -> None:
    assert issubclass(cls, errors.ClspdGeoError)
    assert issubclass(cls, builtin)


def test_conflict_default_message_and_versions() -> None:
    err = errors.ConflictError()
    assert str(err) == errors.CONFLICT_MESSAGE
    assert "rien n'a été écrit" in str(err)
    assert (err.expected, err.current) == (None, None)
    err = errors.ConflictError("autre", expected="v1", current="v2")
    assert (str(err), err.expected, err.current) == ("autre", "v1", "v2")


def test_row_conflict_keeps_both_versions_of_the_row() -> None:
    err = errors.RowConflictError("changée", layer="actions", row_id="A1",
                                  mine={"title": "moi"}, theirs=None, by="elu",
                                  at="2026-01-01T10:00", expected="a", current="b")
    assert str(err) == "changée"
    assert (err.layer, err.row_id, err.mine, err.theirs) == ("actions", "A1",
                                                            {"title": "moi"}, None)
    assert (err.by, err.at, err.expected, err.current) == ("elu", "2026-01-01T10:00", "a", "b")
    with pytest.raises(errors.ConflictError):
        raise err
