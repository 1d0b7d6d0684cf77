"""What the assistant says for one user turn about the policies (plain Python, tested without Rasa).

- turn.py: `Turn` (the parsed message and the conversation's slots) and `Reply` (what to send back)
- reading.py: `TurnReader`, which region and topic a turn is about
- policy_dialogue.py: `PolicyDialogue`, the turn answered in place or routed to a form
"""

from bot.dialogue.policy_dialogue import PolicyDialogue
from bot.dialogue.turn import CLARIFY_OPENINGS, INTENT_TOPICS, Reply, Turn

__all__ = ["CLARIFY_OPENINGS", "INTENT_TOPICS", "PolicyDialogue", "Reply", "Turn"]
