"""Rasa SDK actions: thin adapters that read the tracker, call `bot`, and send the reply.

Every action derives from actions.base.BotAction: it reads the tracker once (actions/tracker.py)
and speaks only through Replies, which masks every message on its way out (bot.text.mask:
phones and ID numbers however they are spelled), whichever action built it and whatever user text
it quotes. Forms: actions/forms.py; their logic is in bot (bot/forms.py).
"""
