"""Presentation: embeds, views and text shaped to Discord's limits."""
