"""Names are sorted in their reader's alphabet: Azerbaijani Ç, Ə, Ğ, İ, Ö, Ş, Ü beside their base
letters (not after Z), X after H and Q after K; Russian Ё with Е; English by letters, not case."""

from __future__ import annotations

from shared.collation import sorted_names
from shared.config.centre import load_config


def test_azerbaijani_alphabet_order():
    """Each letter pair in the az alphabet's order, whatever Python's code points say."""
    words = ["Zəng", "Üzüm", "Uşaq", "Şəhid", "Sosial", "Ödəniş", "Orta", "Mənzil", "Qazilər",
             "Kənd", "İşsizlik", "Işıq", "Xidmət", "Hüquq", "Ğ-hərfi", "Gənc", "Əlillik", "Evdə",
             "Çoxuşaqlı", "Cəmiyyət", "Ailə"]
    assert sorted_names(words, "az") == [
        "Ailə", "Cəmiyyət", "Çoxuşaqlı", "Evdə", "Əlillik", "Gənc", "Ğ-hərfi", "Hüquq", "Xidmət",
        "Işıq", "İşsizlik", "Kənd", "Qazilər", "Mənzil", "Orta", "Ödəniş", "Sosial", "Şəhid",
        "Uşaq", "Üzüm", "Zəng"]


def test_russian_and_english_order():
    """ru: Ё sorts with Е (not after Я); en: case does not decide the order."""
    assert sorted_names(["Я", "Жук", "Ёж", "Дом"], "ru") == ["Дом", "Ёж", "Жук", "Я"]
    assert sorted_names(["beta", "Alpha", "alpha2", "Gamma"], "en") == [
        "Alpha", "alpha2", "beta", "Gamma"]


def test_the_centres_services_in_az_order():
    """The shipped services in az: Əlillik… right after the E names, İş… after the I names,
    Qazilər after K, Özünüməşğulluq after O — none left at the end."""
    config = load_config()
    names = sorted_names([s.name("az") for s in config.services.values()], "az")
    first = [n[0] for n in names]
    assert first == sorted(first, key=lambda ch: "ABCÇDEƏFGĞHXIİJKQLMNOÖPRSŞTUÜVYZ".index(ch))
    assert names[-1].startswith(("Y", "Z"))
