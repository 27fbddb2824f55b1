"""Load benchmark of the app: N headless Chromium sessions switching pages and filters.

Run on demand (not a test), on loopback only:

    .venv/bin/python benchmarks/bench_app.py [--incidents 20000] [--sessions 1 10 20]
        [--duration 60] [--app DIR ...]

For each store size (a demo store made by ``python -m clspd_geo demo``, kept under
``--work``) and each app checkout given with ``--app`` (this one by default; give another
checkout, e.g. a clone of the baseline commit, to compare in the same run), and each
number of sessions: starts ``streamlit run app.py`` on a free loopback port on a fresh
copy of the store, opens the sessions in one headless Chromium (one browser context each,
so one Streamlit session each; roles mixed: police, élu, public, vidéoprotection,
groupe de travail), logs each in through the form, then for ``--duration`` seconds each
session repeats (for that long after its own login), after a think time (``--think``,
0.5 to 1.5 s by default), either a page switch (a sidebar link
of its navigation, timed from the click until the script run is over and the page's
first map is drawn; reported apart for a page this session had not opened yet, whose
analyses may be cold, and a page it had) or a filter change (a quartier added to or removed from the sidebar
filter, timed until the run is over). At the end each session logs out and in again: a
login on a server already warm (« reconnexion »). Prints p50 / p95 / max per action kind, the errors
(timeouts, exceptions shown by the page), the server's peak memory (RSS), its CPU share
and the machine's load average during the run.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"]
PASSWORD = "mot-de-passe-du-banc"
ROLES = ("police", "elu", "public", "videoprotection", "groupe_travail")
# Sidebar link titles of the pages (app.py), and the roles that may open each (policy).
PAGES = {
    "Vue d'ensemble": None,
    "1. Coordination police nationale / municipale": ("police",),
    "2. Vidéoprotection": ("police", "videoprotection"),
    "3. Conduites addictives": None,
    "4. Jeunesse et violences": None,
    "5. Insertion et prévention de la récidive": None,
    "6. Aide aux victimes": None,
    "7. Sécurité routière": None,
    "8. Prévention de la radicalisation": None,
}
# A run is over when Streamlit's root says so (counted by a MutationObserver).
INIT_SCRIPT = """
window.__runs = 0;
window.__doc = Math.random();  // a new page load (the login's cookie round trip) is a new id
new MutationObserver((records) => {
  // Each record's old value: a run that starts and ends between two callbacks (a loaded
  // machine batches them) is still counted.
  for (const r of records) {
    if (r.attributeName === 'data-test-script-state' &&
        (r.oldValue === 'running' || r.oldValue === 'rerunRequested')) window.__busy = true;
  }
  const app = document.querySelector('[data-testid="stApp"]');
  if (!app) return;
  const s = app.getAttribute('data-test-script-state');
  if (s === 'running' || s === 'rerunRequested') window.__busy = true;
  else if (s === 'notRunning' && window.__busy) { window.__busy = false; window.__runs += 1; }
}).observe(document, {subtree: true, attributes: true, attributeOldValue: true,
                      attributeFilter: ['data-test-script-state'], childList: true});
"""


@dataclass
class Record:
    """Timings (s) per action kind and the errors of one configuration."""

    times: dict[str, list[float]] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    slowest: dict[str, tuple[float, str]] = field(default_factory=dict)  # kind: (s, where)

    def add(self, kind: str, seconds: float, where: str = "") -> None:
        self.times.setdefault(kind, []).append(seconds)
        if seconds > self.slowest.get(kind, (-1.0, ""))[0]:
            self.slowest[kind] = (seconds, where)


def make_store(n: int, work: Path) -> Path:
    """Return a demo store of ``n`` incidents under ``work`` (built once)."""
    path = work / f"demo-{n}.gpkg"
    if not path.exists():
        subprocess.run([sys.executable, "-m", "clspd_geo", "demo", "--store", str(path),
                        "--incidents", str(n)], cwd=ROOT, check=True)
    return path


def fresh_copy(store: Path, tmp: Path) -> Path:
    """Copy the store into ``tmp`` and create one account per role beside it."""
    from clspd_geo.access import auth

    path = tmp / store.name
    shutil.copyfile(store, path)
    users = path.with_name(auth.USERS_FILE_NAME)
    for role in ROLES:
        auth.create_account(f"banc-{role}", role=role, password=PASSWORD, path=users)
    return path


def start_server(app_dir: Path, store: Path, log: Path) -> tuple[subprocess.Popen, str]:
    """Start ``streamlit run app.py`` of ``app_dir`` on loopback; return it and its URL."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    env = dict(os.environ, CLSPD_STORE=str(store), CLSPD_BASEMAP="aucun",
               CLSPD_USERS=str(store.with_name("comptes.sqlite")))
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", str(app_dir / "app.py"),
             "--server.port", str(port), "--server.address", "127.0.0.1",
             "--server.headless", "true", "--browser.gatherUsageStats", "false"],
            cwd=app_dir, env=env, stdout=out, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.time() + 120
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(url + "/_stcore/health", timeout=2):
                return proc, url
        except OSError:
            time.sleep(0.5)
    proc.kill()
    raise RuntimeError("le serveur n'a pas démarré : " + log.read_text(errors="replace")[-2000:])


def rss_mb(pid: int) -> float:
    """Resident memory of a process, MB (Linux /proc)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process, seconds."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except OSError:
        return 0.0


async def wait_run(page, before: int, *, timeout_s: float = 60.0) -> None:
    """Wait until a script run that started after ``before`` runs is over."""
    await page.wait_for_function(
        f"window.__runs > {before} && document.querySelector('[data-testid=\"stApp\"]')"
        ".getAttribute('data-test-script-state') === 'notRunning'", timeout=timeout_s * 1000,
        polling=50)


async def runs(page) -> int:
    return await page.evaluate("window.__runs")


async def map_drawn(page, *, timeout_s: float = 30.0) -> None:
    """Wait until the first map of the page, if it has one, has drawn its Leaflet pane."""
    frames = page.locator("iframe[title*='st_folium']")
    if await frames.count() == 0:
        return
    await page.frame_locator("iframe[title*='st_folium']").first.locator(
        ".leaflet-container").wait_for(timeout=timeout_s * 1000)


async def shown_error(page) -> str | None:
    """Return the text of an exception the page shows, if any."""
    exc = page.locator('[data-testid="stException"]')
    if await exc.count():
        return (await exc.first.inner_text())[:200]
    return None


async def log_in(page, role: str, *, typing_s: float = 0.0) -> float:
    """Fill the login form and submit it ``typing_s`` seconds after it is shown; return the
    seconds from the submit until the first page is drawn."""
    await page.get_by_label("Identifiant").fill(f"banc-{role}", timeout=120_000)
    await page.get_by_label("Mot de passe").fill(PASSWORD)
    await asyncio.sleep(typing_s)
    t0 = time.perf_counter()
    doc = await page.evaluate("window.__doc")
    await page.get_by_role("button", name="Se connecter", exact=True).click()
    # A login hands the browser its session cookie by a full page load, then the asked
    # page runs on the new document: wait for that document's first finished run.
    await page.wait_for_function(
        f"window.__doc !== {doc} && window.__runs >= 1 && "
        "document.querySelector('[data-testid=\"stSidebarNav\"]') && "
        "document.querySelector('[data-testid=\"stApp\"]')"
        ".getAttribute('data-test-script-state') === 'notRunning'",
        timeout=120_000, polling=50)
    await map_drawn(page)
    return time.perf_counter() - t0


async def session(browser, url: str, role: str, duration: float, rec: Record,
                  rng: random.Random, *, start_delay: float = 0.0,
                  think: tuple[float, float] = (0.5, 1.5), typing_s: float = 0.0) -> None:
    await asyncio.sleep(start_delay)  # sessions arrive one second apart, not all at once
    ctx = await browser.new_context(viewport={"width": 1400, "height": 1000})
    ctx.set_default_timeout(180_000)  # a loaded 2-core machine: wait, and count it
    page = await ctx.new_page()
    await page.add_init_script(INIT_SCRIPT)
    try:
        await page.goto(url, wait_until="domcontentloaded", timeout=180_000)
        rec.add("connexion + 1re page", await log_in(page, role, typing_s=typing_s))
    except Exception as err:  # noqa: BLE001 - a benchmark counts, it does not stop
        rec.errors.append(f"{role} connexion : {type(err).__name__} {str(err)[:120]}")
        await ctx.close()
        return
    deadline = time.time() + duration  # the timed loop starts once this session is in
    pages = [t for t, roles in PAGES.items() if roles is None or role in roles]
    current = "Vue d'ensemble"
    seen = {current}
    picked = False
    while time.time() < deadline:
        await asyncio.sleep(rng.uniform(*think))
        if time.time() >= deadline:
            break
        kind = "changement de page" if rng.random() < 0.65 else "changement de filtre"
        try:
            before = await runs(page)
            if kind == "changement de page":
                target = rng.choice([p for p in pages if p != current])
                link = page.locator("[data-testid='stSidebarNav'] a", has_text=target).first
                t0 = time.perf_counter()
                await link.click()
                await wait_run(page, before)
                await map_drawn(page)
                current = target
                kind = "page déjà vue" if target in seen else "page, 1re visite"
                seen.add(target)
            else:
                box = page.locator("[data-testid='stSidebar'] [data-testid='stMultiSelect']",
                                   has_text="Quartiers").first.locator("input")
                t0 = time.perf_counter()
                await box.click()
                if picked:
                    await box.press("Backspace")
                else:
                    await box.press("ArrowDown")
                    await box.press("Enter")
                await box.press("Escape")
                picked = not picked
                await wait_run(page, before)
            rec.add(kind, time.perf_counter() - t0, f"{role}, {current}")
            err = await shown_error(page)
            if err:
                rec.errors.append(f"{role} {current} : {err}")
        except Exception as err:  # noqa: BLE001
            rec.errors.append(f"{role} {kind} ({current}) : {type(err).__name__} "
                              f"{str(err)[:120]}")
    try:  # the same user logs out and in again: a login on a server already warm
        await page.get_by_role("button", name="Se déconnecter").click()
        await page.get_by_label("Identifiant").wait_for(timeout=120_000)
        rec.add("reconnexion + 1re page (serveur chaud)",
                await log_in(page, role, typing_s=typing_s))
    except Exception as err:  # noqa: BLE001
        rec.errors.append(f"{role} reconnexion : {type(err).__name__} {str(err)[:120]}")
    await ctx.close()


def niced_chromium(tmp: Path) -> str:
    """Return a launcher of Chromium at the lowest CPU priority (``nice -n 19``).

    On a real deployment the browsers run on the users' machines; on this one they share
    its cores with the server. Niced, they take only the CPU the server leaves.
    """
    path = tmp / "chromium-nice"
    path.write_text(f'#!/bin/sh\nexec nice -n 19 {CHROMIUM} "$@"\n')
    path.chmod(0o755)
    return str(path)


async def drive(url: str, n: int, duration: float, seed: int, *,
                think: tuple[float, float] = (0.5, 1.5), typing_s: float = 0.0,
                executable: str = CHROMIUM) -> Record:
    from playwright.async_api import async_playwright

    rec = Record()
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=executable, headless=True,
                                           args=CHROMIUM_ARGS)
        rng = random.Random(seed)
        tasks = [session(browser, url, ROLES[i % len(ROLES)], duration, rec,
                         random.Random(rng.random()), start_delay=float(i), think=think,
                         typing_s=typing_s)
                 for i in range(n)]
        await asyncio.gather(*tasks)
        await browser.close()
    return rec


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def run_one(app_dir: Path, label: str, store: Path, n: int, duration: float,
            seed: int, *, think: tuple[float, float] = (0.5, 1.5), typing_s: float = 0.0,
            nice_browsers: bool = False) -> list[dict]:
    with tempfile.TemporaryDirectory(prefix="clspd-bench-") as tmp:
        copy = fresh_copy(store, Path(tmp))
        proc, url = start_server(app_dir, copy, Path(tmp) / "server.log")
        peak = [0.0]
        stop = [False]

        async def sample() -> None:
            while not stop[0]:
                peak[0] = max(peak[0], rss_mb(proc.pid))
                await asyncio.sleep(0.5)

        async def main() -> Record:
            sampler = asyncio.create_task(sample())
            try:
                return await drive(url, n, duration, seed, think=think, typing_s=typing_s,
                                   executable=(niced_chromium(Path(tmp)) if nice_browsers
                                               else CHROMIUM))
            finally:
                stop[0] = True
                await sampler

        cpu0, wall0, load0 = cpu_seconds(proc.pid), time.time(), os.getloadavg()[0]
        try:
            rec = asyncio.run(main())
        finally:
            cpu = cpu_seconds(proc.pid) - cpu0
            wall = time.time() - wall0
            load1 = os.getloadavg()[0]
            proc.terminate()
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
            # The server's log, kept beside the stores: the traceback of an error counted.
            shutil.copyfile(Path(tmp) / "server.log",
                            store.with_name(f"server-{label}-{n_of(store)}-{n}.log"))
    rows = []
    for kind, values in sorted(rec.times.items()):
        rows.append({"app": label, "incidents": n_of(store), "sessions": n, "action": kind,
                     "n": len(values), "p50": statistics.median(values),
                     "p95": pct(values, 0.95), "max": max(values),
                     "slowest": rec.slowest.get(kind, (0.0, ""))[1]})
    summary = {"app": label, "incidents": n_of(store), "sessions": n,
               "errors": len(rec.errors), "rss_mb": peak[0], "cpu_pct": 100 * cpu / wall,
               "load": (load0, load1), "error_samples": rec.errors[:5]}
    return [*rows, summary]


def n_of(store: Path) -> int:
    return int(store.stem.split("-")[1])


def print_table(rows: list[dict]) -> None:
    print("\n| app | faits | sessions | action | n | p50 (s) | p95 (s) | max (s) | le max |")
    print("|---|---:|---:|---|---:|---:|---:|---:|---|")
    for r in rows:
        if "action" in r:
            print(f"| {r['app']} | {r['incidents']} | {r['sessions']} | {r['action']} | "
                  f"{r['n']} | {r['p50']:.2f} | {r['p95']:.2f} | {r['max']:.2f} | "
                  f"{r.get('slowest', '')} |")
    print("\n| app | faits | sessions | erreurs | RSS serveur max (Mo) | CPU serveur | "
          "charge machine (début → fin) |")
    print("|---|---:|---:|---:|---:|---:|---|")
    for r in rows:
        if "errors" in r:
            print(f"| {r['app']} | {r['incidents']} | {r['sessions']} | {r['errors']} | "
                  f"{r['rss_mb']:.0f} | {r['cpu_pct']:.0f} % | "
                  f"{r['load'][0]:.2f} → {r['load'][1]:.2f} |")
    for r in rows:
        for e in r.get("error_samples", []):
            print(f"  erreur ({r['app']}, {r['sessions']} sessions) : {e}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--incidents", type=int, nargs="+", default=[20_000])
    parser.add_argument("--sessions", type=int, nargs="+", default=[1, 10, 20])
    parser.add_argument("--duration", type=float, default=60.0,
                        help="seconds of page switches and filter changes per run")
    parser.add_argument("--app", nargs="+", default=[str(ROOT)],
                        help="app checkouts to compare (label = folder name)")
    parser.add_argument("--work", default=str(Path(tempfile.gettempdir()) / "clspd-bench"))
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--think", type=float, nargs=2, default=[0.5, 1.5],
                        metavar=("MIN", "MAX"),
                        help="think time between two actions of a session, in seconds")
    parser.add_argument("--typing", type=float, default=0.0,
                        help="seconds between the login form shown and its submit")
    parser.add_argument("--nice-browsers", action="store_true",
                        help="run Chromium at nice 19: the server keeps its CPU priority")
    args = parser.parse_args()
    work = Path(args.work)
    work.mkdir(parents=True, exist_ok=True)
    rows: list[dict] = []
    for n_inc in args.incidents:
        store = make_store(n_inc, work)
        for n in args.sessions:
            for app in args.app:
                app_dir = Path(app).resolve()
                print(f"… {app_dir.name} : {n_inc} faits, {n} session(s), "
                      f"{args.duration:.0f} s", flush=True)
                rows += run_one(app_dir, app_dir.name, store, n, args.duration, args.seed,
                                think=tuple(args.think), typing_s=args.typing,
                                nice_browsers=args.nice_browsers)
                print_table([r for r in rows if r["app"] == app_dir.name
                             and r["incidents"] == n_of(store) and r["sessions"] == n])
    print_table(rows)


if __name__ == "__main__":
    main()
