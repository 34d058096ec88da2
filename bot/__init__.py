"""OST Ballad Bot: K-drama OST ballads, look-ups and trivia quizzes for Discord."""

__version__ = "0.1.0"
