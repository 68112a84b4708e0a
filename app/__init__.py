"""Counterpoint: argue with a text. Faces (web, CLI) and the debate core live here."""
