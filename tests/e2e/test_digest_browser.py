"""The digest's HTML in Debian's Chromium (Playwright): it fits a phone and a desktop window,
in light and dark mode, hostile text included, and a screenshot of each is kept in tmp_path."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import sync_playwright

from digest_samples import NOW, composer, digest, hostile_digest, links, paper
from paperboy.mail.digest import render_digest
from paperboy.models.digest import TRENDING, Digest, DigestPaper, DigestSection

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"]


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        yield b
        b.close()


def digest_html(d) -> str:
    c = composer()
    msg = render_digest(c, d, links(c, d.subscriber), NOW)
    return msg.get_body(preferencelist=("html",)).get_content()


def long_digest() -> Digest:
    """Over the HTML budget: its last papers are shortened (title and authors only)."""
    many = tuple(DigestPaper(paper(n), "close to Paper 1 that you saved") for n in range(80))
    return digest((DigestSection(TRENDING, "Trending", many),))


SAMPLES = {"digest": digest, "hostile": hostile_digest, "long": long_digest}


def rgb(css: str) -> list[int]:
    return [int(x) for x in re.findall(r"\d+", css)[:3]]


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("width", [375, 800])
@pytest.mark.parametrize("which", ["digest", "hostile", "long"])
def test_digest_layout(browser, tmp_path, width, scheme, which):
    html = digest_html(SAMPLES[which]())
    path = tmp_path / f"{which}.html"
    path.write_text(html, encoding="utf-8")
    context = browser.new_context(viewport={"width": width, "height": 800}, color_scheme=scheme)
    page = context.new_page()
    requests: list[str] = []
    errors: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("dialog", lambda d: errors.append(f"dialog: {d.message}"))
    page.goto(path.as_uri())
    shot = tmp_path / f"{which}-{width}-{scheme}.png"
    page.screenshot(path=str(shot), full_page=True)
    # No horizontal scrolling: the page and every paper cell fit the window.
    doc = page.evaluate(
        "({scroll: document.documentElement.scrollWidth,"
        " client: document.documentElement.clientWidth})"
    )
    assert doc["scroll"] <= doc["client"] == width, doc
    cells = page.locator("td[data-paper]")
    assert cells.count() == {"digest": 6, "hostile": 2, "long": 80}[which]
    card = page.locator("table.pb-card").bounding_box()
    assert card["x"] >= 0 and card["x"] + card["width"] <= width
    assert card["width"] <= 600 + 1  # the column stays readable on wide windows
    for i in range(cells.count()):
        box = cells.nth(i).bounding_box()
        assert box["x"] >= card["x"] and box["x"] + box["width"] <= card["x"] + card["width"]
        overflow = cells.nth(i).evaluate("e => e.scrollWidth - e.clientWidth")
        assert overflow <= 0, (i, overflow)
    # Text is readable on its background, in both schemes.
    body = rgb(page.evaluate("getComputedStyle(document.body).backgroundColor"))
    title = rgb(page.locator("a.pb-title").first.evaluate("e => getComputedStyle(e).color"))
    text = rgb(page.locator("p.pb-text").first.evaluate("e => getComputedStyle(e).color"))
    if scheme == "dark":
        assert max(body) < 60 and min(title) > 120 and min(text) > 180, (body, title, text)
    else:
        assert min(body) > 200 and max(text) < 80, (body, text)
    # The hostile text stayed text: no script ran, nothing was fetched.
    assert not errors, errors
    assert requests == [path.as_uri()], requests
    assert page.locator("script, img, iframe").count() == 0
    assert shot.stat().st_size > 5_000
    context.close()
