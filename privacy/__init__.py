"""Privacy: redaction of personal details from patients' messages before staff read them
(privacy.redact, used by the staff review app's indexer)."""
