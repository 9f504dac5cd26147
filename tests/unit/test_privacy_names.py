"""The name finder beside the redaction rules (name_finder.names, trained by name_finder.train_names on
name_finder.name_data's generated messages): it loads, finds names with and without cues in several
languages, keeps capitalised medical and everyday words, and redaction refuses to run without it."""
import pytest

from name_finder import name_data
from name_finder.names import NameFinder, NamesModelMissing
from privacy.redact import RULES_ONLY, Redactor


@pytest.fixture(scope="module")
def finder():
    return NameFinder.load()


@pytest.fixture(scope="module")
def redactor(nlp, finder):
    return Redactor(nlp, names=finder)


def test_the_model_loads_with_its_lexicon(finder):
    assert finder.nlp.pipe_names == ["ner"]
    assert finder.nlp.get_pipe("ner").labels == ("NAME",)
    assert "okafor" in finder.names and "the" in finder.words


def test_redaction_fails_loudly_without_the_model(nlp, tmp_path):
    with pytest.raises(NamesModelMissing, match="make names"):
        Redactor(nlp, names=tmp_path / "no-model-here")
    with pytest.raises(FileNotFoundError):  # NamesModelMissing is a FileNotFoundError
        NameFinder.load(tmp_path)


@pytest.mark.parametrize("text, name", [
    ("I saw Okafor yesterday and he was kind", "Okafor"),
    ("Patel said the scan was stable", "Patel"),
    ("Went with Bartholomew to the infusion center, he was great", "Bartholomew"),
    ("A lovely volunteer named Wilhelmina sat with me during chemo", "Wilhelmina"),
    ("Nakamura wants to switch me to Trodelvy", "Nakamura"),
    ("talked to Ingrid about the scan", "Ingrid"),
    ("i texted magdalena about the scan", "magdalena"),
])
def test_names_with_no_cue(redactor, text, name):
    out = redactor.redact(text)
    assert name not in out and "[NAME]" in out, out


@pytest.mark.parametrize("text, name", [
    ("hola, me llamo Guadalupe Ramírez y tengo cáncer de mama", "Guadalupe Ramírez"),
    ("me llamo lucía fernández", "lucía fernández"),
    ("Bonjour, je m'appelle Sylvie Lefèvre", "Sylvie Lefèvre"),
    ("Olá, meu nome é Joana Carvalho", "Joana Carvalho"),
    ("Hallo, ich heiße Birgit Schäfer", "Birgit Schäfer"),
    ("Ciao, mi chiamo Giulia Bernardi", "Giulia Bernardi"),
    ("nazywam się Agnieszka Wiśniewska", "Agnieszka Wiśniewska"),
    ("mi esposo Rodrigo pregunta si el Xeloda causa diarrea", "Rodrigo"),
    ("my name is siobhan o'connell", "siobhan o'connell"),
    ("My sister Ngozi Adeyemi-Clarke has MBC", "Ngozi Adeyemi-Clarke"),
    ("Dr. Vasquez-Morales put me on Kisqali", "Vasquez-Morales"),
    ("My mother-in-law, Concepción de la Vega, takes tamoxifen", "Concepción de la Vega"),
])
def test_names_after_cues_in_several_languages(redactor, text, name):
    out = redactor.redact(text)
    for part in name.replace("-", " ").split():
        if len(part) > 3:
            assert part not in out, out


@pytest.mark.parametrize("text", [
    "Ibrance, Kisqali or Verzenio? Enhertu later?",
    "letrozole and Faslodex since March",
    "I'm HER2-low, Stage IV, PET-CT on Monday",
    "Christmas at Mayo Clinic was strange",
    "Living Beyond Breast Cancer has a webinar on Thursday",
    "Dana-Farber or Mass General for a second opinion?",
    "Medicare covers Zometa, Medicaid denied the MRI",
    "Thanks so much, Easter with the family was lovely",
    "Verzenio diarrhea is brutal, Imodium barely helps",
    "Hope the scan is ok. Will the hair grow back?",
    "Macmillan and Breast Cancer Now both have helplines",
    "Olá! Bonjour! Hallo! Buenos días, ¿alguien toma Ibrance?",
])
def test_capitalised_ordinary_words_stay(redactor, text):
    assert redactor.redact(text) == text


@pytest.mark.parametrize("text, name", [
    # how people write the word (name_finder.word_case): proper nouns mostly written capitalised
    ("Can Oluwaseun drive me to the scan on Friday?", "Oluwaseun"),
    ("I went to the clinic with Zhenya this morning", "Zhenya"),
    ("we are staying with Radoslava until the stairs get easier", "Radoslava"),
    ("ok so jermaine took the kids to school", "jermaine"),
    ("WILHELMINA DROVE ME TO CHEMO", "WILHELMINA"),
    # cues around a lower-case word that is no English word, or an ordinary first name opening a sentence
    ("pls tell ifeoma the soup was perfect", "ifeoma"),
    ("chidinma says the group meets on tuesday", "chidinma"),
    ("Bill keeps forgetting my evening tablets", "Bill"),
    ("Faith and her husband are minding the kids", "Faith"),
    ("Oyelaran keeps asking if he should take time off", "Oyelaran"),
    # a word before "(my husband)" or ", my youngest"; an ordinary first name after "tell"
    ("ok so rohan (my husband) wants to come in", "rohan"),
    ("Pepper, my youngest, keeps asking about my hair", "Pepper"),
    ("can you tell faith the scan was clear", "faith"),
    ("nurse oyinkan said the port looks fine", "oyinkan"),
    ("Ivy made me soup again, bless her", "Ivy"),
    ("Robin the infusion nurse found my vein first go", "Robin"),
    # a month that is a first name before a person's doing; a word opening a sentence before "my sister"
    ("June drove me to radiotherapy every day", "June"),
    ("Marigold my neighbour walks the dog on chemo weeks", "Marigold"),
    ("Joy came with me to the scan and held my hand", "Joy"),
    ("Patience has been my carer for two years", "Patience"),
    # a message typed in capitals is read in lower case too
    ("PLEASE DONT TELL FOLASADE ABOUT THE SCAN YET", "FOLASADE"),
    # initials, and a name signed after a dash
    ("R.J. is calling the insurance for me", "R.J."),
    ("sorry for all the questions -Mags", "Mags"),
])
def test_names_told_by_how_they_are_written_and_what_surrounds_them(redactor, text, name):
    out = redactor.redact(text)
    assert name not in out and "[NAME]" in out, out


@pytest.mark.parametrize("text", [
    "Hope is what keeps me going. Will it hurt?",
    "Hgb 10.1, Plt 140, ANC 1500",
    "We moved to Leeds from Lagos last year",
    "Pfizer and Novartis both have assistance programs",
    "My dad has Parkinson's and my aunt had Hodgkin lymphoma",
    "Is the E.R. or the G.P. better for a fever?",
    "i dont know if hes coming, thats the thing",
    "tell them, tell people, tell work: ask my oncologist (my doctor) first",
    "Chemo made me so tired. Hope is hard to find some days",
    "April is my favourite month. Yesterday my husband cried. Luckily my sister came",
    "MY SCAN IS ON MONDAY AT MAYO CLINIC AND IBRANCE STARTS IN JUNE",
    "Honestly has been my motto. Chemo wont stop the spread forever",
])
def test_words_that_only_look_like_names_stay(redactor, text):
    assert redactor.redact(text) == text


def test_placeholders_and_institutions_named_after_people_stay(finder, redactor):
    assert finder.spans("my name is [NAME] and [NAME] drives me", held=[(11, 17), (22, 28)]) == []
    text = "I did the Susan G. Komen walk and went to Dana-Farber and Sloan Kettering"
    assert redactor.redact(text) == text


def test_a_message_with_no_candidate_word_skips_the_model(finder):
    assert not finder.worth_running("I had chemo today and feel tired, is that normal?")
    assert finder.worth_running("I saw Okafor today")
    assert not finder.worth_running("Ibrance, HER2, Monday, MRN, DOB")


def test_training_data_are_deterministic_and_labelled():
    a = name_data.generate(seed=3, n_person=60, n_plain=30)
    b = name_data.generate(seed=3, n_person=60, n_plain=30)
    assert a == b
    assert any(spans for _, spans in a) and any(not spans for _, spans in a)
    for text, spans in a:
        for s, e in spans:
            assert text[s:e].strip() == text[s:e] and text[s:e]


def test_rules_only_is_explicit(nlp):
    rules = Redactor(nlp, names=RULES_ONLY)
    assert rules.names is None
    assert "Okafor" in rules.redact("I saw Okafor yesterday")
