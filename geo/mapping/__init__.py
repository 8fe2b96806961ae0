"""Offline interactive maps: builder, styles, recipes, offline assets and PNG snapshots."""
