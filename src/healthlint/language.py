"""Which language a page is written in, from its most common function words.

The shipped vocabularies are English. A page in another language would pass
with "All clear" although nothing on it was understood, so the engine reports
it instead ("not checked: page language es"). Function words (articles,
prepositions, pronouns) are frequent, short and language-specific, which is
enough to tell the languages of health marketing apart on a page of prose; a
page too short to tell is treated as English.
"""

from __future__ import annotations

import re
from collections import Counter

__all__ = ["MIN_WORDS", "detect_language"]

MIN_WORDS = 40
"""Fewer function words than this and the page counts as English: too little to tell."""

_FUNCTION_WORDS: dict[str, frozenset[str]] = {
    "en": frozenset("the and of to in is are for with that this your you it on be as by or "
                    "from our we can not at an have will".split()),
    "es": frozenset("el la los las de del y en que es son por para con una un su sus se al "
                    "como más pero nuestro nuestra usted".split()),
    "fr": frozenset("le la les des du de et en est sont pour avec une un sur dans ce cette "
                    "qui que vous nous votre au aux".split()),
    "de": frozenset("der die das und ist sind mit für von zu den dem ein eine nicht auf im "
                    "sie wir ihr ihre unsere auch".split()),
    "pt": frozenset("o a os as de do da dos das e em que é são para com um uma seu sua não "
                    "no na nos você nosso nossa".split()),
    "it": frozenset("il lo la i gli le di del della e è sono per con un una che non nel "
                    "nella si al alla nostro nostra".split()),
    "nl": frozenset("de het een en van is zijn voor met op in dat niet te wij u uw ons onze "
                    "ook bij".split()),
}
_WORD = re.compile(r"[^\W\d_]+")


def detect_language(prose: str, *, limit: int = 200_000) -> str:
    """The ISO 639-1 code of the page's language: ``en`` unless another language's function
    words clearly outnumber English ones (looks at the first ``limit`` characters)."""
    # Words are counted once in C (findall, Counter); each language then sums the counts of
    # its own function words. A word that several languages share counts for each of them.
    found = Counter(map(str.lower, _WORD.findall(prose, 0, min(len(prose), limit))))
    counts = {language: sum(found[word] for word in words if word in found)
              for language, words in _FUNCTION_WORDS.items()}
    total = sum(counts.values())
    if total < MIN_WORDS:
        return "en"
    best = max(counts, key=lambda language: counts[language])
    if best != "en" and counts[best] >= 2 * counts["en"]:
        return best
    return "en"
