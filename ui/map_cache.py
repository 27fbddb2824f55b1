"""Rendered folium maps shared by every session: the render is done once per map key.

``streamlit_folium.st_folium`` turns a folium Map into HTML/JS strings (the costly part:
every GeoJSON layer is serialised) and then calls its component. This module splits those
two steps so that the strings are made once per key and reused across reruns and sessions:

- :func:`render` does what ``st_folium`` does before calling its component, and returns an
  immutable :class:`RenderedMap`;
- :func:`draw` calls the component exactly as ``st_folium`` does with those strings;
- :data:`CACHE` is a bounded, thread-safe LRU of rendered maps, keyed by everything that
  decides the map (store, version, role, day, basemap, selection, page values, map key).

It is the only place that touches private names of ``streamlit_folium``;
``tests/app/test_map_cache.py`` fails if ``st_folium`` stops calling its component with
what :func:`draw` sends. Set ``CLSPD_MAP_CACHE=0`` to render every map at each run.
"""

from __future__ import annotations

import dataclasses
import os
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable

import branca
import folium
import streamlit as st
import streamlit_folium as _sf

MAX_ENTRIES = 48
MAX_CHARS = 100_000_000  # characters (a headline map: 0.2–0.4 MB, 20k to 1M incidents)


@dataclasses.dataclass(frozen=True)
class RenderedMap:
    """What the st_folium component needs to draw a map: immutable strings and numbers."""

    script: str
    header: str
    html: str
    id: str
    bounds: tuple[tuple[float | None, float | None], tuple[float | None, float | None]]
    zoom: object
    css_links: tuple[str, ...]
    js_links: tuple[str, ...]
    notes: tuple[tuple[str, str], ...] = ()  # (kind, text) said while the map was built

    @property
    def size(self) -> int:
        """Characters held (for the cache bound)."""
        return len(self.script) + len(self.header) + len(self.html)


def render(m: folium.Map) -> RenderedMap:
    """Render ``m`` to the strings ``st_folium`` sends its component (same steps, same order)."""
    m.get_root().render()
    m.render()
    html = _sf._get_html(m)
    header = _sf._get_header(m)
    script = _sf._get_map_string(m)
    m_id = _sf.get_full_id(m)
    try:
        bounds = m.get_bounds()
    except AttributeError:
        bounds = [[None, None], [None, None]]

    def walk(fig):
        if isinstance(fig, branca.colormap.ColorMap):
            yield fig
        if isinstance(fig, folium.elements.JSCSSMixin):
            yield fig
        if hasattr(fig, "_children"):
            for child in fig._children.values():
                yield from walk(child)

    css: list[str] = []
    js: list[str] = []
    for elem in walk(m):
        if isinstance(elem, branca.colormap.ColorMap):
            js.insert(0, "https://cdnjs.cloudflare.com/ajax/libs/d3/3.5.5/d3.min.js")
            js.insert(0, "https://d3js.org/d3.v4.min.js")
        css.extend(href for _, href in getattr(elem, "default_css", []))
        js.extend(src for _, src in getattr(elem, "default_js", []))
    return RenderedMap(
        script=script, header=header, html=html, id=m_id,
        bounds=tuple(tuple(p) for p in bounds),  # type: ignore[arg-type]
        zoom=m.options.get("zoom") if hasattr(m, "options") else {},
        css_links=tuple(dict.fromkeys(css)), js_links=tuple(dict.fromkeys(js)))


def draw(r: RenderedMap, *, key: str, height: int) -> None:
    """Draw a rendered map as ``st_folium(..., use_container_width=True, returned_objects=[])``.

    Display only: no object is returned, so panning or zooming never reruns the page."""
    hash_key = _sf.generate_js_hash(r.script, key, False)

    def on_change() -> None:
        st.session_state[key] = st.session_state.get(hash_key, {})

    _sf._component_func(
        script=r.script, header=r.header, html=r.html, id=r.id, key=hash_key, height=height,
        width=None, returned_objects=[], default={}, zoom=None, center=None,
        feature_group=None, return_on_hover=False, layer_control=None, pixelated=False,
        css_links=list(r.css_links), js_links=list(r.js_links), on_change=on_change,
        wrap_longitude=False)


_building_notes = threading.local()


def note(kind: str, text: str) -> None:
    """Say ``text`` (``kind``: "caption" or "info") about a map being built.

    While a shared map is built the note is kept with it and said again at every draw
    (:func:`say_notes`), so a cache hit shows the same captions as a build; otherwise it is
    written at once."""
    kept = getattr(_building_notes, "notes", None)
    if kept is not None:
        kept.append((kind, text))
    else:
        _say(kind, text)


def _say(kind: str, text: str) -> None:
    if kind == "info":
        st.info(text)
    else:
        st.caption(text)


def say_notes(r: RenderedMap) -> None:
    """Write the notes said while ``r`` was built."""
    for kind, text in r.notes:
        _say(kind, text)


def _render_build(build: Callable[[], folium.Map]) -> RenderedMap:
    _building_notes.notes = kept = []
    try:
        m = build()
    finally:
        _building_notes.notes = None
    r = render(m)
    return dataclasses.replace(r, notes=tuple(kept)) if kept else r


class MapCache:
    """A bounded, thread-safe LRU of rendered maps (by entries and by characters).

    Two sessions asking for the same missing key at once build it once: the second waits
    for the first (one lock per key being built)."""

    def __init__(self, *, max_entries: int = MAX_ENTRIES, max_chars: int = MAX_CHARS) -> None:
        self.max_entries = max_entries
        self.max_chars = max_chars
        self._items: OrderedDict[Hashable, RenderedMap] = OrderedDict()
        self._chars = 0
        self._lock = threading.Lock()
        self._building: dict[Hashable, threading.Lock] = {}
        self.builds = 0

    def __len__(self) -> int:
        return len(self._items)

    def __contains__(self, key: Hashable) -> bool:
        with self._lock:
            return key in self._items

    def _get(self, key: Hashable) -> RenderedMap | None:
        with self._lock:
            r = self._items.get(key)
            if r is not None:
                self._items.move_to_end(key)
            return r

    def _put(self, key: Hashable, r: RenderedMap) -> None:
        with self._lock:
            if key in self._items:
                self._chars -= self._items.pop(key).size
            if r.size > self.max_chars:
                return  # too big to keep: served once, never held
            self._items[key] = r
            self._chars += r.size
            while len(self._items) > self.max_entries or self._chars > self.max_chars:
                _, old = self._items.popitem(last=False)
                self._chars -= old.size

    def get_or_render(self, key: Hashable, build: Callable[[], folium.Map]) -> RenderedMap:
        """Return the rendered map of ``key``, calling ``build`` and rendering on a miss."""
        r = self._get(key)
        if r is not None:
            return r
        with self._lock:
            lock = self._building.setdefault(key, threading.Lock())
        with lock:
            r = self._get(key)
            if r is None:
                r = _render_build(build)
                self.builds += 1
                self._put(key, r)
        with self._lock:
            self._building.pop(key, None)
        return r

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
            self._chars = 0


CACHE = MapCache()


def key(target: str, view_key: str, basemap: str, map_key: str, filters: Hashable,
        *parts: Hashable) -> tuple:
    """Return the key of a shared map (:func:`ui.widgets.map_key` fills it for a run).

    ``view_key`` is :attr:`RoleView.key` (store version, role, day): one role's map is
    never served to another."""
    return (target, view_key, basemap, map_key, filters, *parts)


def enabled() -> bool:
    """Whether rendered maps are shared (``CLSPD_MAP_CACHE=0`` turns it off, for benchmarks)."""
    return os.environ.get("CLSPD_MAP_CACHE", "1") != "0"
