"""Names sort the way each language's readers expect (ICU collation)."""

from __future__ import annotations

from shared.collation import sorted_by_name

AZ = ["Ünvanlı", "Uşaq", "İşaxtaran", "Iğdır", "Qazi", "Xoş", "Hamilə", "Əlillik", "Fərdi",
      "Ekspertiza", "Çörək", "Cəmiyyət", "Şəhid", "Sosial", "Ödəniş", "Orta"]


def test_azerbaijani_alphabet_order():
    """Ə after E, X after H, I before İ, Q after K, Ç/Ö/Ş/Ü after C/O/S/U."""
    assert sorted_by_name(AZ, str, "az") == [
        "Cəmiyyət", "Çörək", "Ekspertiza", "Əlillik", "Fərdi", "Hamilə", "Xoş", "Iğdır",
        "İşaxtaran", "Qazi", "Orta", "Ödəniş", "Sosial", "Şəhid", "Uşaq", "Ünvanlı"]


def test_russian_and_english_orders():
    """Ё sorts as Е in Russian (Ёлка before Ель); English ignores case first."""
    assert sorted_by_name(["Ёлка", "Жук", "Ель", "Арбуз"], str, "ru") == ["Арбуз", "Ёлка", "Ель", "Жук"]
    assert sorted_by_name(["beta", "Alpha", "alpha"], str, "en") == ["alpha", "Alpha", "beta"]


def test_the_centres_services_in_az_order():
    """The shipped services in az: Əlillik… right after the E names, İş… after the I names,
    Qazilər after K, Özünüməşğulluq after O — none left at the end."""
    from shared.config.centre import load_config

    names = sorted_by_name([s.name("az") for s in load_config().services.values()], str, "az")
    first = [n[0] for n in names]
    assert first == sorted(first, key=lambda ch: "ABCÇDEƏFGĞHXIİJKQLMNOÖPRSŞTUÜVYZ".index(ch))
    assert names[-1].startswith(("Y", "Z"))
