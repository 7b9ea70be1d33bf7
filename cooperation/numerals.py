"""A number in the grammatical case a qualifier needs, in Kazakh and Azerbaijani.

"More than 1000" is "1000-нан астам" in Kazakh and "1000-dən çox" in Azerbaijani: the
number takes the ablative (or, for "up to", the dative) ending, which follows the last
word of the number as it is read aloud (мың, min). The tables give that ending for each
such last word; Qualifier.phrase passes the number so inflected to the translated
phrase ("%(number)s астам"). Other languages take the number as it is."""

# The word a number ends with when read aloud: its last non-zero digit's place decides.
_UNITS = ("", "1", "2", "3", "4", "5", "6", "7", "8", "9")
_TENS = ("", "10", "20", "30", "40", "50", "60", "70", "80", "90")

# Endings after each last word: (ablative, dative).
ENDINGS: dict[str, dict[str, tuple[str, str]]] = {
    "kk": {
        "1": ("ден", "ге"), "2": ("ден", "ге"), "3": ("тен", "ке"), "4": ("тен", "ке"),
        "5": ("тен", "ке"), "6": ("дан", "ға"), "7": ("ден", "ге"), "8": ("ден", "ге"),
        "9": ("дан", "ға"), "10": ("нан", "ға"), "20": ("дан", "ға"), "30": ("дан", "ға"),
        "40": ("тан", "қа"), "50": ("ден", "ге"), "60": ("тан", "қа"), "70": ("тен", "ке"),
        "80": ("нен", "ге"), "90": ("нан", "ға"), "100": ("ден", "ге"), "1000": ("нан", "ға"),
        "million": ("нан", "ға"), "billion": ("тан", "қа"),
    },
    "az": {
        "1": ("dən", "ə"), "2": ("dən", "yə"), "3": ("dən", "ə"), "4": ("dən", "ə"),
        "5": ("dən", "ə"), "6": ("dan", "ya"), "7": ("dən", "yə"), "8": ("dən", "ə"),
        "9": ("dan", "a"), "10": ("dan", "a"), "20": ("dən", "yə"), "30": ("dan", "a"),
        "40": ("dan", "a"), "50": ("dən", "yə"), "60": ("dan", "a"), "70": ("dən", "ə"),
        "80": ("dən", "ə"), "90": ("dan", "a"), "100": ("dən", "ə"), "1000": ("dən", "ə"),
        "million": ("dan", "a"), "billion": ("dan", "a"),
    },
}  # fmt: skip

ABLATIVE, DATIVE = 0, 1


def last_word(value: int) -> str:
    """The key of ENDINGS for the word ``value`` ends with when read aloud."""
    value = abs(value)
    if value == 0:
        return "10"  # нөл / sıfır read like "он" / "on" for the ending's purpose
    if value % 10:
        return _UNITS[value % 10]
    if value % 100:
        return _TENS[value % 100 // 10]
    if value % 1000:
        return "100"
    if value % 1_000_000:
        return "1000"
    if value % 1_000_000_000:
        return "million"
    return "billion"


def inflect(value: int, text: str, language: str, case: int) -> str:
    """``text`` (the number ``value`` as written) with the ending of ``case`` in
    ``language``, joined by a hyphen as both languages write it after digits; unchanged
    in a language without such endings."""
    endings = ENDINGS.get(language)
    if not endings:
        return text
    return f"{text}-{endings[last_word(value)][case]}"
