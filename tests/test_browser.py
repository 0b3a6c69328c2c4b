"""The pages as a person sees them: Debian's headless Chromium, driven by selenium through Debian's
chromedriver, against the real app under gunicorn on a free loopback port, serving a build of the
seed articles made into a temporary folder.

Screenshots go to tests/artefacts/. Without /usr/bin/chromium and /usr/bin/chromedriver the tests
fail (``./bin/setup test`` installs them); selenium is never asked to fetch a driver or a browser.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from selenium import webdriver
from selenium.common.exceptions import TimeoutException
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.remote.webelement import WebElement
from selenium.webdriver.support.ui import WebDriverWait

from tests.conftest import ROOT, Built, gunicorn, iri
from tests.test_web_sparql import http

# its module-scoped servers and runs are set up once, on one worker (bin/test: --dist loadgroup)
pytestmark = pytest.mark.xdist_group("browser")

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
ARTEFACTS = ROOT / "tests" / "artefacts"
WAIT = 30.0  # seconds any one thing may take to appear
LOOPBACK = "127.0.0.1"
FLAGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--window-size=1280,1000"]

EVENT = "event/2017-07-25-talks-russia-vietnam-hanoi"
EVIDENCE = "During his talks with General Nikolai Patrushev"
SEED_EVENTS = 15
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"


@pytest.fixture(scope="module")
def site(seeds: Built) -> Iterator[str]:
    """The app as `bin/serve` runs it (gunicorn, 'coopld.web:create_app()'), on the seed build, with
    the app's own query time limit."""
    with gunicorn(seeds.settings.out.resolve()) as url:
        yield url


@dataclass
class Browser:
    driver: webdriver.Chrome
    seen: list[str] = field(default_factory=list)  # every URL the browser asked for, redirects included
    requests: dict[str, dict[str, Any]] = field(default_factory=dict)  # the last request of each request id
    responses: dict[str, dict[str, Any]] = field(default_factory=dict)  # the response to it

    def drain(self) -> None:
        """Move what Chrome's performance log recorded since the last call into requests/responses."""
        for entry in self.driver.get_log("performance"):  # type: ignore[no-untyped-call]
            message = json.loads(entry["message"])["message"]
            params = message.get("params", {})
            if message["method"] == "Network.requestWillBeSent":
                self.seen.append(params["request"]["url"])
                self.requests[params["requestId"]] = params["request"]
            elif message["method"] == "Network.webSocketCreated":
                self.seen.append(params["url"])
            elif message["method"] == "Network.responseReceived":
                self.responses[params["requestId"]] = params["response"]

    def wait(self, what: str, condition: Any) -> Any:
        try:
            return WebDriverWait(self.driver, WAIT).until(condition)
        except TimeoutException:
            self.screenshot("failed-" + what.replace(" ", "-"))
            pytest.fail(f"timed out after {WAIT:.0f} s waiting for {what} on {self.driver.current_url}")

    def screenshot(self, name: str, width: int = 1280) -> Path:
        """The whole page at ``width`` pixels (the window is made as tall as the page first)."""
        ARTEFACTS.mkdir(parents=True, exist_ok=True)
        for _ in range(2):  # a taller window can reflow the page: measure again
            height = int(self.driver.execute_script("return document.documentElement.scrollHeight"))
            self.driver.set_window_size(width, max(1000, min(height + 100, 6000)))
        path = ARTEFACTS / f"{name}.png"
        self.driver.save_screenshot(str(path))
        self.driver.set_window_size(width, 1000)
        return path


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium() as started:
        yield started


@contextmanager
def chromium() -> Iterator[Browser]:
    """Debian's headless Chromium, driven through its chromedriver, stopped at the end."""
    for path, package in ((CHROMIUM, "chromium"), (CHROMEDRIVER, "chromium-driver")):
        if not os.access(path, os.X_OK):
            pytest.fail(f"{path} is missing: the browser tests need Debian's {package} (./bin/setup test installs it)")
    with tempfile.TemporaryDirectory(prefix="coopld-chromium-") as profile:
        options = Options()
        options.binary_location = str(CHROMIUM)
        for flag in [*FLAGS, f"--user-data-dir={profile}"]:
            options.add_argument(flag)
        options.set_capability("goog:loggingPrefs", {"performance": "ALL", "browser": "ALL"})
        service = Service(executable_path=str(CHROMEDRIVER), log_output=os.path.join(profile, "chromedriver.log"))
        driver = webdriver.Chrome(service=service, options=options)
        try:
            driver.set_page_load_timeout(WAIT)
            driver.set_script_timeout(WAIT)
            yield Browser(driver)
        finally:
            driver.quit()


def open_query_page(browser: Browser, site: str) -> None:
    """The query page, once its editor has started (and what it needs is checked first, for a clear failure)."""
    status, _h, _body = http(site + "sparql/examples.json")
    assert status == 200, ("the query page's blueprint is not registered: create_app() needs "
                           "'app.register_blueprint(examples.bp)' (from coopld.web import examples)")
    status, _h, body = http(site + "static/vendor/yasgui/yasgui.min.js")
    assert status == 200, f"YASGUI is not served ({status}: {body[:200]!r}); ./bin/setup installs it (npm ci)"
    browser.driver.get(site + "sparql")
    browser.wait("the query editor", lambda d: d.find_element(By.ID, "yasgui").get_attribute("data-ready") == "true")


def run_example(browser: Browser, site: str, example: str) -> list[WebElement]:
    """Open the query page, choose an example, run it; the rows of the results table."""
    driver = browser.driver
    open_query_page(browser, site)
    button = browser.wait(f"the example {example}",
                          lambda d: d.find_element(By.CSS_SELECTOR, f'button.example[data-example="{example}"]'))
    button.click()
    browser.wait(f"the tab of {example}", lambda d: d.find_element(By.CSS_SELECTOR, ".tabsList .tab.active a > span").text.strip()
                 == example)
    panel = driver.find_element(By.CSS_SELECTOR, ".tabPanel.active")
    panel.find_element(By.CSS_SELECTOR, ".yasqe_queryButton").click()
    return list(browser.wait("the results table", lambda d: panel.find_elements(
        By.CSS_SELECTOR, ".yasr table.dataTable tbody tr:not(:has(td.dt-empty))") or False))


def test_query_page_runs_an_example(browser: Browser, site: str) -> None:
    driver = browser.driver
    rows = run_example(browser, site, "cq-events")
    # the editor holds the example's text, highlighted by the SPARQL mode
    editor = driver.find_element(By.CSS_SELECTOR, ".tabPanel.active .CodeMirror")
    assert "SELECT DISTINCT ?event ?kind" in editor.text
    assert editor.find_elements(By.CSS_SELECTOR, ".cm-keyword"), "no syntax highlighting in the editor"
    assert len(rows) == SEED_EVENTS
    # every row's event is a link, followed on this server rather than at the IRI's host
    for row in rows:
        links = row.find_elements(By.CSS_SELECTOR, "a.iri")
        hrefs = [str(a.get_attribute("href")) for a in links]
        assert any(h.startswith(site + "id/event/") for h in hrefs), hrefs
        assert any(str(a.get_attribute("data-iri")).startswith(iri("event/")) for a in links)
    headers = [th.text.strip() for th in driver.find_elements(By.CSS_SELECTOR, ".tabPanel.active .yasr thead th")]
    assert {"event", "kind", "date", "place", "article", "main"} <= set(headers), headers
    browser.screenshot("sparql-query-page")
    # the query went to this server's endpoint, which answered with SPARQL JSON results
    browser.drain()
    queries = [key for key, r in browser.requests.items() if r["method"] == "POST" and r["url"] == site + "sparql"]
    assert queries, "no query was sent to this server's /sparql"
    accept = {k.lower(): v for k, v in browser.requests[queries[-1]]["headers"].items()}.get("accept", "")
    assert accept.startswith("application/sparql-results+json"), accept
    answer = browser.responses[queries[-1]]
    assert (answer["status"], answer["mimeType"]) == (200, "application/sparql-results+json")
    # and a result link leads to the resource's page here
    first = rows[0].find_element(By.CSS_SELECTOR, "a.iri")
    driver.get(str(first.get_attribute("href")))
    title = browser.wait("a resource page", lambda d: d.find_element(By.ID, "title"))
    assert title.text.strip()


def test_query_results_read_as_values_with_labels_in_the_sites_column(browser: Browser, site: str, seeds: Built) -> None:
    """A reader of the results sees event:2017-07-25-… with the event's label beside it, a date
    as 2017-07-25 (not "2017-07-25"^^xsd:date), no cell cut short, and the page keeps the width
    of every other page, a wide table scrolling inside itself."""
    driver = browser.driver
    run_example(browser, site, "cq-events")
    [label] = [row["label"] for row in seeds.select(f"SELECT ?label WHERE {{ <{iri(EVENT)}> <{RDFS_LABEL}> ?label }}")]
    wanted = f"event:{EVENT.removeprefix('event/')} {label}"
    # YASR may draw the table more than once while results and labels arrive, so the cells are
    # read in one script call (never through elements a redraw can replace) until the label shows
    read_cells = ".tabPanel.active .yasr table.dataTable tbody tr:not(:has(td.dt-empty)) td"
    seen: list[set[str]] = [set()]

    def labelled(d: Any) -> bool:
        script = "return Array.from(document.querySelectorAll(arguments[0]), c => c.innerText.trim())"
        texts = d.execute_script(script, read_cells)
        seen[0] = set(texts)
        return wanted in seen[0]

    try:
        browser.wait("the event's label beside its IRI", labelled)
    except pytest.fail.Exception:
        pytest.fail(f"no cell reads {wanted!r}: {[c for c in seen[0] if 'event' in c][:8]}")
    cells = seen[0]
    assert "2017-07-25" in cells, "a date reads as its value"
    assert not [c for c in cells if "^^" in c or c.startswith("<")], sorted(cells)[:20]
    assert not driver.find_elements(By.CSS_SELECTOR, ".yasr .expandable"), "no cell is cut short"
    query_width = driver.execute_script("return getComputedStyle(document.body).maxWidth")
    browser.screenshot("sparql-results-read-as-values")
    for width in (1280, 390):
        driver.set_window_size(width, 1000)
        overflow = driver.execute_script("return document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 1, f"the query page at {width} px scrolls sideways by {overflow} px"
    browser.screenshot("sparql-results-read-as-values-phone", 390)
    driver.set_window_size(1280, 1000)
    driver.get(site)
    # the stylesheet may still be applying on a loaded machine: wait for it, within the time limit
    browser.wait("the site's column on the landing page",
                 lambda d: d.execute_script("return getComputedStyle(document.body).maxWidth") == query_width)


def test_editor_completes_coopld_prefixes(browser: Browser, site: str) -> None:
    driver = browser.driver
    open_query_page(browser, site)
    driver.find_element(By.CSS_SELECTOR, ".tabBar .addTab").click()
    panel = driver.find_element(By.CSS_SELECTOR, ".tabPanel.active")
    panel.find_element(By.CSS_SELECTOR, ".CodeMirror").click()
    keys = panel.find_element(By.CSS_SELECTOR, ".CodeMirror textarea")
    keys.send_keys(Keys.CONTROL, "a")
    keys.send_keys(Keys.DELETE)
    # after PREFIX, the project's prefixes are offered
    keys.send_keys("PREFIX coo")
    hints = browser.wait("prefix completions", lambda d: [h.text for h in d.find_elements(
        By.CSS_SELECTOR, ".CodeMirror-hints li")] or False)
    assert "coop: <https://w3id.org/coopld/ontology#>" in hints, hints
    keys.send_keys(Keys.ESCAPE)
    # and a prefixed name whose prefix is not declared yet gets its declaration
    keys.send_keys(Keys.CONTROL, "a")
    keys.send_keys(Keys.DELETE)
    keys.send_keys("SELECT * WHERE { ?event coop:eventKind kinds:")
    editor = panel.find_element(By.CSS_SELECTOR, ".CodeMirror")
    browser.wait("the declared prefixes", lambda d: "PREFIX kinds: <https://w3id.org/coopld/vocab/event-kinds/>" in editor.text
                 and "PREFIX coop: <https://w3id.org/coopld/ontology#>" in editor.text)


def test_resource_page(browser: Browser, site: str, seeds: Built) -> None:
    driver = browser.driver
    [label] = [row["label"] for row in seeds.select(f"SELECT ?label WHERE {{ <{iri(EVENT)}> <{RDFS_LABEL}> ?label }}")]
    driver.get(site + "id/" + EVENT)
    title = browser.wait("the title", lambda d: d.find_element(By.CSS_SELECTOR, "h1#title"))
    assert urlsplit(driver.current_url).path == f"/doc/{EVENT}.html"
    assert title.text.strip() == label
    for name in ("To Lam", "Nikolai Patrushev"):
        links = driver.find_elements(By.LINK_TEXT, name)
        assert links, f"no link to {name}"
        assert any(urlsplit(str(a.get_attribute("href"))).path.startswith("/id/person/") for a in links)
    marks = [m.text for m in driver.find_elements(By.CSS_SELECTOR, "mark.evidence")]
    assert any(EVIDENCE in text for text in marks), marks
    mark = next(m for m in driver.find_elements(By.CSS_SELECTOR, "mark.evidence") if EVIDENCE in m.text)
    assert mark.is_displayed()
    browser.screenshot("resource-page")


def test_pages_need_no_other_host(browser: Browser, site: str) -> None:
    driver = browser.driver
    loaded: list[str] = []
    run_example(browser, site, "cq-participants")
    loaded += driver.execute_script("return performance.getEntriesByType('resource').map(e => e.name)")
    driver.get(site + "id/" + EVENT)
    browser.wait("the title", lambda d: d.find_element(By.CSS_SELECTOR, "h1#title"))
    loaded += driver.execute_script("return performance.getEntriesByType('resource').map(e => e.name)")
    browser.drain()
    requested = browser.seen + loaded
    assert any(u.endswith("/static/vendor/yasgui/yasgui.min.js") for u in requested), "YASGUI was not loaded"
    network = [u for u in requested if urlsplit(u).scheme in ("http", "https", "ws", "wss")]
    elsewhere = sorted({u for u in network if urlsplit(u).hostname != LOOPBACK})
    assert not elsewhere, f"the browser asked other hosts: {elsewhere}"
    # nor did anything fail to load or throw on these pages (a missing favicon aside)
    severe = [e["message"] for e in driver.get_log("browser")  # type: ignore[no-untyped-call]
              if e["level"] == "SEVERE" and "favicon.ico" not in e["message"]]
    assert not severe, severe
