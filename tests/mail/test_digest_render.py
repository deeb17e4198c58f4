"""Digest mails: both bodies with the same papers in the same order, the bulk-mail headers,
hostile imported text kept inert, and the message as an SMTP server receives it."""

from __future__ import annotations

import email
import email.policy
import re
from datetime import UTC, datetime

import pytest
from bs4 import BeautifulSoup

from digest_samples import (
    BASE,
    HOSTILE,
    LONG_WORD,
    NOW,
    composer,
    digest,
    hostile_digest,
    links,
    paper,
)
from paperboy.api.schema import authors_short, paper_path
from paperboy.config import load_settings
from paperboy.mail import Mailer
from paperboy.mail.digest import (
    HTML_BUDGET,
    period_label,
    render_digest,
    short_abstract,
)
from paperboy.models.digest import TRENDING, Digest, DigestPaper, DigestSection
from smtpserver import SmtpServer


def bodies(msg) -> tuple[str, str]:
    text = msg.get_body(preferencelist=("plain",)).get_content()
    html = msg.get_body(preferencelist=("html",)).get_content()
    return text, html


def render(d: Digest | None = None, **kwargs):
    c = composer()
    d = d or digest()
    return render_digest(c, d, links(c, d.subscriber), kwargs.pop("now", NOW), **kwargs)


def html_papers(html: str) -> list[str]:
    """Our paper-page links of the title links, in document order."""
    soup = BeautifulSoup(html, "html.parser")
    return [a["href"] for a in soup.select("td[data-paper] a.pb-title")]


def text_papers(text: str) -> list[str]:
    return re.findall(r"^   Paperboy: (\S+)$", text, flags=re.MULTILINE)


def test_mime_and_headers() -> None:
    d = digest()
    c = composer()
    lk = links(c, d.subscriber)
    msg = render_digest(c, d, lk, NOW)
    assert msg.get_content_type() == "multipart/alternative"
    assert [p.get_content_type() for p in msg.iter_parts()] == ["text/plain", "text/html"]
    assert msg["From"] == "Paperboy <papers@example.org>"
    assert msg["To"] == "ada@example.org"
    assert msg["Subject"] == "Paperboy digest: 6 new papers, 26 Nov 2026"
    assert email.utils.parsedate_to_datetime(msg["Date"]) == NOW
    assert msg["Message-ID"] == "<digest.2026-11-27.7@papers.example.org>"
    assert msg["MIME-Version"] == "1.0"
    assert msg["List-Id"] == "Paperboy digest <digest.papers.example.org>"
    assert msg["List-Unsubscribe"] == f"<{lk.one_click}>, <{lk.mailto}>"
    assert lk.one_click.startswith(f"{BASE}/unsubscribe/one-click?token=")
    assert lk.mailto.startswith("mailto:papers@example.org?subject=unsubscribe")
    assert msg["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert msg["Auto-Submitted"] == "auto-generated"
    for name in ("Message-ID", "Date", "List-Unsubscribe", "List-Id", "Subject"):
        assert len(msg.get_all(name)) == 1, name
    # On the wire: the long signed URLs stay verbatim (no RFC 2047 encoded-words), a line each.
    raw = msg.as_bytes()
    assert f"\nList-Unsubscribe: <{lk.one_click}>,\n <{lk.mailto}>\n".encode() in raw
    assert b"=?utf-8?" not in raw.split(b"\n\n", 1)[0]
    again = email.message_from_bytes(raw, policy=email.policy.default)
    assert bodies(again) == bodies(msg)
    assert again["List-Unsubscribe"] == msg["List-Unsubscribe"]


def test_the_message_id_is_one_per_subscriber_and_period() -> None:
    # A digest resent after an in-doubt delivery keeps its id, so clients can drop the copy.
    assert render()["Message-ID"] == render()["Message-ID"]
    assert render(digest(sub_id=8))["Message-ID"] != render()["Message-ID"]
    assert render(digest(weekly=True))["Message-ID"] == "<digest.2026-W48.7@papers.example.org>"


def test_both_bodies_list_the_same_papers_in_the_same_order() -> None:
    d = digest()
    text, html = bodies(render(d))
    expected = [BASE + paper_path(pid) for pid in d.paper_ids]
    assert len(expected) == 6  # paper 3 is in two sections: it shows once, in the first
    assert html_papers(html) == expected
    assert text_papers(text) == expected
    soup = BeautifulSoup(html, "html.parser")
    titles = [t.get_text() for t in soup.select("a.pb-title")]
    assert titles == [
        p.paper.title
        for s in d.sections
        for p in s.papers
        if p.paper.id != "2611.00003" or s.kind == TRENDING
    ]
    sections = ["Trending", "Saved search: speech", "Followed authors", "Picked for you"]
    assert [h.get_text() for h in soup.select("h2")] == sections
    assert re.findall(r"^== (.+) ==$", text, flags=re.MULTILINE) == sections
    # The text body is in paper order too: each title before the next.
    positions = [text.index(title[:40]) for title in titles]
    assert positions == sorted(positions)


def test_each_paper_shows_title_authors_short_abstract_reason_and_links() -> None:
    text, html = bodies(render())
    soup = BeautifulSoup(html, "html.parser")
    cell = soup.select("td[data-paper]")[4]  # paper 5: six authors, a reason
    assert cell.select_one("a.pb-title").get_text() == (
        "Paper 5: robust speech recognition with small models"
    )
    assert "Author 5.0, Author 5.1, Author 5.2 et al." in cell.get_text()
    assert "Author 5.3" not in cell.get_text()
    assert cell.select_one(".pb-reason").get_text() == "by Author 5.0"
    hrefs = [a["href"] for a in cell.select("a")]
    assert hrefs == [
        f"{BASE}/papers/2611.00005",
        f"{BASE}/papers/2611.00005",
        "https://arxiv.org/abs/2611.00005v1",
        "https://arxiv.org/pdf/2611.00005v1",
    ]
    abstract = cell.select_one("p.pb-text").get_text()
    assert abstract.endswith("…") and len(abstract) <= 321
    assert "Why: by Author 5.0" in text
    assert "PDF:      https://arxiv.org/pdf/2611.00005v1" in text
    for body in (text, soup.get_text(" ", strip=True)):
        assert "close to Paper 1 that you saved" in body
        assert "You get this mail because ada@example.org subscribed" in body
    lk = links(composer(), digest().subscriber)
    assert lk.unsubscribe in text and lk.preferences in text
    assert soup.find("a", string="Unsubscribe")["href"] == lk.unsubscribe
    assert soup.find("a", string="Change what you get")["href"] == lk.preferences
    # Dark mode: the client is told both schemes work, and gets a dark palette.
    assert soup.find("meta", attrs={"name": "color-scheme"})["content"] == "light dark"
    style = soup.find("style").get_text()
    assert "prefers-color-scheme: dark" in style and ".pb-reason" in style


def test_hostile_imported_text_is_escaped_in_html_and_as_typed_in_text() -> None:
    msg = render(hostile_digest())
    text, html = bodies(msg)
    soup = BeautifulSoup(html, "html.parser")
    assert soup.find_all(["script", "img", "iframe"]) == []
    assert not [a for tag in soup.find_all(True) for a in tag.attrs if a.startswith("on")]
    escaped = (
        "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; &lt;img src=x onerror=alert(1)&gt;"
    )
    # Title, author, abstract, reason, section title (and the preheader's section list).
    assert html.count(escaped) == 6
    cell = soup.select_one("td[data-paper]")
    assert cell.select_one("a.pb-title").get_text() == HOSTILE
    assert cell.select_one("a.pb-title")["href"] == (
        f"{BASE}/papers/1234%22%3E%3Cimg%20src%3Dx%20onerror%3Dalert%281%29%3E"
    )
    assert cell.select_one("a.pb-title")["href"] == BASE + paper_path(hostile_digest().paper_ids[0])
    assert [a.get_text() for a in cell.select("a")] == [HOSTILE, "Paperboy"]  # not arXiv: no PDF
    # Text is never parsed as markup: shown as typed.
    assert f"== Saved search: {HOSTILE} ==" in text
    assert f"1. {HOSTILE}" in text
    assert f"   {HOSTILE}, Bob" in text
    assert f"Why: matches {HOSTILE}" in text
    assert "arXiv:" not in text.split("2. ")[0]
    # Headers carry no imported text at all.
    assert msg["Subject"] == "Paperboy digest: 2 new papers, 26 Nov 2026"
    head = msg.as_bytes().split(b"\n\n", 1)[0]
    assert b"script" not in head and b"onerror" not in head
    # A 240-character word is cut in the short abstract, and breaks in the layout (Chromium
    # checks the widths: tests/e2e/test_digest_browser.py).
    assert LONG_WORD in soup.select("a.pb-title")[1].get_text()
    assert (
        "overflow-wrap:anywhere" in soup.select("td[data-paper]")[1].find_parent("table")["style"]
    )


def test_an_empty_digest_and_a_naive_time_are_refused() -> None:
    empty = digest((DigestSection(TRENDING, "Trending", ()),))
    with pytest.raises(ValueError, match="empty"):
        render(empty)
    with pytest.raises(ValueError, match="aware"):
        render(now=datetime(2026, 11, 27, 7))


def test_weekly_subject_and_period_labels() -> None:
    msg = render(digest(weekly=True))
    assert msg["Subject"] == "Paperboy weekly digest: 6 new papers, 20–26 Nov 2026"
    text, html = bodies(msg)
    assert "Your weekly digest" in html and "Your weekly Paperboy digest" in text

    def label(since: datetime, until: datetime) -> str:
        return period_label(Digest(digest().subscriber, "p", since, until, ()))

    assert label(datetime(2026, 11, 26, tzinfo=UTC), datetime(2026, 11, 27, tzinfo=UTC)) == (
        "26 Nov 2026"
    )
    assert label(datetime(2026, 11, 28, tzinfo=UTC), datetime(2026, 12, 5, tzinfo=UTC)) == (
        "28 Nov–4 Dec 2026"
    )
    assert label(datetime(2026, 12, 28, tzinfo=UTC), datetime(2027, 1, 4, tzinfo=UTC)) == (
        "28 Dec 2026–3 Jan 2027"
    )


def test_short_authors_and_abstracts() -> None:
    short_authors = authors_short
    assert short_authors([]) == "Unknown authors"
    assert short_authors(["A", "B", "C", "D"]) == "A, B, C, D"
    assert short_authors(["A", "B", "C", "D", "E"]) == "A, B, C et al."
    assert short_abstract("  short \n text ") == "short text"
    cut = short_abstract("word, " * 100, limit=50)
    assert cut == "word, word, word, word, word, word, word, word…"
    assert short_abstract("x" * 500, limit=50) == "x" * 50 + "…"


def test_the_digest_arrives_intact_through_a_real_smtp_server(smtp_server: SmtpServer) -> None:
    settings = load_settings({"PAPERBOY_SMTP_URL": smtp_server.url})
    msg = render(hostile_digest())
    [delivery] = Mailer.from_settings(settings).send([msg])
    assert delivery.accepted
    [received] = smtp_server.received
    got = received.message
    assert received.rcpt_tos == ["ada@example.org"]
    for name in ("Message-ID", "Date", "Subject", "List-Id", "List-Unsubscribe",
                 "List-Unsubscribe-Post", "Auto-Submitted"):  # fmt: skip
        assert got[name] == msg[name], name
    assert [b.replace("\r\n", "\n") for b in bodies(got)] == list(bodies(msg))
    assert re.search(rb"^List-Unsubscribe: <https://\S+>,\r\n <mailto:\S+>\r$", received.data, re.M)


@pytest.mark.parametrize("make", [digest, hostile_digest])
def test_text_lines_fit_a_terminal_except_links(make) -> None:
    text, _ = bodies(render(make()))
    long = [line for line in text.splitlines() if len(line) > 78 and "://" not in line]
    assert long == []
    if make is hostile_digest:  # the 240-letter word in the title is cut, not dropped
        assert "".join(line.strip() for line in text.splitlines()).count(LONG_WORD) == 2


@pytest.mark.parametrize("n", [80, 150])
def test_a_long_digest_keeps_its_html_under_gmails_clipping_size(n: int) -> None:
    many = tuple(DigestPaper(paper(i), "close to Paper 1 that you saved") for i in range(n))
    d = digest((DigestSection(TRENDING, "Trending", many),))
    text, html = bodies(render(d))
    assert HTML_BUDGET - 1_500 < len(html.encode()) <= HTML_BUDGET < 102_000  # no more cut
    soup = BeautifulSoup(html, "html.parser")
    cells = soup.select("td[data-paper]")
    assert len(cells) == n and html_papers(html) == text_papers(text)  # every paper, in order
    details = [
        (bool(c.select_one("p.pb-text")), bool(c.select_one(".pb-reason")), "arXiv" in c.text)
        for c in cells
    ]
    assert details == sorted(details, reverse=True)  # the shortening runs from the end
    assert details[-1][0] is False
    assert details[0] == ((True, True, True) if n == 80 else (False, True, True))
    if n == 150:  # past all abstracts: the last papers keep only title and authors
        assert details[-1] == (False, False, False)
    full = details.count((True, True, True))
    assert f"The last {n - full} papers are shortened" in html
    assert text.count("\n\n   We study speech recognition") == n  # the text keeps it all
    assert text.count("close to Paper 1 that you saved") == n
    assert soup.select("a")[-2].get_text() == "Unsubscribe"  # the footer survives
    short = bodies(render())[1]
    assert "shortened" not in short and short.count('class="pb-text"') == 6
