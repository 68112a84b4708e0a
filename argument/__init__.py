"""The argument map: what a text claims, why, with what evidence, what it concedes, and what it rejects.

Built at ingest from the text alone (discourse cues in `prompts/argument/cues.yaml`, structure and
sentence similarity); no model is needed. Depends only on `ingest`'s leaf modules, never on `app/`.
"""
