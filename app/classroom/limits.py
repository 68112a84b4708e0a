"""The one home of a practice round's limits.

`RoundFormat` checks them, `ClassroomSettings` bounds its fields with them, and the classroom CLI's options
and the web tabs' sliders are built from them, so a limit changes in one place. A leaf module: it imports
nothing, so settings and CLIs can read it cheaply and without an import cycle.
"""

from __future__ import annotations

MIN_ROUNDS = 2  # an opening and a closing
MAX_ROUNDS = 7
MIN_WORD_LIMIT = 20
MAX_WORD_LIMIT = 500  # 500 words stay well under the service's 4,000-character message limit
MAX_TURN_SECONDS = 3600  # 0 = no timer
