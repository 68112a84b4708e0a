"""What a concession is: when the bot's own words agree with the user or give up its side.

One definition, read by the classroom's side guard (`app.classroom.opponent.hold_side`, which replaces
conceding sentences), the eval's stance metric (`eval.metrics.stance_held`, which scores pushback cases)
and, for its opening-agreement half, the scaffold's filter of the model's one sentence
(`app.debate.scaffold.filter_piece`). The guard and the metric therefore enforce and measure the same thing.

Two patterns, both read with quotations blanked out (`quoting.strip_quotations`: the essay's or the user's
words are not the bot's):
- `CONCESSION`, anywhere in a sentence: "I concede", "you're right", "you've convinced me", "fair point",
  "I was wrong", "I'll change my mind", …
- `OPENING_AGREEMENT`, at the start of a sentence: "Yes, …", "Absolutely.", "Good point …", "I agree …".

Not to be confused with the *author's* concessions in the essay (`scaffold.AUTHOR_CONCESSION`, the map's
`concession` role) or with a *user's* agreement (the `agreement` cue of `prompts/reading.yaml`).
"""

from __future__ import annotations

import re

from app.debate.quoting import strip_quotations
from ingest.sentences import split_sentences

CONCESSION = re.compile(
    r"\b(you('| a)re (absolutely |completely |quite |totally )?right|you were right|"
    r"i (now |fully |completely )?(agree|concede)|you('ve| have) (convinced|persuaded) me|i was (wrong|mistaken)|"
    r"i stand corrected|(good|fair|great|valid) point|you make a (good|fair|great|valid) point|"
    r"i('ll| will) (switch|change) (sides?|my (mind|position|side))|i (have )?changed? my mind|you win|i give up|"
    r"i (must |have to )?admit|i take (it|that) back|my mistake|fair enough|point taken)\b",
    re.IGNORECASE,
)
OPENING_AGREEMENT = re.compile(
    r"^\s*(yes|yeah|absolutely|exactly|indeed|of course|certainly|great (point|question)|good point|"
    r"i (completely |totally |fully )?agree|you('| a)re (absolutely |completely )?right|"
    r"that'?s (true|right|correct))\b",
    re.IGNORECASE,
)


def concedes(text: str) -> bool:
    """Does the text (a sentence or a whole reply) concede, in its own words (quotations aside)?"""
    bare = strip_quotations(text)
    if CONCESSION.search(bare):
        return True
    return any(OPENING_AGREEMENT.search(bare[start:end]) for start, end in split_sentences(text))
