"""Journeys in Debian's Chromium through Playwright against the demo on a live uvicorn."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect, sync_playwright

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]  # fmt: skip


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        yield b
        b.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1200, "height": 900})
    pg = context.new_page()
    errors: list[str] = []
    pg.on("pageerror", lambda exc: errors.append(str(exc)))
    pg.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    pg.on("dialog", lambda d: errors.append(f"dialog: {d.message}"))
    yield pg
    context.close()
    assert not errors, errors  # no script errors, no CSP violations, no alert() ever ran


def test_keyboard_navigation_opens_a_paper(page, live_server):
    page.goto(live_server + "/?view=all")  # every listed paper (the picks are a few)
    cards = page.locator("article.card")
    page.keyboard.press("j")
    expect(cards.nth(0)).to_have_class(re.compile("selected"))
    page.keyboard.press("j")
    page.keyboard.press("j")
    page.keyboard.press("k")
    expect(cards.nth(1)).to_have_class(re.compile("selected"))
    expect(cards.nth(0)).not_to_have_class(re.compile("selected"))
    href = cards.nth(1).get_attribute("data-href")
    page.keyboard.press("o")
    page.wait_for_url(live_server + href)
    expect(page.locator("h1")).to_be_visible()
    page.keyboard.press("/")
    expect(page.locator("#q")).to_be_focused()


def test_abstract_expands(page, live_server):
    page.goto(live_server + "/?view=all")
    first = page.locator("article.card").nth(1)
    abstract = first.locator(".abstract")
    collapsed = abstract.bounding_box()["height"]
    first.locator("button.more").click()
    expect(first.locator("button.more")).to_have_attribute("aria-expanded", "true")
    assert abstract.bounding_box()["height"] > collapsed * 1.5


def test_math_renders_and_hostile_markup_stays_inert(page, live_server):
    page.goto(live_server + "/papers/2606.99999")
    expect(page.locator(".fulltext .katex").first).to_be_visible()
    assert page.locator(".fulltext .katex-display").count() == 1  # the $$…$$ block
    assert page.locator("a[href^='javascript:']").count() == 0  # \href stayed an error
    assert page.locator("main img, main iframe, main script").count() == 0
    expect(page.locator("h1")).to_have_text(re.compile("^<img src=x onerror=alert"))


def test_search_facet_and_feed(page, live_server):
    page.goto(live_server + "/")
    page.keyboard.press("/")
    page.keyboard.type("alignment")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/search\?q=alignment"))
    titles = page.locator("a.paper-link")
    expect(titles.first).to_be_visible()
    assert titles.count() == 20
    chips = page.locator(".facets a.chip")
    assert chips.count() >= 3  # LLM alignment, speech, genome … (see tests/search)
    label = chips.nth(1).inner_text()
    chips.nth(1).click()
    page.wait_for_url(re.compile("facet="))
    expect(page.locator(".facets a.chip[aria-current]")).to_have_text(label)
    feed = page.locator("a.feedlink")
    href = feed.get_attribute("href")
    assert href.startswith("/feeds/search.atom?q=alignment")
    response = page.request.get(live_server + href)
    assert response.ok and b"<feed" in response.body()


def test_dark_mode(browser, live_server):
    context = browser.new_context(color_scheme="dark")
    pg = context.new_page()
    pg.goto(live_server + "/")
    background = pg.evaluate("getComputedStyle(document.documentElement).backgroundColor")
    channels = [int(x) for x in re.findall(r"\d+", background)[:3]]
    assert max(channels) < 60, background
    text = pg.evaluate("getComputedStyle(document.querySelector('.title a')).color")
    assert min(int(x) for x in re.findall(r"\d+", text)[:3]) > 180, text
    context.close()
