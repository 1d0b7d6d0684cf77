"""稳岗留工政策助手: the plain-Python core behind the Rasa assistant.

Everything here runs and is tested without Rasa: policy data, answer rendering, the input
normaliser, NLU build steps and the command line. Rasa-specific code (actions, custom NLU
components) only adapts between Rasa and these modules.
"""

__version__ = "0.1.0"
