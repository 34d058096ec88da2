-- Members may talk to the bot in plain messages (mentions, replies, DMs) unless a server turns it
-- off with /config chat. On by default, for the servers already there too.

ALTER TABLE guild_settings ADD COLUMN chat_enabled INTEGER NOT NULL DEFAULT 1 CHECK (chat_enabled IN (0, 1));
