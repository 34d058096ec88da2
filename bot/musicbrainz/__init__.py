"""MusicBrainz and the Cover Art Archive: the client (`client.py`, the only module speaking HTTP), the
records the bot keeps (`models.py`) and the conversion of ws/2 JSON into them (`releases.py`)."""

from .client import BadResponse, MusicBrainzClient, MusicBrainzError, NotFound, RateLimiter, Unavailable
from .models import Query, Release, ReleaseSummary, Singer, Track
from .releases import BadQuery, drama_name, is_instrumental, parse_query, vocal_tracks

__all__ = [
    "BadQuery", "BadResponse", "MusicBrainzClient", "MusicBrainzError", "NotFound", "Query", "RateLimiter",
    "Release", "ReleaseSummary", "Singer", "Track", "Unavailable", "drama_name", "is_instrumental",
    "parse_query", "vocal_tracks",
]
