"""The statistical name finder that redaction (privacy.redact) runs beside its rules: the training
messages it is generated from (name_data, name_templates.txt), its training (train_names, `make names`)
and the loader with the checks its findings pass (names). Kept apart from privacy/ so that each
package stays small enough to read whole."""
