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
