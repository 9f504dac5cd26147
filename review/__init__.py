"""The staff review app: publishers' staff read (redacted) conversations, tag them and turn them into
training data. Reads Rasa's SQL tracker store; keeps its own review tables (review/schema.py)."""
