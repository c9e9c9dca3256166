"""Decks: the built-in ones from cards/, custom ones from the database, and the validator CLI."""
