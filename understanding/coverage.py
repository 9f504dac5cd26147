""""Not covered" is relative to the library: examples that said so before an article was added are set
aside when the new article answers them.

data/nlu's `ask_uncovered` examples are questions the library did not answer when they were written
(`judged_against` in config.yml lists the articles it held). Once an editor adds an article, some of
them are answered by it ("what are the phases of clinical trials" and a clinical-trials article):
trained on as "not covered", they would teach the classifier to turn the new article's questions
away. At training time each such example is matched against every approved answer of the library
(BM25 over the content lemmas of title, section title and passage, as the answer finder reads them).
It is left out of this training run, and named in the training log for an editor to move or delete in
data/nlu, when the best match is an answer of a new article (one outside `judged_against`) and either
- the example names the new article's subject: a content word of its title that no judged article's
  answer or title has ("trial" for "Clinical trials for metastatic breast cancer"), or
- the answer holds at least `min_overlap` of the example's content words, weighted by how rare each
  word is among the library's answers (a word every answer has, like "cancer", weighs little).

Registered as a message featurizer because Rasa's recipe calls process_training_data only for
tokenizers and featurizers; it changes no message at prediction time.
"""
import logging
from typing import Any, Dict, List, Optional, Text

import numpy as np
from rank_bm25 import BM25Okapi
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import INTENT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from rasa.nlu.constants import TOKENS_NAMES
from rasa.shared.nlu.constants import TEXT
from spacy.lang.en.stop_words import STOP_WORDS

from understanding.answer_finder import content_words

logger = logging.getLogger(__name__)


def lemmas(nlp, text: Text) -> List[Text]:
    # Stop words by their text too: the lookup lemmatizer reads "does" as "doe".
    return content_words([t.lemma_ for t in nlp(text) if t.text.lower() not in STOP_WORDS])


def subject_words(nlp, content, judged: set) -> set:
    """Words of a new article's title that the judged articles never use: what the new article is about."""
    known = {w for a in content.answers.values() if a.article_id in judged for w in lemmas(nlp, f"{a.title} {a.text}")}
    known |= {w for art in content.articles.values() if art.id in judged for w in lemmas(nlp, art.meta["title"])}
    return {w for art in content.articles.values() if art.id not in judged
            for w in lemmas(nlp, art.meta["title"]) if w not in known}


def answer_words(nlp, content) -> Dict[Text, Any]:
    """Approved answers' ids, articles and content lemmas (title, section title, passage)."""
    sections = {(article.id, s["id"]): s["title"] for article in content.articles.values()
                for s in article.meta["sections"]}
    answers = [a for a in content.answers.values() if a.status == "approved"]
    return {"ids": [a.id for a in answers], "articles": [a.article_id for a in answers],
            "words": [content_words([t.lemma_ for t in nlp(f"{a.title} {sections.get((a.article_id, a.section_id), '')} {a.text}")])
                      for a in answers]}


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER], is_trainable=False)
class LibraryCoverage(GraphComponent):
    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {"judged_against": [], "intents": ["ask_uncovered"], "min_overlap": 0.6}

    def __init__(self, config: Dict[Text, Any]) -> None:
        self.config = {**self.get_default_config(), **config}

    @classmethod
    def create(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> "LibraryCoverage":
        return cls(config)

    @classmethod
    def fingerprint_addon(cls, config: Dict[Text, Any]) -> Optional[Text]:
        from content.files import content_fingerprint  # the library it judges against
        return content_fingerprint()

    def answered_by_new_article(self, examples: List[Message]) -> List[Optional[Text]]:
        """For each example, the id of a newly added article's answer that answers it, or None."""
        from content.files import load_content
        from understanding.spacy_pipeline import load_pipeline

        nlp = load_pipeline()
        content = load_content(nlp)
        answers = answer_words(nlp, content)
        judged = set(self.config["judged_against"])
        subject = subject_words(nlp, content, judged)
        new = np.array([article not in judged for article in answers["articles"]])
        if not new.any() or not any(answers["words"]):
            return [None] * len(examples)
        bm25 = BM25Okapi(answers["words"])
        vocabularies = [set(words) for words in answers["words"]]
        n = len(vocabularies)
        rarity = lambda word: np.log((n + 1) / (sum(word in v for v in vocabularies) + 0.5))
        found = []
        for example in examples:
            # Stop words by their text too: the lookup lemmatizer reads "does" as "doe".
            words = content_words([t.lemma or t.text for t in example.get(TOKENS_NAMES[TEXT]) or []
                                   if t.text.lower() not in STOP_WORDS])
            if not words:
                found.append(None)
                continue
            best = int(np.argmax(bm25.get_scores(words)))
            weights = {w: rarity(w) for w in set(words)}
            overlap = sum(weight for w, weight in weights.items() if w in vocabularies[best]) / sum(weights.values())
            answered = new[best] and (subject & set(words) or overlap >= self.config["min_overlap"])
            found.append(answers["ids"][best] if answered else None)
        return found

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        candidates = [m for m in training_data.training_examples
                      if m.get(INTENT) in self.config["intents"]]
        answered = dict(zip(map(id, candidates), self.answered_by_new_article(candidates)))
        left_out = [(m, answered[id(m)]) for m in candidates if answered[id(m)]]
        if not left_out:
            return training_data
        logger.warning(f"{len(left_out)} '{'/'.join(self.config['intents'])}' examples left out of training: an "
                       "article added since they were judged answers them (move or delete them in data/nlu):")
        for message, answer in left_out:
            logger.warning(f"  {message.get('text')!r} -> {answer}")
        dropped = {id(m) for m, _ in left_out}
        return TrainingData(training_examples=[m for m in training_data.training_examples if id(m) not in dropped],
                            entity_synonyms=training_data.entity_synonyms,
                            regex_features=training_data.regex_features,
                            lookup_tables=training_data.lookup_tables,
                            responses=training_data.responses)

    def process(self, messages: List[Message]) -> List[Message]:
        return messages
