"""Telegram-style HTML parsing of the fake server, without any HTTP."""

from __future__ import annotations

import pytest

from botapi_sandbox.html_entities import EntityParseError, parse_html, to_html, utf16_len


def test_supported_tags_become_entities() -> None:
    text, entities = parse_html(
        "<strong>a</strong><em>b</em><ins>c</ins><del>d</del>"
        '<span class="tg-spoiler">e</span><code>f</code>'
        '<pre><code class="language-python">g</code></pre>'
        "<blockquote expandable>h</blockquote>"
        '<tg-emoji emoji-id="5368324170671202286">👍</tg-emoji>'
    )
    assert text == "abcdefgh👍"
    assert [(e["type"], e["offset"], e["length"]) for e in entities] == [
        ("bold", 0, 1),
        ("italic", 1, 1),
        ("underline", 2, 1),
        ("strikethrough", 3, 1),
        ("spoiler", 4, 1),
        ("code", 5, 1),
        ("pre", 6, 1),
        ("expandable_blockquote", 7, 1),
        ("custom_emoji", 8, 2),
    ]
    assert entities[6]["language"] == "python"


def test_character_references_and_literal_ampersand() -> None:
    text, entities = parse_html("&lt;3 &amp; &quot;x&quot; &#65;&#x42; AT&T &nbsp;")
    assert text == '<3 & "x" AB AT&T &nbsp;'
    assert entities == []


def test_nested_offsets_are_utf16() -> None:
    text, entities = parse_html("😀 <b>Raci <i>Bangil</i></b>")
    assert text == "😀 Raci Bangil"
    assert entities == [
        {"offset": 3, "length": 11, "type": "bold"},
        {"offset": 8, "length": 6, "type": "italic"},
    ]
    assert utf16_len(text) == 14


@pytest.mark.parametrize(
    ("markup", "message"),
    [
        ("<b>x", 'Can\'t find end tag corresponding to start tag "b"'),
        ("<br>", 'Unsupported start tag "br" at byte offset 0'),
        ("a < b", "Empty tag name at byte offset 2"),
        ("<b>x</i>", 'Unmatched end tag at byte offset 4, expected "</b>", found "</i>"'),
        ("x</b>", "Unexpected end tag at byte offset 1"),
    ],
)
def test_errors_use_telegram_wording(markup: str, message: str) -> None:
    with pytest.raises(EntityParseError) as caught:
        parse_html(markup)
    assert str(caught.value) == message


def test_to_html_round_trips() -> None:
    source = '<b>KIM</b> &amp; <a href="https://x.id/?a=1&amp;b=2">tautan</a> <i>🙂 ok</i>'
    text, entities = parse_html(source)
    assert to_html(text, entities) == source
