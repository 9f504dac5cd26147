"""Vetted content: the articles, the answers cut from them, and where the assistant reads them.

article.py parses an article's text into sentences and sections; files.py reads data/content and
refuses any answer that is not whole sentences of its own article, in order; store.py is the content
store (SQLAlchemy) the action server reads; load.py (`make content`) checks the files and loads them
into the store; links.py makes each answer's link to its passage in the full article.
"""
