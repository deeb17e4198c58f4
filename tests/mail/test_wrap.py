"""Plain-text wrapping for mail bodies, against the standard library's textwrap."""

from __future__ import annotations

import textwrap

import pytest

from paperboy.mail.wrap import wrap

ABSTRACT = (
    "We study speech recognition for low-resource languages, with "
    "https://example.org/a/long/url/that/goes/on and a model that is small. "
    "Überraschend gut: 3× faster. "
) * 3


@pytest.mark.parametrize("width", [50, 72, 100])
def test_wrap_matches_textwrap_on_ordinary_text(width: int) -> None:
    expected = textwrap.wrap(ABSTRACT, width, break_on_hyphens=False)
    assert wrap(ABSTRACT, width).split("\n") == expected
    assert wrap(ABSTRACT.replace(" ", " \n  "), width).split("\n") == expected  # collapsed


def test_continuation_lines_are_indented_and_long_words_cut() -> None:
    assert wrap("aaa bbb ccc", 7, 3) == "aaa bbb\n   ccc"
    assert wrap("x" * 25, 10) == "xxxxxxxxxx\nxxxxxxxxxx\nxxxxx"
    assert wrap("ab " + "y" * 12 + " cd", 10) == "ab\nyyyyyyyyyy\nyy cd"
    assert wrap("  \n ", 10) == ""
