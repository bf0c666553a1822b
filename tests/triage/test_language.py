"""Language detection on short, mixed and handle-heavy posts."""

from __future__ import annotations

import pytest

from caredesk.triage.language import detect_language


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("@AmazonHelp where is my order? it was due yesterday", "en"),
        ("Thanks for sharing the love, Alisa. 😍", "en"),
        ("@Iberia Hola, mi vuelo ha sido cancelado y nadie me ayuda", "es"),
        ("@SNCF Bonjour, mon train est encore en retard ce matin", "fr"),
        ("@DB_Bahn Warum ist der Zug schon wieder so spät? Unglaublich", "de"),
        ("@TAP Olá, a minha mala não chegou a Lisboa, podem ajudar?", "pt"),
        ("@Alitalia Il mio bagaglio è stato perso, nessuno risponde", "it"),
        ("@NS_online Mijn trein is alweer vertraagd, wat een ellende", "nl"),
        ("@AmazonHelp 注文した物はちゃんと届けてください。", "ja"),
        ("@Aeroflot Мой рейс отменили, что мне делать?", "ru"),
        ("@saudi_airlines رحلتي تأخرت ثلاث ساعات ولا أحد يرد", "ar"),
        ("@ElAl הטיסה שלי בוטלה ואף אחד לא עונה", "he"),
        ("@KoreanAir 제 수하물이 도착하지 않았습니다", "ko"),
    ],
)
def test_languages(text: str, expected: str) -> None:
    assert detect_language(text) == expected


def test_handles_and_urls_are_ignored() -> None:
    text = "@115712 @SouthwestAir @Delta @united https://t.co/6H5uEZH4cv my bag never arrived at all"
    assert detect_language(text) == "en"
    # The same addresses around Spanish words give Spanish: they carry no language of their own.
    assert detect_language(text.replace("my bag never arrived at all", "mi maleta nunca llegó")) == "es"


@pytest.mark.parametrize(
    "text", ["", "ok", "😡😡😡", "@115712 https://t.co/abc", "12345 678", "\x00\x01\x02", "Hahahah"]
)
def test_unsure_gives_none(text: str) -> None:
    assert detect_language(text) is None


def test_mixed_text_gives_the_main_language() -> None:
    assert detect_language("Je suis très déçue, mon colis n'est jamais arrivé. So disappointed") == "fr"
