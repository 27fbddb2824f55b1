"""5. Insertion sociale et professionnelle, prévention de la récidive."""

from __future__ import annotations

import ui

sel, m, sections = ui.field_page("insertion")
ui.finish_map(m, sections, key="insertion.map")
ui.trend_and_tables(sel, field="insertion")
