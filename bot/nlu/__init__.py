"""NLU: entity patterns, the spaCy/jieba build step and Rasa custom components."""
