"""Gong: its REST client and the parsing of what it returns."""
