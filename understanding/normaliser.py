"""What patients type, put in the words the assistant knows, before anything reads a message.

- dotted and spaced abbreviations: "M.B.C.", "n.e.d.", "N E D" become "MBC", "ned", "NED";
- stage numerals: stage 1 / I / one, ..., stage 4 / IV / four (also "stage4") become "stage 1" ... "stage 4";
- British spellings become American ones (breame's list: tumour, oestrogen, haematology, centre...);
- misspellings of the domain's own words (the words of the vetted passages, their titles and the
  training examples) are corrected with SymSpell (symspellpy) when the word is not an English word
  (SymSpell's bundled English frequency list) and a domain word is close enough: one edit for words of
  4-5 letters, two for longer ones. Anything else is left as typed.

The component runs first in config.yml's pipeline, on messages and on the training examples alike.
It is registered as a message featurizer as well as an intent classifier because Rasa's recipe runs
process_training_data only for tokenizers and featurizers (tests/unit/test_normaliser.py checks the
training graph). The message's own text is kept as `text_original` (the safety patterns read both, see components.py).
"""
import json
import re
import unicodedata
from functools import lru_cache
from importlib import resources
from typing import Any, Dict, Iterable, List, Optional, Set, Text

from breame.data.spelling_constants import BRITISH_ENGLISH_SPELLINGS
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from symspellpy import SymSpell, Verbosity

ORIGINAL_TEXT = "text_original"
DOTTED = re.compile(r"\b(?:[A-Za-z]\.){2,}(?:[A-Za-z]\b\.?)?")
SPACED = re.compile(r"\b(?:[A-Za-z] ){2,}[A-Za-z]\b")
STAGE = re.compile(r"\bstage\s*-?\s*(iv|iii|ii|one|two|three|four|[1-4])\b", re.I)
# "stage I" is stage 1 only where "I" cannot be the pronoun: "at this stage I think" stays as it is.
STAGE_I = re.compile(r"\bstage\s*-?\s*i\b(?=\s*(?:$|[.,;:!?)]|breast|cancer|bc\b|mbc|disease|tumou?r|to\b|and\b|or\b|"
                     r"vs\b|versus|become|turn|spread|metasta|diagnos|patient|with\b|is\b|was\b|mean))", re.I)
STAGE_NUMBERS = {"i": "1", "one": "1", "ii": "2", "two": "2", "iii": "3", "three": "3", "iv": "4", "four": "4"}
WORD = re.compile(r"[A-Za-z][a-z]+")  # lower-case or capitalised words: ALL-CAPS acronyms stay as typed


@lru_cache(maxsize=1)
def english_words() -> Set[Text]:
    dictionary = resources.files("symspellpy") / "frequency_dictionary_en_82_765.txt"
    return {line.split(" ", 1)[0] for line in dictionary.read_text(encoding="utf-8").splitlines() if line}


def domain_words(texts: Iterable[Text]) -> Dict[Text, int]:
    counts: Dict[Text, int] = {}
    for text in texts:
        for word in WORD.findall(text):
            counts[word.lower()] = counts.get(word.lower(), 0) + 1
    return counts


class Normaliser:
    def __init__(self, vocabulary: Dict[Text, int]) -> None:
        self.vocabulary = vocabulary
        self.english = english_words()
        self.speller = SymSpell(max_dictionary_edit_distance=2, prefix_length=7)
        for word, count in vocabulary.items():
            self.speller.create_dictionary_entry(word, count)

    def __call__(self, text: Text) -> Text:
        text = unicodedata.normalize("NFKC", text).replace("’", "'").replace("‘", "'")
        text = DOTTED.sub(lambda m: m.group(0).replace(".", ""), text)
        text = SPACED.sub(self.spaced, text)
        text = STAGE_I.sub("stage 1", text)
        text = STAGE.sub(lambda m: "stage " + STAGE_NUMBERS.get(m.group(1).lower(), m.group(1)), text)
        return WORD.sub(lambda m: self.word(m.group(0)), text)

    def spaced(self, match: "re.Match") -> Text:
        """Letters typed apart ("N E D") join up when they are capitals or spell a domain word."""
        joined = match.group(0).replace(" ", "")
        return joined if joined.isupper() or joined.lower() in self.vocabulary else match.group(0)

    def word(self, word: Text) -> Text:
        lower = word.lower()
        american = BRITISH_ENGLISH_SPELLINGS.get(lower)
        if american:
            return american
        if len(lower) < 4 or lower in self.vocabulary or lower in self.english:
            return word
        found = self.speller.lookup(lower, Verbosity.TOP, max_edit_distance=1 if len(lower) < 6 else 2)
        return found[0].term if found else word


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER,
                           DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER], is_trainable=True)
class TextNormaliser(GraphComponent):
    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {}

    def __init__(self, model_storage: ModelStorage, resource: Resource,
                 vocabulary: Optional[Dict[Text, int]] = None) -> None:
        self._model_storage, self._resource = model_storage, resource
        self.normalise = Normaliser(vocabulary or {})

    @classmethod
    def create(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> "TextNormaliser":
        return cls(model_storage, resource)

    @classmethod
    def fingerprint_addon(cls, config: Dict[Text, Any]) -> Optional[Text]:
        # Trained from the content files, which are no input of Rasa's graph: a change to them must
        # retrain this component, not reuse it from Rasa's cache.
        from content.files import content_fingerprint
        return content_fingerprint()

    def train(self, training_data: TrainingData) -> Resource:
        from content.files import load_content  # the vetted passages and titles, as `make content` checks them
        from understanding.spacy_pipeline import load_pipeline

        content = load_content(load_pipeline())
        passages = domain_words(t for a in content.answers.values() if a.status == "approved" for t in (a.title, a.text))
        # Words of the examples that are English, or used often enough not to be one person's typo.
        examples = domain_words(e.get(TEXT) for e in training_data.intent_examples if e.get(TEXT))
        english = english_words()
        vocabulary = {**{w: n for w, n in examples.items() if n >= 3 or w in english}, **passages}
        with self._model_storage.write_to(self._resource) as directory:
            (directory / "vocabulary.json").write_text(json.dumps(vocabulary, sort_keys=True))
        self.normalise = Normaliser(vocabulary)
        return self._resource

    @classmethod
    def load(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
             execution_context: ExecutionContext, **kwargs: Any) -> "TextNormaliser":
        with model_storage.read_from(resource) as directory:
            vocabulary = json.loads((directory / "vocabulary.json").read_text())
        return cls(model_storage, resource, vocabulary)

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        self.process(training_data.training_examples)
        return training_data

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            text = message.get(TEXT)
            if text and not text.startswith("/") and message.get(ORIGINAL_TEXT) is None:
                message.set(ORIGINAL_TEXT, text)
                message.set(TEXT, self.normalise(text))
        return messages
