"""Thin Discord glue, one module per command group. Every module here not starting with `_` is
loaded as an extension at start-up; each ends with `async def setup(bot)`."""
