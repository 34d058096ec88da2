"""The catalog domain: models, seed loading and validation, search, matching, recommendations.

Plain Python; nothing here imports discord.
"""
