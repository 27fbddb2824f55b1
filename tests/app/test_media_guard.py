"""ui.media_guard: the file of a deferred download is served once, and not after TTL_S."""

from __future__ import annotations

import pytest
from streamlit.runtime.media_file_manager import MediaFileManager
from streamlit.runtime.media_file_storage import MediaFileStorageError
from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage

from ui import media_guard


@pytest.fixture
def manager():
    media_guard.install()
    storage = MemoryMediaFileStorage("/media")
    return MediaFileManager(storage), storage


def _name(url: str) -> str:
    return url.rsplit("/", 1)[-1]


def test_file_id_of_a_media_url():
    assert media_guard.file_id("/media/abc123.csv") == "abc123"


def test_nothing_is_there_before_the_click_and_the_url_serves_once(manager):
    mgr, storage = manager
    made = []
    deferred = mgr.add_deferred(lambda: made.append(1) or b"id;nom\n1;x\n", "text/csv",
                                "coord-1", file_name="export.csv")
    assert made == []  # drawn, not generated
    with pytest.raises(MediaFileStorageError):
        storage.get_file(deferred + ".csv")
    url = mgr.execute_deferred(deferred)  # the click
    assert made == [1] and media_guard.pending()[media_guard.file_id(url)] == 1
    assert storage.get_file(_name(url)).content == b"id;nom\n1;x\n"  # the browser's GET
    with pytest.raises(MediaFileStorageError):  # anyone after it: 404
        storage.get_file(_name(url))


def test_two_clicks_on_the_same_content_serve_twice(manager):
    mgr, storage = manager
    deferred = mgr.add_deferred(lambda: b"meme contenu", "text/csv", "coord-2",
                                file_name="same.csv")
    url1, url2 = mgr.execute_deferred(deferred), mgr.execute_deferred(deferred)
    assert url1 == url2
    assert storage.get_file(_name(url1)).content == b"meme contenu"
    assert storage.get_file(_name(url2)).content == b"meme contenu"
    with pytest.raises(MediaFileStorageError):
        storage.get_file(_name(url1))


def test_an_export_not_fetched_in_time_is_refused(manager, monkeypatch):
    mgr, storage = manager
    monkeypatch.setattr(media_guard, "TTL_S", -1.0)
    deferred = mgr.add_deferred(lambda: b"trop tard", "text/csv", "coord-3",
                                file_name="late.csv")
    url = mgr.execute_deferred(deferred)
    with pytest.raises(MediaFileStorageError):
        storage.get_file(_name(url))
    assert media_guard.file_id(url) not in media_guard.pending()


def test_other_media_are_served_as_before(manager):
    mgr, storage = manager
    url = mgr.add(b"\x89PNG image", "image/png", "coord-4")
    assert storage.get_file(_name(url)).content == b"\x89PNG image"
    assert storage.get_file(_name(url)).content == b"\x89PNG image"
