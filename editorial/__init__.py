"""The editor's side of the library: importing an article, proposing its passages, writing the content
files, and publishing them to the running assistant."""
