"""The project's library: vetted content (parsing, checks, store) and the spaCy pipeline."""
