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
filter, timed from the key press that changes it until the run is over). At the end each session logs out and in again: a
login on a server already warm (« reconnexion »). Prints p50 / p95 / max per action kind, the errors
(timeouts, exceptions shown by the page), the server's peak memory (RSS), its CPU share
and the machine's load average during the run. The server also logs its own time for each
run of the app script (``CLSPD_RUN_LOG``, :mod:`ui.run_log`): printed apart (« serveur :
run du script », the runs that went to their end, the login page's excluded), so the time the
server takes can be told from the time the browsers take when they share the machine's cores.
"""

from __future__ import annotations

import argparse
import asyncio
import json
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
IDLE_JS = ("document.querySelector('[data-testid=\"stApp\"]')"
           ".getAttribute('data-test-script-state') === 'notRunning'")


class Runs:
    """The script runs of one browser page that are over, read from its websockets.

    Each run the server ends sends a ``script_finished`` message. Counting those, not the
    app root's ``data-test-script-state`` changes, sees every run: a loaded browser that
    gets a run's start and end in one batch draws only the end, so the attribute never
    changes and a run counted from it is missed (the 60 s timeouts of earlier runs).
    """

    def __init__(self, page) -> None:
        from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

        self._msg = ForwardMsg
        self.finished = 0  # on every websocket of the page
        self.per_socket: list[int] = []  # on each websocket, in the order they opened
        page.on("websocket", self._socket)

    def _socket(self, ws) -> None:
        index = len(self.per_socket)
        self.per_socket.append(0)
        ws.on("framereceived", lambda payload: self._frame(index, payload))

    def _frame(self, index: int, payload) -> None:
        if not isinstance(payload, (bytes, bytearray)) or len(payload) > 256:
            return  # the end of a run is a message of a few bytes; deltas are larger
        msg = self._msg()
        try:
            msg.ParseFromString(bytes(payload))
        except Exception:  # noqa: BLE001 - not a ForwardMsg
            return
        if msg.WhichOneof("type") == "script_finished" and \
                msg.script_finished != self._msg.FINISHED_EARLY_FOR_RERUN:
            self.finished += 1
            self.per_socket[index] += 1


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


def start_server(app_dir: Path, store: Path, log: Path,
                 run_log: Path | None = None,
                 cpus: set[int] | None = None) -> tuple[subprocess.Popen, str]:
    """Start ``streamlit run app.py`` of ``app_dir`` on loopback; return it and its URL.

    ``run_log``: the file the server appends its time per script run to (``CLSPD_RUN_LOG``).
    ``cpus``: the cores the server may run on (all when None).
    """
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    env = dict(os.environ, CLSPD_STORE=str(store), CLSPD_BASEMAP="aucun",
               CLSPD_USERS=str(store.with_name("comptes.sqlite")),
               # Every session comes from loopback, one address: as for the users of a
               # police network's NAT, its logins in flight together must not count as a
               # burst of guesses (from the sixth, auth.ADDRESS_FREE, they would wait).
               CLSPD_ADDRESS_FREE="1000")
    if run_log is not None:
        env["CLSPD_RUN_LOG"] = str(run_log)
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", str(app_dir / "app.py"),
             "--server.port", str(port), "--server.address", "127.0.0.1",
             "--server.headless", "true", "--browser.gatherUsageStats", "false"],
            cwd=app_dir, env=env, stdout=out, stderr=subprocess.STDOUT,
            preexec_fn=(None if cpus is None else lambda: os.sched_setaffinity(0, cpus)))
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


async def wait_run(page, runs: Runs, before: int, *, timeout_s: float = 60.0) -> None:
    """Wait until a script run that ended after ``before`` runs is drawn (root not running)."""
    deadline = time.perf_counter() + timeout_s
    while runs.finished <= before:
        if time.perf_counter() > deadline:
            raise TimeoutError(f"no run over within {timeout_s:.0f} s")
        await asyncio.sleep(0.02)
    await page.wait_for_function(IDLE_JS, timeout=max(1.0, deadline - time.perf_counter())
                                 * 1000, polling=50)


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


async def shown_alert(page) -> str:
    """Return « ; la page dit : … », the first message the page shows (a refused login), or ""."""
    try:
        alert = page.locator('[data-testid="stAlert"]')
        if await alert.count():
            return " ; la page dit : " + (await alert.first.inner_text(timeout=2000))[:160]
    except Exception:  # noqa: BLE001 - the page may be gone
        pass
    return ""


async def log_in(page, runs: Runs, role: str, *, typing_s: float = 0.0) -> float:
    """Fill the login form and submit it ``typing_s`` seconds after it is shown; return the
    seconds from the submit until the first page is drawn."""
    await page.get_by_label("Identifiant").fill(f"banc-{role}", timeout=120_000)
    await page.get_by_label("Mot de passe").fill(PASSWORD)
    await asyncio.sleep(typing_s)
    t0 = time.perf_counter()
    sockets = len(runs.per_socket)
    await page.get_by_role("button", name="Se connecter", exact=True).click()
    # A login hands the browser its session cookie by a full page load, then the asked
    # page runs on the new document's websocket: wait for a run over on it, then drawn.
    deadline = time.perf_counter() + 120.0
    while len(runs.per_socket) <= sockets or not runs.per_socket[-1]:
        if time.perf_counter() > deadline:
            raise TimeoutError("no page after the login within 120 s")
        await asyncio.sleep(0.02)
    await page.wait_for_function(
        "document.querySelector('[data-testid=\"stSidebarNav\"]') && " + IDLE_JS,
        timeout=max(1.0, deadline - time.perf_counter()) * 1000, polling=50)
    await map_drawn(page)
    return time.perf_counter() - t0


async def session(browser, url: str, role: str, duration: float, rec: Record,
                  rng: random.Random, *, start_delay: float = 0.0,
                  think: tuple[float, float] = (0.5, 1.5), typing_s: float = 0.0) -> None:
    await asyncio.sleep(start_delay)  # sessions arrive one second apart, not all at once
    ctx = await browser.new_context(viewport={"width": 1400, "height": 1000})
    ctx.set_default_timeout(180_000)  # a loaded 2-core machine: wait, and count it
    page = await ctx.new_page()
    runs = Runs(page)
    try:
        await page.goto(url, wait_until="domcontentloaded", timeout=180_000)
        rec.add("connexion + 1re page", await log_in(page, runs, role, typing_s=typing_s))
    except Exception as err:  # noqa: BLE001 - a benchmark counts, it does not stop
        rec.errors.append(f"{role} connexion : {type(err).__name__} {str(err)[:120]}"
                          f"{await shown_alert(page)}")
        await ctx.close()
        return
    deadline = time.time() + duration  # the timed loop starts once this session is in
    pages = [t for t, roles in PAGES.items() if roles is None or role in roles]
    current = "Vue d'ensemble"
    seen = {current}
    picked = False
    target = ""
    while time.time() < deadline:
        await asyncio.sleep(rng.uniform(*think))
        if time.time() >= deadline:
            break
        kind = "changement de page" if rng.random() < 0.65 else "changement de filtre"
        try:
            before = runs.finished
            if kind == "changement de page":
                target = rng.choice([p for p in pages if p != current])
                link = page.locator("[data-testid='stSidebarNav'] a", has_text=target).first
                t0 = time.perf_counter()
                await link.click()
                await wait_run(page, runs, before)
                await map_drawn(page)
                current = target
                kind = "page déjà vue" if target in seen else "page, 1re visite"
                seen.add(target)
            else:
                box = page.locator("[data-testid='stSidebar'] [data-testid='stMultiSelect']",
                                   has_text="Quartiers").first.locator("input")
                await box.click()
                if picked:
                    t0 = time.perf_counter()  # from the key that changes the filter
                    await box.press("Backspace")
                else:
                    await box.press("ArrowDown")
                    t0 = time.perf_counter()
                    await box.press("Enter")
                await box.press("Escape")
                picked = not picked
                await wait_run(page, runs, before)
            rec.add(kind, time.perf_counter() - t0, f"{role}, {current}")
            err = await shown_error(page)
            if err:
                rec.errors.append(f"{role} {current} : {err}")
        except Exception as err:  # noqa: BLE001
            towards = f" → {target}" if kind == "changement de page" else ""
            rec.errors.append(f"{time.strftime('%H:%M:%S')} {role} {kind} ({current}"
                              f"{towards}) : {type(err).__name__} {str(err)[:120]}")
    try:  # the same user logs out and in again: a login on a server already warm
        await page.get_by_role("button", name="Se déconnecter").click()
        await page.get_by_label("Identifiant").wait_for(timeout=120_000)
        rec.add("reconnexion + 1re page (serveur chaud)",
                await log_in(page, runs, role, typing_s=typing_s))
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
            nice_browsers: bool = False, split_cores: bool = False) -> list[dict]:
    # --split-cores: the server alone on the first core, this driver and the browsers on
    # the others, as when the browsers are on the users' machines.
    all_cpus = os.sched_getaffinity(0)
    server_cpus = {min(all_cpus)} if split_cores and len(all_cpus) > 1 else None
    with tempfile.TemporaryDirectory(prefix="clspd-bench-") as tmp:
        copy = fresh_copy(store, Path(tmp))
        runs_file = Path(tmp) / "runs.jsonl"
        proc, url = start_server(app_dir, copy, Path(tmp) / "server.log", runs_file,
                                 cpus=server_cpus)
        if server_cpus:
            os.sched_setaffinity(0, all_cpus - server_cpus)  # Chromium inherits it
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
            os.sched_setaffinity(0, all_cpus)
            proc.terminate()
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
            # The server's log, kept beside the stores: the traceback of an error counted.
            shutil.copyfile(Path(tmp) / "server.log",
                            store.with_name(f"server-{label}-{n_of(store)}-{n}.log"))
            server_runs = read_runs(runs_file)
            if runs_file.exists():
                shutil.copyfile(runs_file,
                                store.with_name(f"runs-{label}-{n_of(store)}-{n}.jsonl"))
    rows = []
    for kind, values in sorted(rec.times.items()):
        rows.append({"app": label, "incidents": n_of(store), "sessions": n, "action": kind,
                     "n": len(values), "p50": statistics.median(values),
                     "p95": pct(values, 0.95), "max": max(values),
                     "slowest": rec.slowest.get(kind, (0.0, ""))[1]})
    done = [r["s"] for r in server_runs if r["outcome"] == "ok" and r["page"]]
    if done:  # an older checkout writes no run log
        slow = max((r for r in server_runs if r["outcome"] == "ok" and r["page"]),
                   key=lambda r: r["s"])
        rows.append({"app": label, "incidents": n_of(store), "sessions": n,
                     "action": SERVER_RUN, "n": len(done), "p50": statistics.median(done),
                     "p95": pct(done, 0.95), "max": max(done),
                     "slowest": f"{slow['role']}, {slow['page']}"})
    cut = sum(1 for r in server_runs if r["outcome"] == "rerun")
    summary = {"app": label, "incidents": n_of(store), "sessions": n,
               "errors": len(rec.errors), "rss_mb": peak[0], "cpu_pct": 100 * cpu / wall,
               "load": (load0, load1), "error_samples": rec.errors[:5], "cut_runs": cut}
    return [*rows, summary]


SERVER_RUN = "serveur : run du script (jusqu'au bout)"


def read_runs(path: Path) -> list[dict]:
    """Return the server's runs from its run log (empty when the checkout writes none)."""
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


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
    print("\n| app | faits | sessions | erreurs | runs interrompus | RSS serveur max (Mo) | "
          "CPU serveur | charge machine (début → fin) |")
    print("|---|---:|---:|---:|---:|---:|---:|---|")
    for r in rows:
        if "errors" in r:
            print(f"| {r['app']} | {r['incidents']} | {r['sessions']} | {r['errors']} | "
                  f"{r['cut_runs']} | {r['rss_mb']:.0f} | {r['cpu_pct']:.0f} % | "
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
    parser.add_argument("--split-cores", action="store_true",
                        help="the server alone on the first core, the browsers on the others")
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
                                nice_browsers=args.nice_browsers,
                                split_cores=args.split_cores)
                print_table([r for r in rows if r["app"] == app_dir.name
                             and r["incidents"] == n_of(store) and r["sessions"] == n])
    print_table(rows)


if __name__ == "__main__":
    main()
