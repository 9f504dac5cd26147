"""Measurement: accuracy (`make eval`, `make eval-redaction`, the library of articles), speed (`make bench`,
`make profile`, `make bench-review`) and the tuning scripts that choose config.yml's numbers on
validation data only. Nothing here runs in production."""
