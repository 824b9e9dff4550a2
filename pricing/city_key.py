"""One city, one key: what makes two spellings the same city everywhere (design rule 9).

A city is billed at most once a month, so the ledger, every reader of the monthly run's files,
batch pricing and `ledger check` must agree on when two names are one city. The key is:
NFKC (fullwidth and compatibility forms become plain letters), punctuation read as a space
(`Montréal, QC` and `Montréal QC.` are `Montréal QC`), runs of spaces as one, case folded,
then the Unicode confusable skeleton (UTS #39 section 4: `Huntsvillе` with a Cyrillic `е` is
`Huntsville`; ICU's SpoofChecker computes it from the Unicode security data, so we carry no
table of our own). A name that mixes scripts (Latin with Cyrillic or Greek, say) is refused,
not keyed: UTS #39's highly restrictive level, which still allows Han with Hiragana and
Katakana, and any script with the common digits and punctuation.

ICU is imported at first use, so commands that never see a city name start without it.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache

# ASCII names (nearly all of them) are keyed without ICU: punctuation to spaces, lower case,
# then the skeleton's ASCII mappings (punctuation they give read as spaces too); a property
# test checks the shortcut against ICU on every printable ASCII character.
_ASCII_PUNCTUATION = "!\"#%&'()*,-./:;?@[\\]_{}"
_ASCII_SKELETON = {"0": "o", "1": "l", "|": "l", "`": " "}     # "`" is "'", read as a space
_ASCII_TABLE = str.maketrans({**{c: " " for c in _ASCII_PUNCTUATION}, **_ASCII_SKELETON})
# The skeleton writes "m" as "rn"; a key writes every "rn" as "m" instead, which keeps two keys
# equal exactly when their skeletons are (no skeleton holds an "m", and "rn" never overlaps
# itself) and lets batch key a column without widening it.
RN, M = "rn", "m"


@lru_cache(maxsize=1)
def _checker():
    import icu

    checker = icu.SpoofChecker()
    checker.setChecks(icu.USpoofChecks.RESTRICTION_LEVEL)
    checker.setRestrictionLevel(icu.URestrictionLevel.HIGHLY_RESTRICTIVE)
    return checker


def _spaced(text: str) -> str:
    """Punctuation as spaces, runs of spaces as one, no space at either end."""
    return " ".join("".join(" " if unicodedata.category(c).startswith("P") else c
                            for c in text).split())


def city_key(name: str) -> str:
    """The key two spellings of one city share."""
    if name.isascii():
        return " ".join(name.lower().translate(_ASCII_TABLE).split()).replace(RN, M)
    return skeleton_key(name)


def skeleton_key(name: str) -> str:
    """city_key computed through ICU for any name (the ASCII shortcut must agree with it)."""
    folded = _spaced(unicodedata.normalize("NFKC", name)).casefold()
    return _spaced(_checker().getSkeleton(0, folded).casefold()).replace(RN, M)


def _scripts(name: str) -> list[str]:
    import icu

    found = []
    for char in name:
        if unicodedata.category(char)[0] in "LM":
            script = icu.Script.getScript(ord(char)).getName()
            if script not in ("Common", "Inherited") and script not in found:
                found.append(script)
    return found


def script_problem(name: str) -> str | None:
    """Why a city name cannot be a key because it mixes scripts, or None."""
    if name.isascii():
        return None
    text = unicodedata.normalize("NFKC", name)
    if not _checker().check(text):
        return None
    return (f"the name mixes scripts ({' and '.join(_scripts(text)) or 'unknown'}): a letter "
            f"of one script can pass for another's, so type it in one script")


def name_problem(name: str, city: bool = True) -> str | None:
    """Why a city (or bill-to) name cannot be a key, or None: too long, an invisible or control
    character, an odd space or line break (two spellings that look alike), or, for a city,
    scripts mixed."""
    from pricing import values

    if len(name) > values.NAME_LIMIT:
        return f"expected a name of at most {values.NAME_LIMIT} characters, got {len(name):,}"
    char = values.unusual_character(name, strict=True)
    if char is not None:
        return (f"the name holds an invisible or unusual character (U+{ord(char):04X}); "
                f"type it with plain spaces")
    return script_problem(name) if city else None
