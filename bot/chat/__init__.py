"""Talking to the bot in plain messages: what a message asks for, and how often it may be answered."""
