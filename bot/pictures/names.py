"""The names the pictures draw: members' display names as the bot last saw them.

The bot runs without the privileged members intent, so its member cache knows few members; every
interaction, though, carries the member who made it, with their display name in that server. The quiz
cog notes each one here (a bounded LRU: nothing grows past SIZE names, about 2 MB), and a picture
looks its players up. A name the bot has not seen since it started is drawn as "Member 1234".
"""

from __future__ import annotations

from collections import OrderedDict

SIZE = 20_000


class NameBook:
    def __init__(self, size: int = SIZE) -> None:
        self.size = size
        self._names: OrderedDict[tuple[int, int], str] = OrderedDict()

    def __len__(self) -> int:
        return len(self._names)

    def saw(self, guild_id: int, user_id: int, name: str) -> None:
        key = (guild_id, user_id)
        self._names[key] = name
        self._names.move_to_end(key)
        if len(self._names) > self.size:
            self._names.popitem(last=False)

    def get(self, guild_id: int, user_id: int) -> str | None:
        return self._names.get((guild_id, user_id))
