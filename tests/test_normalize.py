"""Indonesian chat text reduced to comparable words."""

from __future__ import annotations

import pytest

from bot.normalize import normalize, terms, words


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Vaksin ITU Berbahaya!!!", "vaksin itu berbahaya"),
        ("cek di https://contoh.id/a?b=1 dan www.contoh.id", "cek di dan"),
        ("hati2 kasus-kasus baru", "hati hati kasus kasus baru"),
        ("covid-19 tahun 2021", "covid tahun"),
        ("bangettt parahhh", "banget parah"),
        ("maaf saat ini", "maaf saat ini"),
        (
            "yg gak dgn utk sdh krn bs aja bgt",
            "yang tidak dengan untuk sudah karena bisa saja banget",
        ),
        ("nggak tdk ga", "tidak tidak tidak"),
        ("pemkab bagi2 bansos", "pemerintah kabupaten bagi bagi bantuan sosial"),
        ("Café ÉNAK 😀", "cafe enak"),
    ],
)
def test_normalize(text: str, expected: str) -> None:
    """Case, links, digits, repeated letters and slang all come out in standard spelling."""
    assert normalize(text) == expected


def test_same_claim_in_chat_spelling_normalises_alike() -> None:
    """A claim typed in slang equals its standard form after normalisation."""
    assert normalize("Yg dibagi2 gak ada!!") == normalize("yang dibagi dibagi tidak ada")


def test_terms_drop_function_words_and_stem_affixes() -> None:
    """Function words go; conjugations of one root share a term."""
    assert terms("Yang disebarkan itu penyebaran hoaks") == ["sebar", "sebar", "hoaks"]
    assert terms("dan di ke dari yang") == []
    assert set(terms("pemerintah")) == set(terms("pemerintahan"))


def test_words_keep_order_and_function_words() -> None:
    """`words` is the readable layer: everything, in order."""
    assert words("Ini dia, yg viral!") == ["ini", "dia", "yang", "viral"]
