"""Settings for the example site of Tidy Software; `make html` builds it locally.

Pelican reads every name here; `goodwill` reads only the GOODWILL_ ones.
"""

AUTHOR = "Tidy Software"
SITENAME = "Tidy Software"
SITESUBTITLE = "What our customers said, what we gave, and how well we keep our promises"
SITEURL = ""
PATH = "content"
TIMEZONE = "UTC"
DEFAULT_LANG = "en"

# The site plugin (consent gate, walls, pledges, images) and its theme.
PLUGIN_PATHS = ["plugins"]
PLUGINS = ["goodwill_site"]
THEME = "theme"

# Stories live at /<kind>/<slug>/; a translation beside its original.
ARTICLE_URL = "{category}/{slug}/"
ARTICLE_SAVE_AS = "{category}/{slug}/index.html"
ARTICLE_LANG_URL = "{category}/{slug}/{lang}/"
ARTICLE_LANG_SAVE_AS = "{category}/{slug}/{lang}/index.html"
DRAFT_URL = "drafts/{category}/{slug}/"
DRAFT_SAVE_AS = "drafts/{category}/{slug}/index.html"
DRAFT_LANG_URL = "drafts/{category}/{slug}/{lang}/"
DRAFT_LANG_SAVE_AS = "drafts/{category}/{slug}/{lang}/index.html"
PAGE_URL = "{slug}/"
PAGE_SAVE_AS = "{slug}/index.html"

# The plugin writes the walls, gifts and pledges pages itself; Pelican's blog
# listings (categories, tags, authors, archives) would only repeat them.
DIRECT_TEMPLATES = ["index"]
CATEGORY_SAVE_AS = ""
TAG_SAVE_AS = ""
AUTHOR_SAVE_AS = ""
ARCHIVES_SAVE_AS = ""
DEFAULT_PAGINATION = False

# Atom feeds per kind: feeds/testimonials.atom.xml and feeds/gifts.atom.xml.
FEED_ALL_ATOM = "feeds/all.atom.xml"
CATEGORY_FEED_ATOM = "feeds/{slug}.atom.xml"
FEED_ALL_RSS = None
CATEGORY_FEED_RSS = None
TRANSLATION_FEED_ATOM = None
AUTHOR_FEED_ATOM = None
AUTHOR_FEED_RSS = None

# Only the theme's images; gift photos are copied by the plugin, stripped of EXIF.
STATIC_PATHS = ["extra"]
RELATIVE_URLS = True
# Pelican keeps each file's parsed Markdown until the file changes: a rebuild reads only
# what changed (the publish hook, whose source is a fresh export each time, turns it off).
CACHE_PATH = ".goodwill/cache/pelican"
CACHE_CONTENT = True
LOAD_CONTENT_CACHE = True
CHECK_MODIFIED_METHOD = "md5"  # a file's bytes, not its time: a restored old copy is noticed

# Goodwill
GOODWILL_INBOX = "inbox"
GOODWILL_STAFF = {"ada@tidy.example": "Ada, founder", "tidy.example": None}
GOODWILL_PRODUCTS = ["Tidy Invoice", "Tidy Notes"]
GOODWILL_PSEUDONYM_STYLE = "first-name"
GOODWILL_PER_PAGE = 12
GOODWILL_IMAGE_CACHE = ".goodwill/cache/images"  # rendered images, reused across builds
# Local builds show drafts and unconsented stories, marked "draft, not public".
# publishconf.py turns this off: a publish build never writes them at all.
GOODWILL_PREVIEW = True
# The leak guard reads the whole output after every build: "fail" stops the build,
# "warn" only lists what it found (enough for a local preview), "off" skips it.
GOODWILL_GUARD = "warn"
