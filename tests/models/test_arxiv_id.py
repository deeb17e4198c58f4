"""arXiv ids in every form people paste, and the ones that only look like ids."""

from __future__ import annotations

import pytest

from paperboy.models.arxiv_id import ArxivId, find_arxiv_ids, is_arxiv_id, parse_arxiv_id


@pytest.mark.parametrize(
    ("text", "canonical", "version"),
    [
        ("2401.01234", "2401.01234", None),
        ("2401.01234v3", "2401.01234", 3),
        ("2401.01234V12", "2401.01234", 12),
        ("  2401.01234  ", "2401.01234", None),
        # four-digit numbers from the start of the new scheme (0704) to 1412
        ("0704.0001", "0704.0001", None),
        ("0704.0001v1", "0704.0001", 1),
        ("1412.9999", "1412.9999", None),
        # five-digit numbers from 1501
        ("1501.00001", "1501.00001", None),
        ("2512.99999v2", "2512.99999", 2),
        # old style, with and without subject class (which is not part of the id)
        ("hep-th/9901001", "hep-th/9901001", None),
        ("hep-th/9901001v2", "hep-th/9901001", 2),
        ("HEP-TH/9901001", "hep-th/9901001", None),
        ("math.GT/0309136", "math/0309136", None),
        ("cs/0112017", "cs/0112017", None),
        ("hep-th/9108001", "hep-th/9108001", None),
        ("math/0703001", "math/0703001", None),
        # arXiv: prefixes
        ("arXiv:2401.01234", "2401.01234", None),
        ("arxiv: 2401.01234v2", "2401.01234", 2),
        ("ARXIV:hep-th/9901001", "hep-th/9901001", None),
        # abs and pdf URLs
        ("https://arxiv.org/abs/2401.01234", "2401.01234", None),
        ("http://arxiv.org/abs/2401.01234v2", "2401.01234", 2),
        ("https://export.arxiv.org/abs/2401.01234", "2401.01234", None),
        ("http://export.arxiv.org/pdf/2401.01234v4", "2401.01234", 4),
        ("https://www.arxiv.org/abs/2401.01234/", "2401.01234", None),
        ("https://arxiv.org/pdf/2401.01234", "2401.01234", None),
        ("https://arxiv.org/pdf/2401.01234.pdf", "2401.01234", None),
        ("https://arxiv.org/pdf/2401.01234v2.pdf", "2401.01234", 2),
        ("arxiv.org/abs/hep-th/9901001", "hep-th/9901001", None),
        ("https://arxiv.org/abs/math.GT/0309136v1", "math/0309136", 1),
        ("https://arxiv.org/pdf/hep-th/9901001v2.pdf", "hep-th/9901001", 2),
    ],
)
def test_parse_accepts_every_form(text: str, canonical: str, version: int | None) -> None:
    parsed = parse_arxiv_id(text)
    assert parsed == ArxivId(canonical, version)
    assert is_arxiv_id(text)


@pytest.mark.parametrize(
    "text",
    [
        "1412.12345",  # five digits before 1501
        "1501.0001",  # four digits from 1501
        "2413.00001",  # month 13
        "2400.00001",  # month 0
        "0703.0001",  # before the new scheme began (April 2007)
        "0612.0001",
        "hep-th/9107001",  # before arXiv began (August 1991)
        "math/0704001",  # old style after the switch
        "hep-th/9913001",  # month 13
        "nosuch/9901001",  # not an archive
        "abc",
        "",
        "13734012",
        "2401.01234v0",
        "2401.01234v",
        "2401.012345",
        "2401.01234x",
        "https://example.org/abs/2401.01234",
        "hep-th/990100",
    ],
)
def test_parse_rejects_lookalikes(text: str) -> None:
    with pytest.raises(ValueError, match="not an arXiv id"):
        parse_arxiv_id(text)
    assert not is_arxiv_id(text)


def test_str_and_urls_carry_the_version() -> None:
    assert str(ArxivId("2401.01234", 3)) == "2401.01234v3"
    assert str(ArxivId("hep-th/9901001")) == "hep-th/9901001"
    assert ArxivId("2401.01234", 2).abs_url == "https://arxiv.org/abs/2401.01234v2"
    assert ArxivId("math/0309136").pdf_url == "https://arxiv.org/pdf/math/0309136"


def test_find_in_free_text_in_order_without_repeats() -> None:
    text = (
        "Builds on arXiv:2401.01234v2 and https://arxiv.org/abs/hep-th/9901001, see also "
        "(2501.12345) and [math.GT/0309136]; again arXiv:2401.01234v2 and "
        "https://arxiv.org/pdf/2502.00001v1.pdf."
    )
    assert find_arxiv_ids(text) == [
        ArxivId("2401.01234", 2),
        ArxivId("hep-th/9901001"),
        ArxivId("2501.12345"),
        ArxivId("math/0309136"),
        ArxivId("2502.00001", 1),
    ]


def test_find_ignores_lookalikes_and_parts_of_longer_tokens() -> None:
    text = (
        "version 1.2401.0001, phone 13734012, 1412.12345, 2413.00001, id v2401.01234, "
        "path src/2401.01234 and 2401.01234v0"
    )
    assert find_arxiv_ids(text) == []
    assert find_arxiv_ids("") == []


def test_find_stops_at_sentence_punctuation() -> None:
    assert find_arxiv_ids("as shown in 2401.01234v3.") == [ArxivId("2401.01234", 3)]


def test_find_ignores_ids_inside_longer_numbers() -> None:
    from paperboy.models.arxiv_id import find_arxiv_ids

    assert find_arxiv_ids("version 2401.01234.5 of the tool") == []
    assert [str(i) for i in find_arxiv_ids("see 2401.01234. Then")] == ["2401.01234"]
