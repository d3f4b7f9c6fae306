"""The built site in real headless Chromium: navigation, evidence links, search, accessibility, layout.

axe-core comes from PyPI: the ``axe-playwright-python`` package (test extra) ships ``axe.min.js``,
which is injected into each page; no npm step is needed.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from tests.browser.conftest import DESKTOP, PHONE

if TYPE_CHECKING:
    from playwright.sync_api import Page

pytestmark = pytest.mark.browser

OpenPage = Callable[..., "Page"]

PAGE_TYPES = {
    "home": "index.html",
    "briefings": "archive/index.html",
    "briefing": "briefings/budget-talks/index.html",
    "briefing-demo": "briefings/trump-putin-summit/index.html",
    "actors": "actors/index.html",
    "actor": "actors/anna-kowalska/index.html",
    "deadlines": "deadlines/index.html",
    "tags": "tags/index.html",
    "tag": "tags/economy/index.html",
    "search": "search/index.html?q=Witkoff",
    "404": "404.html",
}


def wait_for_search(page: Page) -> None:
    """Until Pagefind has loaded the results, not just drawn their placeholders."""
    page.wait_for_selector(".pagefind-ui__result-link", timeout=20_000)
    page.wait_for_function("!document.querySelector('.pagefind-ui__loading')", timeout=20_000)


def in_viewport(page: Page, selector: str) -> bool:
    return bool(
        page.eval_on_selector(
            selector,
            """el => { const r = el.getBoundingClientRect();
                      return r.height > 0 && r.top >= 0 && r.top < window.innerHeight; }""",
        )
    )


def test_home_to_briefing_to_actor_to_deadlines(demo_site: str, open_page: OpenPage) -> None:
    page = open_page(demo_site + "index.html")
    assert page.title().startswith("World Briefings")
    page.locator('.home-latest .card-title a[href$="briefings/trump-putin-summit/index.html"]').click()
    page.wait_for_url("**/site/briefings/trump-putin-summit/index.html")
    assert "face-to-face" in page.locator("h1").inner_text()
    actor = page.locator("#actors + ul a.actor").first
    name = actor.inner_text()
    actor.click()
    page.wait_for_url("**/site/actors/*/index.html")
    assert page.locator("h1").inner_text() == name
    assert page.locator("#briefings + ul a").first.get_attribute("href", timeout=2000)
    page.get_by_role("navigation", name="Site").get_by_role("link", name="Deadlines").click()
    page.wait_for_url("**/site/deadlines/index.html")
    assert page.locator("h1").inner_text() == "Deadlines"


def test_deadline_leads_to_its_timeline_entry_and_evidence(rich_site: str, open_page: OpenPage) -> None:
    page = open_page(rich_site + "index.html")
    item = page.locator("#upcoming-deadlines ~ ol .deadline-item").first
    assert "Friday 8 August 2025" in item.inner_text()
    item.locator(".from a").first.click()
    assert "/briefings/budget-talks/index.html#time-" in page.url
    target = page.locator(":target")
    assert "Friday 8 August 2025" in target.inner_text() and target.is_visible()
    page.goto(rich_site + "deadlines/index.html")
    assert page.locator("#upcoming").is_visible() and page.locator("#past").is_visible()
    page.locator("#past ~ ul .deadline-item a.evidence").first.click()
    assert "/briefings/bank-forecast/index.html#s-" in page.url
    assert "1 August 2025" in page.locator(":target").inner_text()


def test_evidence_link_lands_on_the_quoted_sentence_and_back(demo_site: str, open_page: OpenPage) -> None:
    page = open_page(demo_site + "briefings/trump-putin-summit/index.html")
    first_quote = page.locator("#quote-1").inner_text().strip("“”,. ")
    page.locator("#quotes ~ blockquote a.evidence").first.click()
    assert "#s-" in page.url
    fragment = page.url.rsplit("#", 1)[1]
    target = page.locator(":target")
    assert target.get_attribute("id") == fragment
    assert "sentence" in (target.get_attribute("class") or "")
    assert first_quote in target.inner_text()
    assert target.is_visible() and in_viewport(page, ":target")
    page.locator(":target a.backref").first.click()  # from the quote in the text back to the Quotes section
    assert page.url.endswith("#quote-1") and in_viewport(page, "#quote-1")


def test_mentions_in_the_text_link_back_to_their_actor(rich_site: str, open_page: OpenPage) -> None:
    page = open_page(rich_site + "briefings/budget-talks/index.html")
    page.locator("#s-4 a.actor", has_text="Kowalska").click()
    assert page.url.endswith("#a-anna-kowalska") and in_viewport(page, "#a-anna-kowalska")
    page.locator("#a-anna-kowalska").click()
    page.wait_for_url("**/actors/anna-kowalska/index.html")
    assert "in 2 briefings" in page.locator(".meta").first.inner_text()
    assert page.locator(".quote-card").count() == 2


def test_search_finds_witkoff(demo_site: str, open_page: OpenPage) -> None:
    page = open_page(demo_site + "search/index.html")
    page.locator(".pagefind-ui__search-input").fill("Witkoff")
    wait_for_search(page)
    results = page.locator(".pagefind-ui__result-link")
    hrefs = [results.nth(i).get_attribute("href") or "" for i in range(results.count())]
    assert any(h.endswith("/site/briefings/trump-putin-summit/index.html") for h in hrefs), hrefs
    assert any("/site/actors/" in h for h in hrefs), hrefs  # from the actors' bundle, merged into the month's
    briefing = next(i for i, h in enumerate(hrefs) if "briefings/" in h)
    results.nth(briefing).click()
    page.wait_for_url("**/site/briefings/trump-putin-summit/index.html")


def test_search_query_parameter_runs_the_search(demo_site: str, open_page: OpenPage) -> None:
    page = open_page(demo_site + "search/index.html?q=Witkoff")
    wait_for_search(page)
    assert "Witkoff" in page.locator(".pagefind-ui__results").inner_text()


def test_hostile_article_runs_no_script(hostile_site: str, open_page: OpenPage) -> None:
    """``open_page`` fails the test on any alert; the hostile text is shown as text."""
    for path in (
        "index.html",
        "briefings/hostile/index.html",
        "actors/index.html",
        "deadlines/index.html",
        "tags/index.html",
    ):
        page = open_page(hostile_site + path)
        assert page.locator("main script, main img, main iframe, main svg").count() == 0
    page = open_page(hostile_site + "briefings/hostile/index.html")
    assert page.locator("h1").inner_text().startswith('<script>alert("x")</script>')
    page = open_page(hostile_site + "search/index.html?q=alert")
    wait_for_search(page)
    page.wait_for_timeout(300)
    assert page.locator(".pagefind-ui__results script, .pagefind-ui__results img").count() == 0


def run_axe(page: Page) -> list[dict]:
    axe = pytest.importorskip(
        "axe_playwright_python.base", reason="axe-core comes from the axe-playwright-python test extra"
    )
    page.add_script_tag(path=str(axe.AXE_FILE_PATH))
    results = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [v for v in results["violations"] if v["impact"] in ("serious", "critical")]


def _describe(violations: list[dict]) -> list[str]:
    return [f"{v['id']} ({v['impact']}): {[n['target'] for n in v['nodes']][:3]}" for v in violations]


@pytest.mark.parametrize("name", list(PAGE_TYPES))
def test_page_type_is_accessible_and_fits_a_phone(
    rich_site: str, open_page: OpenPage, screenshots: Path, name: str
) -> None:
    """axe-core finds no serious or critical violation; screenshots at desktop and 375 px; no sideways scrolling."""
    for suffix, viewport in (("", DESKTOP), ("-phone", PHONE)):
        page = open_page(rich_site + PAGE_TYPES[name], viewport=viewport)
        if name == "search":
            wait_for_search(page)
        page.screenshot(path=str(screenshots / f"{name}{suffix}.png"), full_page=True)
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{name}{suffix}: {overflow}px wider than the screen"
        if not suffix:
            assert _describe(run_axe(page)) == []


@pytest.mark.parametrize("name", ["home", "briefing", "actor", "deadlines", "search"])
def test_no_serious_accessibility_violations_in_dark_mode(rich_site: str, open_page: OpenPage, name: str) -> None:
    page = open_page(rich_site + PAGE_TYPES[name], color_scheme="dark")
    if name == "search":
        wait_for_search(page)
    assert _describe(run_axe(page)) == []


PAGED = {  # first pages: the second is the older page their pager links to
    "actor-page-2": "actors/anna-kowalska/index.html",
    "archive-page-2": "archive/index.html",
    "tag-page-2": "tags/economy/index.html",
}


@pytest.mark.parametrize("name", list(PAGED))
def test_second_pages_are_accessible_and_their_pager_works(
    paged_site: str, open_page: OpenPage, screenshots: Path, name: str
) -> None:
    """The page after the first (older briefings, numbered from the oldest): reached from the first page's pager,
    axe in light and dark mode, fits a phone, and its pager goes back to the first page."""
    first = paged_site + PAGED[name]
    page = open_page(first)
    page.locator('nav.pager a[rel="next"]').click()
    page.wait_for_url(re.compile(r".*/page/\d+/index\.html$"))
    second = page.url
    number = re.search(r"/page/(\d+)/index\.html$", second).group(1)  # type: ignore[union-attr]
    for scheme in ("light", "dark"):
        page = open_page(second, color_scheme=scheme)
        assert _describe(run_axe(page)) == []
    page = open_page(second, viewport=PHONE)
    page.screenshot(path=str(screenshots / f"{name}-phone.png"), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
    assert page.locator('nav.pager [aria-current="page"]').inner_text() == number
    page.locator('nav.pager a[rel="prev"]').click()
    page.wait_for_url(first)


def test_dark_mode_screenshot(rich_site: str, open_page: OpenPage, screenshots: Path) -> None:
    page = open_page(rich_site + PAGE_TYPES["briefing"], color_scheme="dark")
    page.screenshot(path=str(screenshots / "briefing-dark.png"), full_page=True)
    background = page.evaluate("getComputedStyle(document.body).backgroundColor")
    assert background == "rgb(18, 18, 18)"


def test_readable_without_javascript(rich_site: str, open_page: OpenPage) -> None:
    page = open_page(rich_site + PAGE_TYPES["briefing"], java_script_enabled=False)
    for section in ("summary", "actors", "quotes", "timeline", "source"):
        assert page.locator(f"h2#{section}").is_visible()
    page = open_page(rich_site + "search/index.html", java_script_enabled=False)
    assert page.get_by_text("Search needs JavaScript").is_visible()


def test_print_stylesheet_hides_navigation(rich_site: str, open_page: OpenPage, screenshots: Path) -> None:
    page = open_page(rich_site + PAGE_TYPES["briefing"])
    page.emulate_media(media="print")
    assert not page.locator(".site-header nav").is_visible()
    assert not page.locator("nav.toc").is_visible()
    assert page.locator("h2#source").is_visible()
    page.screenshot(path=str(screenshots / "briefing-print.png"), full_page=True)


def test_works_from_file_urls(demo_root: Path, open_page: OpenPage) -> None:
    page = open_page((demo_root / "site" / "index.html").as_uri())
    page.locator('.home-latest .card-title a[href$="briefings/trump-putin-summit/index.html"]').click()
    page.wait_for_url("**/briefings/trump-putin-summit/index.html")  # the click starts it; the URL follows
    assert page.evaluate("getComputedStyle(document.body).margin") == "0px"  # the stylesheet loaded
    page.get_by_role("navigation", name="Site").get_by_role("link", name="Actors").click()
    page.wait_for_url("**/actors/index.html")


VNU_CACHE = Path(__file__).resolve().parents[2] / "test-artifacts" / "vnu"


def vnu_jar() -> Path:
    """The Nu Html Checker (npm package ``vnu-jar``), installed once into a git-ignored cache."""
    import shutil
    import subprocess

    jar = VNU_CACHE / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
    if not jar.is_file():
        if not shutil.which("npm"):
            pytest.skip("npm is needed to install the Nu Html Checker (vnu-jar)")
        command = ["npm", "install", "--silent", "--no-audit", "--no-fund", "--prefix", str(VNU_CACHE), "vnu-jar@26"]
        if subprocess.run(command, capture_output=True, timeout=300, check=False).returncode != 0 or not jar.is_file():
            pytest.skip("could not install vnu-jar from the npm registry")
    return jar


def test_html_and_css_are_valid(rich_site_folder: Path) -> None:
    """Every page and the stylesheet pass the Nu Html Checker (the W3C validator), warnings included."""
    import shutil
    import subprocess

    if not shutil.which("java"):
        pytest.skip("the Nu Html Checker needs Java")
    pages = sorted(str(p) for p in rich_site_folder.rglob("*.html") if "pagefind" not in p.parts)
    command = [
        "java",
        "-jar",
        str(vnu_jar()),
        "--also-check-css",
        *pages,
        str(rich_site_folder / "static" / "style.css"),
    ]
    result = subprocess.run(command, capture_output=True, text=True, timeout=300, check=False)
    assert result.returncode == 0, result.stderr.replace(rich_site_folder.as_uri(), "")[:3000]
