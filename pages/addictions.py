"""3. Conduites addictives: alcohol and drug incidents, and the care sites nearby."""

from __future__ import annotations

import ui

sel, m, sections = ui.field_page("addictions")
ui.finish_map(m, sections, key="addictions.map")
ui.trend_and_tables(sel, field="addictions")
