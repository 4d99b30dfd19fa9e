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
GOODWILL_GUARD = "fail"  # a public build with a suspected leak does not happen
