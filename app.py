"""clspd-geo: the map dashboard of a CLSPD. Router: page config, login gate, sidebar, navigation."""

from __future__ import annotations

import streamlit as st

from clspd_geo.maps import offline
from clspd_geo.errors import ClspdGeoError
from ui import data, router, run_log, server_guard, session, session_route, warm, widgets

server_guard.install()  # no clear_cache / run-on-save from any client
session_route.install()  # the endpoint that sets the session cookie
# The tab icon is an emoji (drawn inline): a ":material/…:" page icon is fetched from a public
# host (fonts.gstatic.com), a failed request on a closed network.
st.set_page_config(page_title="CLSPD – tableau de bord cartographique", page_icon="🗺️",
                   layout="wide")
data.prepare_assets()

PAGES = {
    "Vue d'ensemble": [
        st.Page("pages/overview.py", title="Vue d'ensemble", icon=":material/map:", default=True),
        st.Page("pages/communes.py", title="Comparaison des communes",
                icon=":material/compare_arrows:"),
    ],
    "Champs d'action": [
        st.Page("pages/police.py", title="1. Coordination police nationale / municipale",
                icon=":material/local_police:"),
        st.Page("pages/videoprotection.py", title="2. Vidéoprotection", icon=":material/videocam:"),
        st.Page("pages/addictions.py", title="3. Conduites addictives",
                icon=":material/local_bar:"),
        st.Page("pages/jeunesse.py", title="4. Jeunesse et violences", icon=":material/school:"),
        st.Page("pages/insertion.py", title="5. Insertion et prévention de la récidive",
                icon=":material/work:"),
        st.Page("pages/victimes.py", title="6. Aide aux victimes",
                icon=":material/volunteer_activism:"),
        st.Page("pages/routier.py", title="7. Sécurité routière", icon=":material/traffic:"),
        st.Page("pages/radicalisation.py", title="8. Prévention de la radicalisation",
                icon=":material/diversity_3:"),
    ],
    "Données": [
        st.Page("pages/donnees.py", title="Données et sources", icon=":material/database:"),
        st.Page("pages/administration.py", title="Administration",
                icon=":material/admin_panel_settings:"),
    ],
}

# An unknown path goes home rather than to Streamlit's English « Page not found ».
session_route.known_pages([p.url_path for ps in PAGES.values() for p in ps] + ["connexion"])
# The background warm-up waits while a session's run is going on; CLSPD_RUN_LOG times runs.
with warm.session_run(), run_log.timed() as run:
    # Nothing below runs without a session; a deep link shows the login, then its page.
    session.require_login(demo_note=warm.login_note, on_role=warm.prefer,
                          url_paths=[p.url_path for ps in PAGES.values() for p in ps])
    view = data.view()
    run["role"] = view.role
    session.logout_button(view.role_label)
    widgets.sidebar_filters(view)
    page = st.navigation(router.navigation(PAGES, may_open=view.may_open,
                                             role_label=view.role_label))
    run["page"] = page.url_path or "overview"
    try:
        session.audit_view(page, role_code=view.role)  # no page shown that is not recorded
        page.run()
    except ClspdGeoError as err:  # the one way a page shows an error it cannot go on after
        widgets.show_error(err)
    finally:  # once this run's page is drawn: a new store version (an import) is warmed
        warm.notice(view.version)
