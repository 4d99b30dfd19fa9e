"""The smallest Pelican site the publishing and watch tests build: plain theme, no feeds.

Shared so that the hook and the watcher are tested on the same site; a build of it takes
a fraction of a second. The example site with Goodwill's own plugin is tested elsewhere.
"""

PELICANCONF = """\
AUTHOR = "Tidy Notes"
SITENAME = "Kind words"
PATH = "content"
TIMEZONE = "UTC"
DEFAULT_LANG = "en"
THEME = "simple"
FEED_ALL_ATOM = None
CATEGORY_FEED_ATOM = None
TRANSLATION_FEED_ATOM = None
AUTHOR_FEED_ATOM = None
AUTHOR_FEED_RSS = None
RELATIVE_URLS = True
GOODWILL_INBOX = "inbox"
"""
