"""Settings for the public build (`make publish`): pelicanconf.py plus what a real site needs."""

import os
import sys

sys.path.append(os.curdir)
from pelicanconf import *  # noqa: F403

SITEURL = "https://tidy.example"
RELATIVE_URLS = False
DELETE_OUTPUT_DIRECTORY = True  # a withdrawn story must not survive from an earlier build

# Never in public: drafts and stories without consent are not written at all.
GOODWILL_PREVIEW = False
# Belt and braces: even a draft the plugin did not recognise as a story is not written.
DRAFT_SAVE_AS = ""
DRAFT_LANG_SAVE_AS = ""
DRAFT_PAGE_SAVE_AS = ""
DRAFT_PAGE_LANG_SAVE_AS = ""
GOODWILL_GUARD = "fail"  # a public build with a suspected leak does not happen
