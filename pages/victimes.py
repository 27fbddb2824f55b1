"""6. Aide aux victimes: where victims are, and the support offered to them."""

from __future__ import annotations

import ui

sel, m, sections = ui.field_page("victimes")
ui.finish_map(m, sections, key="victimes.map")
ui.trend_and_tables(sel, field="victimes")
