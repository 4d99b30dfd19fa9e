"""Run one general-purpose anonymizer over the benchmark's thread texts.

Runs inside ``bench/.venv`` (scrubadub and Presidio pull in spaCy, scikit-learn and
friends, which Goodwill itself does not need), one process per tool so each tool's peak
memory is its own. Reads JSON lines ``{"id", "text"}``, writes JSON lines ``{"id",
"text"}`` with the tool's output, and prints one JSON line of timings.

Both tools are set up the way a careful user would for this inbox, with no model
downloads (none can be fetched here, and Goodwill needs none):

- scrubadub: its default regex detectors (e-mail, URL, Twitter handle, card, credential,
  SSN) plus its phonenumbers-based phone detector once for each region of the corpus
  (GB, US, FR, DE): one region would miss most foreign numbers.
- Presidio: AnalyzerEngine with ``NoOpNlpEngine`` (pattern recognizers only, no spaCy
  model), phone regions GB, US, FR, DE, and the default "replace with <TYPE>" operator.
  tldextract is given an empty list of suffix-list URLs, so it uses its bundled list and
  never goes to the network, and is taught the reserved ``example`` and ``test`` TLDs the
  corpus uses (a real inbox has real TLDs; without this every address would be
  rejected for a reason that has nothing to do with the tool).
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Callable
from pathlib import Path

REGIONS = ("GB", "US", "FR", "DE")


def scrubadub_cleaner() -> Callable[[str], str]:
    import scrubadub
    from scrubadub.detectors import PhoneDetector

    scrubber = scrubadub.Scrubber(locale="en_GB")
    scrubber.remove_detector("phone")
    for region, locale in zip(REGIONS, ("en_GB", "en_US", "fr_FR", "de_DE"), strict=True):
        scrubber.add_detector(PhoneDetector(name=f"phone_{region.lower()}", locale=locale))
    return scrubber.clean


def presidio_cleaner() -> Callable[[str], str]:
    import tldextract

    # Presidio's e-mail recognizer calls ``tldextract.extract`` through the module.
    tldextract.extract = tldextract.TLDExtract(
        cache_dir=None, suffix_list_urls=(), extra_suffixes=("example", "test")
    )

    from presidio_analyzer import AnalyzerEngine, RecognizerRegistry
    from presidio_analyzer.nlp_engine import NoOpNlpEngine
    from presidio_analyzer.predefined_recognizers import PhoneRecognizer
    from presidio_anonymizer import AnonymizerEngine

    registry = RecognizerRegistry(supported_languages=["en"])
    registry.load_predefined_recognizers(languages=["en"])
    registry.remove_recognizer("SpacyRecognizer")  # needs a spaCy model: none is loaded
    registry.remove_recognizer("PhoneRecognizer")
    registry.add_recognizer(PhoneRecognizer(supported_regions=REGIONS))
    nlp = NoOpNlpEngine(models=[{"lang_code": "en", "model_name": "none"}])
    analyzer = AnalyzerEngine(registry=registry, nlp_engine=nlp, supported_languages=["en"])
    anonymizer = AnonymizerEngine()

    def clean(text: str) -> str:
        results = analyzer.analyze(text=text, language="en")
        return anonymizer.anonymize(text=text, analyzer_results=results).text

    return clean


TOOLS = {"scrubadub": scrubadub_cleaner, "presidio": presidio_cleaner}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("tool", choices=sorted(TOOLS))
    parser.add_argument("texts", type=Path, help="JSON lines of {id, text}")
    parser.add_argument("out", type=Path, help="where to write the tool's output texts")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    clean = TOOLS[args.tool]()
    clean("Warm-up: ada@example.com, +44 20 7946 0000.")
    ready = time.perf_counter()
    count = 0
    with args.texts.open(encoding="utf-8") as src, args.out.open("w", encoding="utf-8") as dst:
        for line in src:
            item = json.loads(line)
            dst.write(json.dumps({"id": item["id"], "text": clean(item["text"])}) + "\n")
            count += 1
    done = time.perf_counter()
    print(json.dumps({"threads": count, "setup_s": ready - started, "run_s": done - ready}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
