"""Insights: turning calls and search hits into cited answers."""
