"""Language understanding: what a message asks, as Rasa NLU components named in config.yml.

spacy_pipeline.py builds the project's own spaCy pipeline (no download); linear_classifier.py ranks
intents and answers; safety_patterns.py holds the reviewed emergency and crisis patterns that
components.SafetyOverride applies before anything else; components.AnswerGate decides whether an
answer is served, offered as "Did you mean", or not served at all.
"""
