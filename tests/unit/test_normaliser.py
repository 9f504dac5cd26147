"""What patients type becomes the words the assistant knows; nothing else is changed."""
import pytest

from understanding.normaliser import Normaliser, domain_words

PASSAGE = ("While metastatic breast cancer is not considered curable, it's possible to experience periods "
           "where tests show no evidence of disease, often called NED. This is called stable disease.")


@pytest.fixture(scope="module")
def normalise():
    return Normaliser({**domain_words([PASSAGE]), "mbc": 3, "ned": 3})


@pytest.mark.parametrize("typed, read", [
    ("How is M.B.C. different", "How is MBC different"),
    ("what does n.e.d. mean", "what does ned mean"),
    ("what is N E D", "what is NED"),
    ("what is n e d", "what is ned"),  # lower-case letters join only into a domain word
    ("stage iv vs stage one", "stage 4 vs stage 1"),
    ("stage4 or Stage IV", "stage 4 or stage 4"),
    ("can stage I become metastatic?", "can stage 1 become metastatic?"),
    ("my tumour and oestrogen levels", "my tumor and estrogen levels"),
    ("is metastic cancer curabel", "is metastatic cancer curable"),
    ("wat is stabel diseas", "wat is stable disease"),
    ("It’s possible", "It's possible"),
])
def test_patients_words_become_the_domains(normalise, typed, read):
    assert normalise(typed) == read


@pytest.mark.parametrize("text", [
    "at this stage I think I need a break",  # "I" the pronoun, not stage 1
    "at this stage I can only hope",
    "u r a bot",                              # single letters that spell no domain word
    "I take letrozole and Ibrance",           # words it does not know are left alone
    "HER2 ER+ BRCA2",
    "what is the weather in Brest",
])
def test_everything_else_is_left_as_typed(normalise, text):
    assert normalise(text) == text


def test_short_words_are_never_respelled(normalise):
    assert normalise("NDE is not NED") == "NDE is not NED"


def test_training_examples_are_normalised_like_messages():
    """Rasa's recipe runs process_training_data only for tokenizers and featurizers: the normaliser must
    be one, or the classifier learns from examples as written while it reads messages normalised."""
    import yaml
    from rasa.engine.recipes.default_recipe import DefaultV1Recipe
    from rasa.shared.data import TrainingType

    import settings
    config = yaml.safe_load((settings.ROOT / "config.yml").read_text())
    schema = DefaultV1Recipe().graph_config_for_recipe(config, {}, training_type=TrainingType.BOTH).train_schema
    names = list(schema.nodes)
    normalising = [n for n, node in schema.nodes.items()
                   if node.uses.__name__ == "TextNormaliser" and node.fn == "process_training_data"]
    tokenizing = [n for n, node in schema.nodes.items() if node.fn == "process_training_data"
                  and node.uses.__name__ == "SpacyTokenizer"]
    assert normalising and tokenizing
    assert names.index(normalising[0]) < names.index(tokenizing[0])  # before the words are read
