"""Headless evaluation of retrieval, grounding and debate behaviour."""
