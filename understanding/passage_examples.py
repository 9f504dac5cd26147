"""An approved answer with few example questions learns from its own words: its title, its section's
title and each sentence or list item of its passage become training examples of faq/<answer>.

A newly added article's answers have no example questions; the classifier knew them only through the
answer finder's passage scores, which served none of the fixture article's validation questions. With
its passage's own sentences as examples the classifier learns each new answer's vocabulary ("placebo",
"consent", "phase") beside the hand-written examples of the others (measured with `make
eval-library`, docs/content.md). Answers with `below` or more examples get none: their examples say
how people ask. Examples staff accept in the review app add to these as they come.

Registered as a message featurizer because Rasa's recipe calls process_training_data only for
tokenizers and featurizers; it runs before SpacyNLP and the tokenizer, which then read the new
examples like the others. It changes no message at prediction time.
"""
import logging
from typing import Any, Dict, List, Optional, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import INTENT, INTENT_RESPONSE_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

RETRIEVAL_INTENT = "faq"
logger = logging.getLogger(__name__)


def answer_texts(nlp, content) -> Dict[Text, List[Text]]:
    """{answer id: [title, section title, each sentence or list item]} of the approved answers."""
    from content.article import split_answer
    sections = {(article.id, s["id"]): s["title"] for article in content.articles.values()
                for s in article.meta["sections"]}
    return {a.id: list(dict.fromkeys([a.title, sections[(a.article_id, a.section_id)]]
                                     + [text for _, text in split_answer(nlp, a.text)]))
            for a in content.answers.values() if a.status == "approved"}


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER], is_trainable=False)
class PassageExamples(GraphComponent):
    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {"below": 10}

    def __init__(self, config: Dict[Text, Any]) -> None:
        self.config = {**self.get_default_config(), **config}

    @classmethod
    def create(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> "PassageExamples":
        return cls(config)

    @classmethod
    def fingerprint_addon(cls, config: Dict[Text, Any]) -> Optional[Text]:
        from content.files import content_fingerprint  # the passages it adds
        return content_fingerprint()

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        from content.files import load_content
        from understanding.spacy_pipeline import load_pipeline

        nlp = load_pipeline()
        counts: Dict[Text, int] = {}
        for example in training_data.intent_examples:
            key = example.get(INTENT_RESPONSE_KEY) or ""
            if key.startswith(RETRIEVAL_INTENT + "/"):
                counts[key] = counts.get(key, 0) + 1
        added = [Message(data={TEXT: text, INTENT: RETRIEVAL_INTENT, INTENT_RESPONSE_KEY: f"{RETRIEVAL_INTENT}/{answer}"})
                 for answer, texts in answer_texts(nlp, load_content(nlp)).items()
                 if counts.get(f"{RETRIEVAL_INTENT}/{answer}", 0) < self.config["below"] for text in texts]
        if not added:
            return training_data
        answers = sorted({m.get(INTENT_RESPONSE_KEY) for m in added})
        logger.info(f"{len(answers)} answers with fewer than {self.config['below']} examples learn from their "
                    f"passages ({len(added)} examples): {', '.join(answers)}")
        return TrainingData(training_examples=training_data.training_examples + added,
                            entity_synonyms=training_data.entity_synonyms,
                            regex_features=training_data.regex_features,
                            lookup_tables=training_data.lookup_tables,
                            responses=training_data.responses)

    def process(self, messages: List[Message]) -> List[Message]:
        return messages
