"""Every kind of page as a person sees it, in headless Chromium at a desk's width (1280 px) and a
phone's (390 px): screenshots in tests/artefacts/, no horizontal scrolling, every link on the
page answered by this server, the pictures drawn with the number of items the seed data give,
and axe-core's accessibility check (from npm, run in the page) without serious or critical
violations."""

from __future__ import annotations

import json
from collections.abc import Iterator
from urllib.parse import urljoin, urlsplit

import pytest
from selenium.webdriver.common.by import By

from tests.conftest import ROOT, Built, gunicorn
from tests.test_browser import Browser, chromium
from tests.test_web_sparql import http

# its module-scoped servers and runs are set up once, on one worker (bin/test: --dist loadgroup)
pytestmark = pytest.mark.xdist_group("browser_pages")

AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
WIDTHS = {"desk": 1280, "phone": 390}

#: one page of each kind
PAGES = {
    "landing": "",
    "event": "doc/event/2017-07-25-talks-russia-vietnam-hanoi.html",
    "person": "doc/person/to-lam.html",
    "organization": "doc/org/vietnam-ministry-of-public-security.html",
    "country": "doc/place/vietnam.html",
    "agreement": "doc/agreement/programme-russia-vietnam-2016-2018.html",
    "article": "doc/article/004-3c8652a5e7475668.html",
    "ontology": "ontology.html",
    "topics": "doc/vocab/topics.html",
    "downloads": "downloads/",
    "void": ".well-known/void",
    "query": "sparql",
    "report": "graph/validation-report.html",
}


@pytest.fixture(scope="module")
def site(seeds: Built) -> Iterator[str]:
    """The seed build under gunicorn, as ``bin/serve`` runs it."""
    with gunicorn(seeds.settings.out.resolve()) as url:
        yield url


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium() as started:
        yield started


def _open(browser: Browser, url: str, width: int) -> None:
    browser.driver.set_window_size(width, 1000)
    browser.driver.get(url)
    browser.wait("the page", lambda d: d.execute_script("return document.readyState") == "complete")


def _charts_settled(browser: Browser) -> None:
    browser.wait("the pictures", lambda d: d.execute_script(
        "return Array.from(document.querySelectorAll('figure.chart')).every(f => f.dataset.drawn !== undefined)"))


@pytest.mark.parametrize("kind", sorted(PAGES))
def test_each_kind_of_page_fits_the_screen_and_every_link_answers(browser: Browser, site: str, kind: str) -> None:
    checked: set[str] = set()
    for name, width in WIDTHS.items():
        _open(browser, site + PAGES[kind], width)
        _charts_settled(browser)
        browser.screenshot(f"page-{kind}-{name}", width)
        overflow = browser.driver.execute_script(
            "return document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 1, f"{kind} at {width} px scrolls sideways by {overflow} px"
        hrefs = {str(a.get_attribute("href")) for a in browser.driver.find_elements(By.CSS_SELECTOR, "a[href]")}
        for href in sorted(hrefs - checked):
            checked.add(href)
            if urlsplit(href).netloc != urlsplit(site).netloc or href.startswith(("mailto:", "javascript:")):
                continue
            status, _headers, _body = http(href.split("#", 1)[0])
            assert status < 400, f"{kind}: the link {href} answers {status}"
    browser.driver.set_window_size(1280, 1000)


def _drawn(browser: Browser, chart: str) -> str:
    return str(browser.driver.find_element(By.ID, f"{chart}-chart").get_attribute("data-drawn"))


def test_the_pictures_draw_what_the_seed_data_hold(browser: Browser, site: str) -> None:
    """The landing page's timeline has a point for each dated event of the five articles and its
    network a node for each organization that met another; an organization's and a country's
    pictures hold theirs. The counts are those of the JSON each picture is drawn from, checked
    against the seed data here."""
    expected = {}
    for path in ("charts/timeline.json", "charts/network.json",
                 "charts/network.json?focus=https%3A%2F%2Fw3id.org%2Fcoopld%2Fid%2Forg%2Fvietnam-ministry-of-public-security",
                 "charts/timeline.json?focus=https%3A%2F%2Fw3id.org%2Fcoopld%2Fid%2Fplace%2Fvietnam"):
        status, _h, body = http(site + path)
        assert status == 200, (path, status)
        data = json.loads(body)
        expected[path] = len(data.get("events", data.get("nodes", [])))
        assert data["query"].startswith("/sparql?query="), data["query"]
    assert expected["charts/timeline.json"] == 10 and expected["charts/network.json"] == 7, expected
    _open(browser, site, 1280)
    _charts_settled(browser)
    assert (_drawn(browser, "timeline"), _drawn(browser, "network")) == ("10", "7")
    points = browser.driver.execute_script(
        "return echarts.getInstanceByDom(document.querySelector('#timeline-chart .chart-area'))"
        ".getOption().series[0].data.length")
    assert points == 10
    _open(browser, site + PAGES["organization"], 1280)
    _charts_settled(browser)
    assert _drawn(browser, "network") == "5"
    _open(browser, site + PAGES["country"], 1280)
    _charts_settled(browser)
    assert _drawn(browser, "timeline") == "9"
    # the picture's query link opens the query page with that query
    link = browser.driver.find_element(By.CSS_SELECTOR, "#timeline-chart a.chart-query").get_attribute("href")
    status, _h, _b = http(str(link))
    assert status == 200
    errors = [e for e in browser.driver.get_log("browser") if e["level"] == "SEVERE"]  # type: ignore[no-untyped-call]
    assert not errors, errors


@pytest.mark.parametrize("kind", sorted(PAGES))
def test_each_kind_of_page_passes_the_accessibility_check(browser: Browser, site: str, kind: str) -> None:
    assert AXE.is_file(), f"{AXE} is missing: ./bin/setup installs axe-core with npm ci"
    _open(browser, site + PAGES[kind], 1280)
    _charts_settled(browser)
    browser.driver.execute_script(AXE.read_text(encoding="utf-8"))
    found = browser.driver.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "axe.run(document, {resultTypes: ['violations']}).then(r => done(r.violations.map(v => "
        "({id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))}))))"
        ".catch(e => done([{id: 'axe failed', impact: 'critical', help: String(e), nodes: []}]));")
    serious = [v for v in found if v["impact"] in ("serious", "critical")]
    assert not serious, json.dumps(serious, indent=1)


def test_the_page_urls_are_this_servers(site: str) -> None:
    for kind, path in PAGES.items():
        status, _h, _b = http(urljoin(site, path))
        assert status == 200, (kind, path, status)
