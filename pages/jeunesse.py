"""4. Jeunesse: citizenship, domestic, conjugal and school violence (aggregated only)."""

from __future__ import annotations

import ui

sel, m, sections = ui.field_page("jeunesse")
ui.finish_map(m, sections, key="jeunesse.map")
ui.trend_and_tables(sel, field="jeunesse")
