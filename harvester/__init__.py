"""provincial-news-archive: harvest the news of Vietnam's provincial departments into a
versioned, searchable SQLite archive.

The flow of one unit of work, a module per step:

    config → discover → fetch → parse (parsers/) → normalise (parsers.normalise) → store
    (config.py) (discover.py) (fetch.py)   pipeline.py ties them; cli.py is a thin layer on top
"""

__version__ = "0.1.0"
