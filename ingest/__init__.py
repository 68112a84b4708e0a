"""Ingest: documents become citable passages with exact offsets, embedded and stored in Chroma.

This package knows nothing of debating; the debate core builds on it.
"""
