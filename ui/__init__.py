"""The shared Streamlit pieces of the app, one module per concept.

- :mod:`ui.router`: keeps every run going through ``app.py`` (Streamlit's legacy
  ``pages/`` folder mode);
- :mod:`ui.session`: login gate, logout, the session's account, the write guard
  (:func:`ui.session.writer`), audit of views, exports made on click;
- :mod:`ui.data`: the gateway to the store and one cached role view per store version,
  role and day — the only way the pages read data;
- :mod:`ui.widgets`: sidebar filters, KPIs, map display, errors, notes, sources;
- :mod:`ui.panels`: the head of an action-field page, its layers, trend and tables, the
  hotspot panel;
- :mod:`ui.plan_panel`: the CLSPD action plan (map layer, table, editor);
- :mod:`ui.server_guard`: developer commands from a browser (``clear_cache``) refused;
- :mod:`ui.session_route`: the endpoint that turns a login's one-time code into the
  ``HttpOnly`` session cookie;
- :mod:`ui.media_guard`: an export's ``/media/`` URL serves it only to the session that made
  it, a few times within a minute, recorded when served.
"""
