"""Redact personal data from patients' messages before staff see them (review app, exports).

    >>> redact("Hi, I'm Jane Doe, DOB 3/14/1972, call me on 555-123-4567")
    "Hi, I'm [NAME], DOB [DATE OF BIRTH], call me on [PHONE]"

Two finders side by side. Rules over the project's pipeline (understanding.spacy_pipeline: blank
English, it only tokenizes): spaCy token patterns (Matcher, PhraseMatcher, token attributes such as
like_email, shape, is_title) plus small rules over the matches, and regular expressions over the text
for what the tokenizer splits unevenly (phone numbers, spelled-out addresses, credentials). And a
statistical name finder (name_finder.names): a spaCy NER trained by the project from blank English on
generated messages with names from Faker (name_finder.name_data, name_finder.train_names; `make names` builds
it into models/spacy/names). Redaction does not run without it: Redactor() raises NamesModelMissing.
Phone numbers in other countries' layouts are checked with phonenumbers (PHONE_REGIONS). Text is only
ever replaced, never added, and what is not personal data is left byte for byte as the patient wrote it.

Placeholders (PLACEHOLDERS):
    [EMAIL]          anything spaCy's like_email accepts, and addresses spelled out: "jane dot doe at
                     gmail dot com", "jane(at)example(dot)org", "j.doe [at] mail.com" (a plain " at "
                     needs a mail provider, a mail word before it, or a dot, digit or _ in the name)
    [URL]            http(s)/ftp/www addresses, bare domains with a common ending ("chemo.it" typed
                     without a space after the full stop is not a URL), and "caringbridge dot org slash jo"
    [PHONE]          read out in words ("five five five oh one four seven"), with an extension;
                     international (+44 20 7946 0958), North American ((555) 123-4567, 555.123.4567),
                     national numbers starting with 0 (07700 900123), and any layout phonenumbers
                     accepts in PHONE_REGIONS ("55 1234 5678", "06 12 34 56 78") when the number is
                     formatted like a phone number or a phone word comes before it ("mi número es ...")
    [ADDRESS]        "123 Main Street, Apt 4, Springfield, IL 62704", "12 Oak Street, Springfield", "PO Box
                     12", "I live on Elm Road", a US state followed by a ZIP code, a UK postcode, a code after
                     "zip"/"postcode"; "Calle Mayor 12, 28013 Madrid", "8 rue des Lilas", "Hauptstraße 5"
    [DATE OF BIRTH]  see "Dates" below
    [NAME]           names people give: after "my name is" (also in lower case: "my name is jane doe")
                     and its equivalents ("me llamo", "je m'appelle", "meu nome é", "ich heiße", "mi
                     chiamo"...); after "I'm"/"I am"/"call me"/"soy"/"je suis", and "this is"/"it's" opening
                     a sentence, only a capitalised word that is not a common or medical word ("I'm Jane",
                     not "I'm Scared", "I am Stage", "I'm HER2", "I'm Christian"); after a relation ("my
                     wife Sarah", "my daughter, Emma", "my husband tom", "mi esposo Juan"), "a nurse called
                     Kelly", a title ("Dr. Smith", "dr okonkwo", "doctor Patel", "Mrs. Jones", "Frau Weber"),
                     a greeting ("Hi Anna") or a sign-off ("Thanks, Anna", "Love, Margit", "- Anna" ending a
                     message); common first names from a built-in list wherever they are capitalised ("I
                     told Sarah Johnson"); @handles and handles after a social network ("my insta is
                     jo_72"); and whatever the name finder marks, with or without a cue ("I saw Okafor
                     yesterday", "Patel said", "talked to magdalena"). Also: after "last name"/"first
                     name"/"surname"; in capitals after a cue ("my mom LUCIA", "DR. ABERNATHY-COLE");
                     a name alone after the last sentence or after a thanking sentence ("... only.
                     Róisín", "thanks for all this, Deb", "-tj"); a listed first name just before a name
                     found ("Grace Achebe"); a lower-case listed name told by the words beside it ("me
                     and marcus are", "tell rashida"). Institutions named after people
                     (Dana-Farber, Susan G. Komen, Marie Curie) stay.
    [RECORD NUMBER]  the number after MRN / medical record / patient ID / NHS number / insurance, member,
                     policy, group, account, card number / SSN / Medicare / passport / DNI ... ; SSN-shaped
                     ddd-dd-dddd; payment cards and IBANs; any run of 6 or more digits (optionally with
                     letters: "RX0048812"), except a clinical-trial id (NCT...), money ($120000) and a count
                     next to a lab word or unit ("platelets 150000")
    [CREDENTIAL]     what follows a password, PIN, passcode, login or verification code, username
                     ("my password for the portal is Sunflower#2023", "PIN is 7731", "contraseña: ...");
                     a PIN or code needs digits, so "pins and needles" and "password reset" stay; and
                     within 80 characters after such a word, with no "is", what looks like a secret
                     (4-8 digits, or letters mixed with digits or symbols): "my password Harbour#44 got
                     locked", "forgot my pin, it was 2580 or 0852"

Dates: a date is redacted only when it is a birth date. That is (1) a date right after a birth word
(born, birthday, birth date, date of birth, DOB, d.o.b., b-day; nací, fecha de nacimiento, né(e),
nascida, geboren, nata...) with at most three filler words
("born on", "DOB:", "my birthday is the"), in any form: "3/14/1972", "14.03.72", "14-03-1972",
"March 14th, 1972", "14 March 1972", "March 1972", and a day and month without a year
("my birthday is March 14"); or (2) the nearest full date (day, month and year) up to six words
after a birth word when only a place comes between ("born in Leeds on 14 March 1972", "born at
St Mary's hospital on ..."), or up to three linking words before one ("3/14/72 is my birthday",
"14.03.72 (DOB)").
Every other date stays, so staff can read "my scan on March 3" or "diagnosed 04/12/2019". A year on
its own stays too ("born in 1972"): it says no more than an age, which stays ("I'm 45"), and HIPAA's
Safe Harbor list keeps years as well.

Redaction is idempotent by construction: `redact` repeats until nothing changes (a second pass rarely
finds anything: a name now next to a placeholder, for example), and no pattern matches a placeholder.
Text longer than the pipeline's max_length is redacted in pieces cut at whitespace.

Limits:
  * names the model was not taught and no rule cues: a rare surname with no cue in an unusual place may
    stay, and lower-case names outside a cue only when they are in Faker's lists (name_finder.names);
  * an unknown capitalised drug or word right after "I'm"/"this is"/a relation is taken for a name
    ("This is Itovebi, a new pill" loses "Itovebi"): over-redaction, not a leak;
  * cities, states and countries on their own stay ("I live in Ohio"), as do street names without a
    number or a "live on" cue, and ZIP codes with no state or "zip" before them;
  * a number split by separators other than a phone's layout needs a keyword ("MRN", "member ID"):
    "1234-5678" on its own stays; "612 345 678" with spaces only needs a phone word before it;
  * every URL goes, public ones too, since a link can carry a name or an account;
  * dates written in words ("the fourteenth of March") and two-digit years after a month ("March '72")
    are not dates here; a birth year on its own stays (see "Dates");
  * English first, with the commonest cues of Spanish, French, Portuguese, German, Italian and Polish;
    other scripts pass through untouched apart from e-mails, URLs and numbers.

Time: the name finder is the dearest part (about 1.5 ms a call on the project's machines); it runs only
when a message has a word that could make a name it would keep (name_finder.names), so most second passes
and many medical messages skip it. The matchers for numbers and for links run only on text with a
digit, or with "@" or ".".

The pipelines are loaded once and the Redactor is built once per process (get_redactor, guarded by a
lock); after that a Redactor is only read, so threads can share it.
"""
import re
import threading
from dataclasses import dataclass
from functools import lru_cache
from typing import Iterable, List, Optional, Sequence, Tuple

import phonenumbers
from spacy.lang.en.stop_words import STOP_WORDS
from spacy.matcher import Matcher, PhraseMatcher
from spacy.tokens import Doc, Token

from privacy import addresses, birth_dates
from name_finder.names import NameFinder, NamesModelMissing  # noqa: F401 (NamesModelMissing: raised by Redactor())

EMAIL, URL, PHONE, ADDRESS, DOB, NAME, RECORD, CREDENTIAL = (
    "EMAIL", "URL", "PHONE", "ADDRESS", "DATE OF BIRTH", "NAME", "RECORD NUMBER", "CREDENTIAL")
PLACEHOLDERS = {label: f"[{label}]" for label in (EMAIL, URL, PHONE, ADDRESS, DOB, NAME, RECORD, CREDENTIAL)}
# When two findings overlap they are merged into one and the more specific label wins.
PRIORITY = {EMAIL: 0, URL: 0, CREDENTIAL: 0, RECORD: 1, DOB: 2, ADDRESS: 3, PHONE: 4, NAME: 5}
# Redactor(nlp, names=RULES_ONLY): the rules without the name finder. Only for building the name
# finder's own training data (name_finder.train_names); redaction itself always loads the model.
RULES_ONLY = "rules only"
MAX_PASSES = 4
PLACEHOLDER_RE = re.compile("|".join(re.escape(p) for p in PLACEHOLDERS.values()))
DIGIT_RE = re.compile(r"\d")
DIGIT_REACH = 14  # tokens between a keyword and its number at most (record keyword + fillers, birth word + place)


@dataclass(frozen=True)
class Redaction:
    """A piece of personal data in a message: characters start..end, and what it is (a PLACEHOLDERS key).
    It holds no text, so a list of them can be logged without leaking what was redacted."""
    start: int
    end: int
    label: str

    @property
    def placeholder(self) -> str:
        return PLACEHOLDERS[self.label]


# --------------------------------------------------------------------------------------------------
# Word lists
# --------------------------------------------------------------------------------------------------

def _words(text: str) -> frozenset:
    return frozenset(text.lower().split())


MONTHS = _words("""january jan jan. february feb feb. march mar mar. april apr apr. may june jun jun. july jul
    jul. august aug aug. september sep sep. sept sept. october oct oct. november nov nov. december dec dec.
    enero febrero marzo abril mayo junio julio agosto septiembre setiembre octubre noviembre diciembre
    janvier février mars avril juin juillet août septembre octobre novembre décembre janeiro fevereiro
    março maio junho julho setembro outubro novembro dezembro januar februar märz juni juli oktober
    dezember gennaio febbraio aprile maggio giugno luglio settembre ottobre dicembre""")
WEEKDAYS = _words("""monday tuesday wednesday thursday friday saturday sunday mon tue tues wed thu thur thurs
    fri sat sun today tomorrow tonight yesterday christmas easter thanksgiving halloween hanukkah diwali
    eid ramadan weekend""")
RELATIONS = _words("""wife husband partner spouse hubby daughter son mother mom mum mommy mummy mama father
    dad daddy papa sister brother sis bro friend bestie boyfriend girlfriend fiance fiancé fiancee fiancée
    aunt auntie aunty uncle niece nephew cousin grandson granddaughter grandmother grandma granny nana
    grandfather grandpa grandad granddad grandchild grandkid stepdaughter stepson stepmom stepmum stepdad
    neighbor neighbour caregiver carer oncologist surgeon navigator therapist counselor counsellor gp pcp
    physician radiologist pharmacist chaplain worker coworker colleague boss kids children sons daughters
    grandkids grandchildren sisters brothers friends parents law esposo esposa marido hija hijo hermana
    hermano mamá papá abuela nieta femme fille fils sœur soeur frère filha filho irmã irmão tochter sohn
    schwester bruder ehemann marito moglie figlia figlio sorella fratello mąż żona córka syn siostra
    missus hun ammi ammu abbu abba bhabhi didi bhaiya nani dadi eomma umma appa oppa unni tita tito lola lolo
    ate kuya abuelo tía tia tío tio mami nonna nonno oma opa babcia dziadek yiayia teta""")
# Capitalised words that follow "I'm", "this is", "Thanks," ... without being a name.
NOT_NAMES = _words("""
    scared afraid terrified frightened tired exhausted worried anxious nervous sad angry mad upset
    depressed lonely confused lost overwhelmed frustrated fine ok okay good great well better worse
    sick ill unwell sorry glad happy grateful thankful hopeful hopeless ready done here back home alone
    new newly just still not so very really currently now also always never only about almost due
    going getting having doing feeling trying starting taking on off in at out up down
    stage triple positive negative metastatic hormone estrogen oestrogen postmenopausal premenopausal
    menopausal perimenopausal married single divorced widowed retired unemployed disabled pregnant
    diabetic allergic terminal stable ned cancer breast living alive dying struggling curious wondering
    interested considering thinking looking waiting hoping planning patient caregiver survivor thriver
    male female woman man lady girl guy young old older younger first second third fourth fifth
    one two three four five six seven eight nine ten eleven twelve twenty thirty forty fifty sixty
    seventy eighty ninety hundred
    american british english canadian australian irish scottish welsh indian chinese mexican african
    asian black white hispanic latina latino jewish christian catholic muslim hindu buddhist atheist
    team everyone everybody all guys there folks again you u sir madam maam ma'am doc hospital clinic
    center centre appointment office visit morning evening afternoon night week month year day
    hard scary crazy ridiculous insane terrible awful horrible frustrating overwhelming important
    urgent normal it what why how too for from regarding re helpful useful amazing wonderful awesome
    true false right wrong bad hell chemo radiation surgery exhausting tough difficult unfair
    sure certain glad lucky blessed fortunate strong weak fighting hanging coping managing surviving
    worried unsure uncertain unclear aware concerned desperate devastated shocked numb broken
    hi hello hey dear thanks thank thx cheers best regards love sincerely warmly hugs blessings
    yes no yeah yep nope please help question questions anyone someone nobody somebody
    god lord goodness heaven heavens practitioner specialist manager coordinator educator assistant
    technician aide practice
    mr mrs ms miss dr doctor nurse professor prof sister brother mother father the a an my our your
    his her their this that these those i me we he she they
    """) | RELATIONS | MONTHS | WEEKDAYS
# Treatments, tests and terms a patient may capitalise; never a name.
MEDICAL = _words("""
    her2 er pr brca brca1 brca2 palb2 pik3ca esr1 tnbc mbc idc ilc dcis ki-67 ki67 ca oncotype mammaprint
    ibrance palbociclib kisqali ribociclib verzenio abemaciclib herceptin trastuzumab enhertu trodelvy
    faslodex fulvestrant letrozole femara anastrozole arimidex exemestane aromasin tamoxifen xeloda
    capecitabine taxol paclitaxel docetaxel taxotere abraxane perjeta pertuzumab phesgo kadcyla nerlynx
    neratinib tukysa tucatinib piqray alpelisib lynparza olaparib talzenna talazoparib halaven eribulin
    zometa xgeva denosumab prolia orserdu elacestrant truqap capivasertib keytruda pembrolizumab
    afinitor everolimus gemzar gemcitabine carboplatin cisplatin doxorubicin adriamycin cytoxan
    cyclophosphamide zoladex goserelin lupron leuprolide neulasta zofran ativan decadron dexamethasone
    pet ct mri scan scans biopsy mastectomy lumpectomy port infusion oncology lymphedema neuropathy
    contin oxycontin morphine oxycodone gabapentin lyrica
    """)
ACRONYMS = _words("ned er pr her her2 brca tnbc mbc idc ilc dcis ct mri pet ok usa uk nhs gp pcp icu")
# Common first names (title case, matched wherever they appear capitalised). Names that are also
# ordinary words (Grace, Hope, May, Will, Mark, Rose, Bill...) or places (Jordan, Georgia, Austin) are
# left out: they are only redacted after a trigger such as "my name is" or "my daughter".
FIRST_NAMES = frozenset("""
    Aaliyah Abigail Adriana Agnes Aisha Alejandra Alexandra Alice Alicia Alison Allison Amanda Amelia Amy
    Ana Andrea Angela Angelica Anita Ann Anna Anne Annette Antoinette Ashley Audrey Barbara Beatrice
    Becky Belinda Bernadette Beth Bethany Betty Beverly Bonnie Brenda Brittany Caitlin Camila Carla Carmen
    Carol Carole Caroline Carolyn Catherine Cathy Cecilia Charlene Charlotte Cheryl Christina Christine
    Cindy Claire Claudia Colleen Connie Courtney Cynthia Dana Danielle Darlene Debbie Deborah Debra
    Denise Diana Diane Donna Doris Dorothy Eileen Elaine Eleanor Elena Elizabeth Ellen Emily Emma Erica
    Erin Esther Eva Evelyn Fatima Fiona Gabriela Gabrielle Gail Gina Gloria Gwen Hannah Heather Heidi
    Helen Isabel Isabella Jacqueline Jane Janet Janice Jasmine Jean Jeanne Jennifer Jenny Jessica Jill
    Joan Joanna Joanne Josephine Joyce Judith Judy Julia Julie Karen Kate Katherine Kathleen Kathryn
    Kathy Katie Keisha Kelly Kimberly Kristen Laura Lauren Leah Linda Lisa Lois Lorraine Louise Lucia
    Lucy Lynn Margaret Maria Mariana Marie Marilyn Marisol Martha Mary Megan Mei Melanie Melissa Michelle
    Mildred Miriam Molly Monica Nancy Natalie Nicole Nina Norma Olivia Pamela Patricia Paula Peggy Priya
    Rachel Rebecca Regina Renee Rita Roberta Rosa Rosemary Ruth Sabrina Samantha Sandra Sara Sarah
    Sharon Sheila Shirley Sofia Sophia Sophie Stephanie Susan Suzanne Sylvia Tamara Tammy Tanya Teresa
    Theresa Tiffany Tina Tracy Valentina Valerie Vanessa Veronica Vicki Victoria Wanda Wendy Yolanda
    Yvonne Zoe
    Aaron Adam Ahmed Alan Albert Alex Alexander Andrew Anthony Arthur Benjamin Bob Brian Bruce Bryan Carl
    Carlos Charles Chris Christopher Craig Daniel Dave David Dennis Donald Douglas Edward Elijah Eric
    Ethan Eugene Gary George Gerald Greg Gregory Harold Henry Howard Jacob James Jason Jeff Jeffrey
    Jeremy Jerry Jim Joe John Jonathan Jose Joseph Joshua Juan Justin Keith Kenneth Kevin Larry
    Lawrence Liam Louis Lucas Luis Matt Matthew Michael Mike Mohammed Muhammad Nathan Nicholas Noah
    Oliver Omar Patrick Paul Peter Philip Raj Ralph Raymond Richard Robert Roger Ronald Roy Russell Ryan
    Samuel Scott Sean Stephen Steve Steven Thomas Timothy Tom Tony Tyler Walter Wayne Wei William Zachary
""".split())
FIRST_NAMES_LOWER = frozenset(n.lower() for n in FIRST_NAMES)
# Lower-case words after "dr" or "my name is" that are not names ("my dr appt").
LOWER_NOT_NAMES = _words("""appt note report portal staff receptionist letter results result orders
    recommended wants thinks gave told says put wrote ordered suggested mentioned spelled spelt""")
# Institutions and charities named after people: never redacted as names.
KEEP_PHRASES = (
    "Dana-Farber", "Dana Farber", "MD Anderson", "M.D. Anderson", "Sloan Kettering", "Sloan-Kettering",
    "Johns Hopkins", "Mayo Clinic", "Susan G. Komen", "Susan G Komen", "Komen", "Cedars-Sinai",
    "Mount Sinai", "Fred Hutch", "Fred Hutchinson", "Marie Curie", "Sarah Cannon", "Roswell Park",
    "Fox Chase", "Huntsman", "Moffitt", "Royal Marsden", "The Christie", "Macmillan", "City of Hope",
    "Ruth Strauss", "Mary Crowley", "Karmanos", "Siteman", "Lombardi", "Winship",
)
TITLES_ABBR = _words("dr dr. mr mr. mrs mrs. ms ms. mx mx. prof prof. rev rev.")
TITLES_WORD = _words("""doctor nurse professor reverend doctora doctor docteur docteure doutor doutora dottore
    dottoressa dottor señora señor sra sra. sr sr. dra dra. frau herr madame mme mme. monsieur signora signor
    pani pan""")
SIGN_OFFS = _words("""thanks thank thx ty cheers best regards love sincerely xoxo xx warmly hugs blessings
    gracias merci danke grazie obrigado obrigada dziękuję dzięki bedankt saludos atentamente abrazos besos bisous
    cordialement shukriya dhanyavaad""")
PEOPLE = RELATIONS | _words("""nurse doctor woman man lady girl boy guy gentleman person someone somebody
    patient she he i 'm me they who youngest oldest eldest middle baby child kid twin twins""")
# A lower-case name with no cue, told by the words beside it: "me and marcus are driving", "kevin in hr
# asks", "tell rashida". Only words from the name finder's lists that are no frequent English word.
PERSON_AFTER = _words("is was has had said says told asked made took read wants keeps thinks and n r just from texted called drove")
PERSON_BEFORE = _words("tell ask asked asking with and told thank thanks hey hi n")
# Where even a lower-case word that is in no list but is no English word either is a name: "tell nkem",
# "asking kev", "nkechi says hi". Not after "and" or before "is": "tmrw is", "and tbh".
PERSON_BEFORE_STRONG = _words("tell ask asked asking told thank thanks hey hi")
PERSON_AFTER_STRONG = _words("said says told asked texted called drove took keeps wants thinks")
# Family and the people around a patient, as words after "my" or "the".
_KIN = (r"neighbou?r|carer|caregiver|granddaughter|grandson|daughter|son|sister|brother|friend|wife|husband"
        r"|partner|niece|nephew|cousin|aunt|uncle|mum|mom")
# A first name that is an ordinary word too (Hope, Will, Faith, Bill, Summer) opening a sentence is a
# name when a person's doing follows: "Faith and her husband are", "Bill keeps forgetting", "Honey, my
# youngest", "Joy from the infusion suite". ("Faith keeps me going" loses a word: over-redaction.)
PERSON_DOING_RE = re.compile(
    r"\s*(?:(?:and|n|&)\s+(?:(?:i|me|my|her|his|their)\b|\[NAME\])|,\s*(?:my|our|her|his)\b|\s*\((?:my|our|her|his)\b"
    r"|\s+(?:keeps|kept|drove|drives|took|says|said|asked|asks|told|tells|wants|wanted|rang|called|texted|brought"
    r"|brings|handles|handled|remembered|painted|visited|helped|helps|cooked|picked|dropped|went|is\s+my|is\s+our"
    r"|came\s+with|comes\s+with|sat\s+with|sits\s+with|stayed\s+with|is\s+home|['’]s\s+been\s+\w+ing"
    r"|has\s+been\s+(?:my|our|her|his)|wo?n['’]?t\s+(?:talk|listen|eat|let|stop|come|go)|doesn['’]?t\s+(?:talk|know|want)"
    r"|made\s+(?:me|us)|makes\s+(?:me|us)|is\s+doing|has\s+been\s+so|is\s+going\s+to|is\s+coming|has\s+been\s+\w+ing"
    r"|just\s+(?:told|said|called|texted)|from\s+(?:the|church|work|next\s+door)|at\s+the\s+(?:pharmacy|clinic|front\s+desk|office)"
    rf"|(?:the|my|our)\s+(?:\w+\s+)?(?:nurse|doctor|oncologist|{_KIN}))\b)",
    re.IGNORECASE)
# Month names that are first names too ("April asked if she can come", "June drove me"): names only
# before a person's doing that no month does.
MONTH_FIRST_NAMES = _words("april may june august")
MONTH_NAME_DOING_RE = re.compile(r"\s+(?:asked|drove|took|said|says|told|texted|called|rang|brought|visited|helped"
                                 r"|cooked|came\s+with|sat\s+with|stayed\s+with)\b", re.IGNORECASE)
# A capitalised word opening a sentence right before "my neighbour", with no comma: "Sunny my neighbour
# walks the dog", "Precious my daughter". Not an adverb: "Yesterday my husband", "Luckily my sister".
RELATION_AFTER_RE = re.compile(rf"\s+(?:my|our)\s+(?:\w+\s+)?(?:{_KIN}|auntie|mother|father|dad)\b", re.IGNORECASE)
NOT_BEFORE_RELATION = _words("""today yesterday tonight tomorrow now then sometimes recently lately finally also
    so but and or because when after before since once still even only just maybe perhaps plus anyway meanwhile
    honestly actually basically thankfully hopefully unfortunately sadly apparently obviously""")
# Initials written with full stops ("J.P.", "A.J.") are a name unless they spell a common abbreviation.
DOTTED_INITIALS_RE = re.compile(r"^[A-Z]\.[A-Z]\.$")
DOTTED_ABBREVIATIONS = _words("""us uk am pm dc ny la md rn np pa ps iv er ed eu ok tv gp ct pt ot ms ac tc do so bc
    eg ie nb hr ob uv ri nj nc sc nh nz vs jr sr ii ma ba bs rx dr mr""")
HYPHEN_SUFFIXES = _words("like based led free type style ish ward wards esque ers er")
GREETINGS = _words("hi hello hey dear hiya heya yo howdy morning hola olá ola oi bonjour salut ciao namaste")
PARTICLES = _words("van von de der den da di del della dela delos dos das la le du st. bin ibn al")
NAME_CONNECTORS = {"-", "'", "’"}

STREET_SUFFIXES = _words("""street st st. avenue ave ave. av road rd rd. boulevard blvd blvd. lane ln ln.
    drive dr dr. court ct ct. place pl pl. way terrace ter circle cir parkway pkwy highway hwy close
    crescent cres square sq trail trl row mews gardens grove plaza alley loop pike""")
# With a lower-case street name ("12 main street") only these suffixes count: "3 cycles way too much".
PLAIN_STREET_SUFFIXES = _words("street st st. avenue ave ave. road rd rd. boulevard blvd blvd. ln ln. lane drive pkwy hwy highway parkway")
NOT_STREET_WORDS = _words("""minutes minute mins hours hour hrs days day weeks week months month years year
    miles mile km blocks block cycles cycle rounds round doses dose times steps cm mm mg kg lbs pounds
    kids children people more other different long short hour's""")
DIRECTIONS = _words("n s e w n. s. e. w. ne nw se sw north south east west")
UNIT_WORDS = _words("apt apt. apartment unit suite ste ste. flat floor fl fl. room rm bldg building #")
US_STATES = frozenset("""AL AK AZ AR CA CO CT DE DC FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO MT NE
    NV NH NJ NM NY NC ND OH OK OR PA RI SC SD TN TX UT VT VA WA WV WI WY PR""".split())
# Canadian provinces and Australian states: after a town in an address only ("Halifax, NS B3H 1A1").
STATES_ABROAD = frozenset("AB BC MB NB NL NS NT NU ON PE QC SK YT NSW VIC QLD WA SA TAS ACT".split())
CA_POSTCODE_RE = re.compile(r"^[A-Z]\d[A-Z]$")
US_STATE_NAMES = _words("""alabama alaska arizona arkansas california colorado connecticut delaware florida
    georgia hawaii idaho illinois indiana iowa kansas kentucky louisiana maine maryland massachusetts
    michigan minnesota mississippi missouri montana nebraska nevada ohio oklahoma oregon pennsylvania
    tennessee texas utah vermont virginia washington wisconsin wyoming""")

RECORD_TRIGGERS = [
    ["mrn"], ["medical", "record"], ["record", "number"], ["record", "no"], ["record", "no."], ["record", "#"],
    ["patient", "id"], ["patient", "number"], ["patient", "no"], ["patient", "#"], ["hospital", "number"],
    ["hospital", "no"], ["hospital", "id"], ["nhs"], ["chi", "number"], ["insurance", "number"],
    ["insurance", "id"], ["insurance", "no"], ["member", "id"], ["member", "number"], ["member", "no"],
    ["member", "#"], ["policy", "number"], ["policy", "no"], ["policy", "no."], ["policy", "#"],
    ["group", "number"], ["group", "no"], ["group", "#"], ["subscriber", "id"], ["ssn"], ["social", "security"],
    ["medicare"], ["medicaid"], ["mbi"], ["id", "number"], ["id", "no"], ["id", "#"], ["my", "id"],
    ["account", "number"], ["account", "no"], ["case", "number"], ["claim", "number"], ["health", "card"],
    ["national", "insurance"], ["ni", "number"], ["sin", "number"], ["passport", "number"],
    ["license", "number"], ["licence", "number"], ["reference", "number"], ["ref", "number"], ["ref", "no"],
    ["account"], ["acct"], ["card", "number"], ["card", "no"], ["credit", "card"], ["debit", "card"], ["iban"],
    ["routing", "number"], ["sort", "code"], ["customer", "number"], ["customer", "id"], ["client", "number"],
    ["confirmation", "number"], ["booking", "number"], ["order", "number"], ["tracking", "number"],
    ["prescription", "number"], ["rx", "number"], ["rx", "#"], ["member"], ["membership", "number"],
    ["beneficiary", "id"], ["plan", "id"], ["employee", "id"], ["study", "id"], ["participant", "id"],
    ["driver", "'s", "license"], ["drivers", "license"], ["passport"], ["chi"], ["ihi"], ["dni"], ["nie"],
    ["curp"], ["rfc"], ["cpf"], ["nss"], ["pesel"], ["codice", "fiscale"], ["tessera", "sanitaria"],
    ["tarjeta", "sanitaria"], ["carte", "vitale"], ["versichertennummer"], ["sécurité", "sociale"],
    ["ref"], ["reference"], ["claim"], ["id"], ["group", ":"], ["plate"], ["registration"], ["chart", "number"], ["chart", "no"], ["chart", "#"], ["sin"],
    ["aadhaar"], ["aadhar"], ["uhid"], ["ohip"], ["medi-cal"], ["tricare"],
    ["screening", "#"], ["screening", "number"], ["screening", "id"], ["subject", "id"], ["subject", "number"],
    ["enrollment", "number"], ["enrolment", "number"],
    ["case", "no"], ["case", "no."], ["case", "#"], ["phn"], ["bsn"], ["nric"], ["personnummer"], ["accession"],
    ["request", "number"], ["licence"], ["license"], ["group", "is"], ["subscriber", "number"],
    ["expediente"], ["historia", "clínica"], ["dossier"], ["prontuário"], ["cartão", "sus"],
    ["imss"], ["issste"], ["afiliación"], ["afiliacion"], ["nhi"], ["medicare", "number"],
]
RECORD_FILLERS = _words(": # . is was = - no no. number num nr of 's it its it's ending ends last digits card de es est ist è é n° nº número numero numéro")
PHONE_TRIGGERS = _words("call phone cell mobile tel telephone text reach number whatsapp landline")
# Before a number that only phonenumbers recognises: "llámame al 612 345 678", "mon portable 06 12 34 56 78".
PHONE_CUE_RE = re.compile(r"\b(?:(?:call|phone|cell|mobile|tel|telephone|text|reach|number|whatsapp|landline|contact|"
                          r"ring|fax|handy|telefon|nummer|numer)\b|m[oó]vil|celular|tel[eé]fono|n[uú]mero|ll[aá]m|"
                          r"portable|num[eé]ro|appel|anruf|cellulare|chiam|telem[oó]vel|ligue|liga\b|zadzwo|kom[oó]rk)",
                          re.IGNORECASE)
NUMBER_WORD_RE = re.compile(r"n[uú]m|numer", re.IGNORECASE)
RECORD_WORD_RE = re.compile(r"\b(?:claim|member|account|policy|case|reference|ref|record|id|patient|insurance|card|order|"
                            r"confirmation|tracking|nhs|ssn|medicare|medicaid|group|prescription|rx|hospital)\W+"
                            r"(?:\w+\W+){0,1}n[uú]m", re.IGNORECASE)
PHONE_REGIONS = ("US", "GB", "ES", "MX", "FR", "DE", "IT", "BR", "CA", "AU", "IE", "PT", "PL", "NL", "IN")
# "platelets 150000", "150000 cells/ul": a count is named before it and has its unit after it.
LAB_NAMES = _words("""platelet platelets plt plts count counts wbc rbc anc neutrophil neutrophils lymphocytes
    lymphs steps""")
LAB_UNITS = _words("cells units iu steps ul mcl µl mm3 copies mg mcg ml / per k")
MONEY = _words("$ £ € usd dollars pounds euros bucks")
BIRTH_FILLERS = _words(": - = is was on in the of 's it its it's , date at el le am em il en de del du di dia día")
# Words between a birth word and a date after it: "born in Leeds on", "born at St Mary's hospital on".
BIRTH_AFTER = _words("in at on the a an 's hospital home was were is :")
# Words between a date and the birth word after it: "3/14/72 is my birthday", "14.03.72 (DOB)".
BIRTH_BEFORE = _words("is was my her his their ( ) - : = , the date of")

DAY_RE = r"^(?:0?[1-9]|[12]\d|3[01])(?:st|nd|rd|th)?$"
YEAR_RE = r"^(?:19|20)\d\d$"
NUMERIC_DATE_RE = r"^\d{1,4}[./]\d{1,2}[./]\d{2,4}$"
NUMERIC_DM_RE = r"^(?:0?[1-9]|[12]\d|3[01])[./](?:0?[1-9]|[12]\d|3[01])$"
URL_RE = re.compile(
    r"^(?:(?:https?|ftp)://\S+|www\.\S+|[\w-]+(?:\.[\w-]+)*\.(?:com|org|net|gov|edu|io|info|biz|co|uk|ca|au|"
    r"health|care|ly|gl|app|page|link|site|online|de|fr|es|nl|mx|br|pl|pt|ie|nz|eu|ch|tv|blog)(?:[/?#]\S*)?)$",
    re.IGNORECASE)
POSTCODE_OUT_RE = r"^(?:GIR|[A-Z]{1,2}\d[A-Z\d]?)$"
POSTCODE_IN_RE = r"^\d[ABD-HJLNP-UW-Z]{2}$"
LONG_NUMBER_RE = re.compile(r"^[A-Za-z]{0,3}\d{6,}[A-Za-z]{0,2}$|^(?=(?:[A-Za-z-]*\d){6})[A-Za-z0-9-]{7,24}$")
TRIAL_ID_RE = re.compile(r"^NCT\d{8}$", re.IGNORECASE)
# A word of letters and digits in groups ("D1284-55310-72819", "S6104473J"): see _id_shaped.
ID_SHAPE_RE = re.compile(r"(?<![\w/.#@:-])(?=[A-Za-z0-9/.-]*\d)[A-Za-z0-9]+(?:[-/.][A-Za-z0-9]+)*(?![\w/@-]|\.\w)")
DECIMAL_RE = re.compile(r"^\d+\.\d+$")
NAME_SHAPE_RE = re.compile(r"^[^\W\d_]+(?:['’][^\W\d_]+)?$")
INITIAL_RE = re.compile(r"^[A-Z]\.?$")

# E-mail addresses spelled out to dodge spam bots: "jane dot doe at gmail dot com", "jane(at)example(dot)org",
# "j.doe [at] mail.com". A bracketed "at" is enough; a plain " at " needs a mail provider after it, a
# mail word shortly before, or a name before it that looks like an address (with a dot, digit or _).
_MAIL_HOSTS = ("gmail googlemail yahoo hotmail outlook live icloud me aol msn proton protonmail comcast "
               "btinternet gmx web orange free wanadoo libero terra uol bol wp onet interia o2").split()
_DOT = r"(?:\.|\s*(?:\(dot\)|\[dot\]|\{dot\}|<dot>)\s*|\s+(?:dot|punto|ponto|point|kropka)\s+)"
# Inside the name part of a spelled-out address: "josie underscore kamara", "ana guion bajo ruiz".
_JOIN = rf"(?:{_DOT}|_|-|\s+(?:underscore|under\s?score|dash|hyphen|guion\s+bajo|guión\s+bajo|tiret\s+bas)\s+)"
_TLD = (r"(?:com|org|net|edu|gov|info|biz|io|co|uk|us|ca|au|nz|ie|de|fr|es|it|mx|br|pt|pl|nl|be|ch|at|se|no|dk|fi|eu|me|in"
        r"|cz|sk|hu|ro|bg|gr|tr|ru|ua|za|ng|ke|gh|jp|kr|cn|tw|hk|sg|ph|th|vn|ar|cl|pe|il|ae|sa|pk|bd|lk|is|lt|lv|ee|si|hr|rs)")
SPELLED_EMAIL_RE = re.compile(
    rf"(?<![\w.+-])(?P<local>[\w+-]+(?:{_JOIN}[\w+-]+)*?)(?P<at>\s*(?:\(at\)|\[at\]|\{{at\}}|<at>|\(@\)|\[@\])\s*|"
    rf"\s+@\s+|\s+(?:at|arroba|arobase)\s+)(?P<domain>[\w-]+(?:{_DOT}[\w-]+)*?{_DOT}{_TLD})(?![\w-]|{_DOT}\w)", re.IGNORECASE)
# "j.doe@company" (no ending), "janedoe62 at gmail" (a provider, no ending).
LOOSE_EMAIL_RE = re.compile(
    r"(?<![\w.+-])[\w.+-]*[^\W\d_][\w.+-]*@[^\W\d_][\w-]*(?:\.[\w-]+)*|(?<![\w.+-])[\w.+-]+(?:\s*(?:@|\(at\)|\[at\])\s*|"
    r"\s+at\s+)(?:gmail|googlemail|yahoo|hotmail|outlook|icloud|aol|protonmail|gmx)\b", re.IGNORECASE)
# An apartment by its number, even with no street beside it ("buzz apt 12C"): a hospital's "unit 3" or
# "room 12" is no home, so only apartment words.
APARTMENT_RE = re.compile(r"\b(?:apt\.?|apartment)\s*(?:no\.?|#)?\s*\d+[A-Za-z]?\b"
                          r"(?!\s*(?:floors?|stor(?:e)?ys?|blocks?|minutes?|mins?|bed(?:room)?s?|rooms?|doors?|times?))",
                          re.IGNORECASE)
# A domain with a path, whatever its ending: "linktr.ee/metsmama", "youtube.com/@jo" (split by the tokenizer).
URL_PATH_RE = re.compile(r"(?<![\w@.-])(?:https?://)?[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[a-z]{2,6}/[^\s]*[\w/]")
MAIL_CUE_RE = re.compile(r"(?:e-?mail|mail|correo|courriel|write|message|contact)\W*(?:\w+\W+){0,4}$", re.IGNORECASE)
# A web address with its dots spelled out: "caringbridge dot org slash janedoe", "www dot myblog dot com".
SPELLED_URL_RE = re.compile(
    rf"(?<![\w.@-])(?P<host>[\w-]+)(?:\s+dot\s+[\w-]+)*\s+dot\s+{_TLD}\b(?:\s*(?:/|\bslash\b)\s*[\w.-]+)*", re.IGNORECASE)
# Credentials: "my password is hunter2", "PIN: 4821", "the login code was 482913", "username jdoe72".
CREDENTIAL_RE = re.compile(
    r"\b(?P<cue>pass\s?words?|pass(?=\s*:)|passwd|pwd|pw|pass\s?code|pass\s?phrase|(?:security|secret)\s+(?:question|answer)s?|"
    r"(?<!zip )(?<!postal )(?<!post )(?<!area )(?<!country )(?<!billing )(?<!icd )(?<!cpt )(?<!dress )(?<!promo )"
    r"(?<!discount )(?<!bar )(?<!qr )(?<!source )code|pin(?:\s?(?:number|code|no\.?|#))?|"
    r"(?:log-?in|sign-?in|verification|security|access|one-?time|2fa|two-factor|auth(?:entication)?|otp)\s+"
    r"(?:code|pin|password|passcode|number)|otp|user\s?(?:name|id)|log-?in(?:\s+(?:name|id))?|contraseña|clave|"
    r"mot\s+de\s+passe|code\s+pin|senha|passwort|kennwort|benutzername|has[lł]o)\b"
    r"(?P<link>(?:\s+[\w'’-]+){1,7}?\s*(?:\b(?:is|was|are)\b|[:=])\s*|"
    r"\s*(?:is|was|are|=|:|-|es|est|é|ist|è|to)?\s*[:=]?\s*)(?P<value>[\"'“‘][^\"'”’\n]{1,60}[\"'”’]|\S+)", re.IGNORECASE)
# Phone numbers in any country's layout, for phonenumbers to check: "55 1234 5678", "06 12 34 56 78".
PHONE_CANDIDATE_RE = re.compile(r"(?<![\w+/.\-])(?:(?:\+|00)\s?)?(?:\(\d{1,4}\)\s?)?\d[\d \-.\u00a0()]{5,20}\d(?![\w/]|[.\-]\d)")
DATE_LIKE_RE = re.compile(r"^\d{1,4}[./-]\d{1,2}[./-]\d{2,4}$|^(?:19|20)\d\d\s?[-–]\s?(?:19|20)\d\d$")
# Social media handles without an @: "my insta is pinkwarrior_72", "TikTok: jane.doe.mbc".
SOCIAL_RE = re.compile(r"\b(?:instagram|insta|ig|facebook|fb|twitter|tiktok|snapchat|snap|threads|bluesky|linkedin|"
                       r"youtube|handle|username|user\s?name)\b(?:\s+(?:handle|name|account|page|is|as))*(?:\s*[:=-]\s*|\s+)"
                       r"(?P<value>@?[\w.]*[\d_.][\w.]*\w|@\w+)", re.IGNORECASE)
# "my instagram is janedoe": a handle with no digit, kept when it is no English word (name_finder.names' list).
SOCIAL_PLAIN_RE = re.compile(r"\b(?:instagram|insta|ig|facebook|fb|twitter|tiktok|snapchat|threads|bluesky|youtube|"
                             r"handle|username|user\s?name)\b(?:\s+(?:handle|name|account|page|channel))?"
                             r"\s*(?:is|:|=)\s*@?(?P<value>[^\W\d_][\w.]{3,29})\b", re.IGNORECASE)
# A secret a few words after the word for it, with no "is" between: "my password Peaches#1983x got locked",
# "forgot my pin again, it was either 2580 or 0852", "security question, I set it as Ebonyi1990". Only
# what looks like a secret (SECRET_SHAPE_RE) within SECRET_REACH characters; medical codes and amounts stay.
SECRET_CUE_RE = re.compile(
    r"\b(?:pass\s?words?|passwd|pwd|pass\s?codes?|pins?(?:\s?(?:number|code))?|(?:security|secret)\s+(?:question|answer)s?|"
    r"(?:log-?in|sign-?in|access|verification|portal|activation|one-?time)\s+codes?|code\s+pin|contraseña|clave|senha|"
    r"log-?ins?|user\s?(?:name|id)|"
    r"passwort|kennwort|has[lł]o|mot\s+de\s+passe)\b", re.IGNORECASE)
SECRET_REACH = 80
SECRET_SHAPE_RE = re.compile(r"^(?:\d{4,8}|(?=.*\d)(?=.*[^\W\d_])[\w#!$%&*^~+=@-]{5,40}|"
                             r"(?=.*[#!$%&*^~+=])(?=.*[\w])[\w#!$%&*^~+=@-]{5,40})$")
NOT_SECRET_RE = re.compile(r"^\d+(?:mg|mcg|ml|am|pm|st|nd|rd|th|x|k|kg|lbs?|h|hrs?|mins?|days?|wks?|cm|mm|%)$|"
                           r"her-?2|brca|ki-?67|cdk|pd-?l1|esr1|pik3|covid|^ca-?\d|^nct\d", re.IGNORECASE)
# A phone number read out in words: "five five five oh one four seven", "zero seven nine double one...".
_SPOKEN = r"(?:zero|oh|one|two|three|four|five|six|seven|eight|nine|double|triple)"
SPOKEN_NUMBER_RE = re.compile(rf"\b{_SPOKEN}(?:[\s,.-]+{_SPOKEN}){{6,}}\b", re.IGNORECASE)
# What CREDENTIAL_RE and the social expressions need somewhere in the (lower-case) text before they run.
CREDENTIAL_HINT_RE = re.compile(r"pass|pw|pin|code|otp|user|log|sign|contrase|clave|senha|wort|has[lł]o|security|secret")
SOCIAL_HINT_RE = re.compile(r"insta|ig|fb|facebook|twitter|tiktok|snap|threads|bluesky|linkedin|youtube|handle|user")
# Payment cards (four groups of four, Amex's 4-6-5) and IBANs ("GB29 NWBK 6016 1331 9268 19").
CARD_RE = re.compile(r"(?<![\w-])(?:\d{4}[ -]){3}\d{1,7}(?![\w-])|(?<![\w-])\d{4}[ -]\d{6}[ -]\d{5}(?![\w-])")
IBAN_RE = re.compile(r"(?<!\w)[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,3})?(?!\w)")
# Street addresses written the continental way: "Calle Mayor 12, 28013 Madrid", "Rua Augusta, 1500",
# "12 rue de la Paix, 75002 Paris", "Hauptstraße 5", "ul. Marszałkowska 10".
_CAP = r"[A-ZÀ-ÝĄĆĘŁŃÓŚŹŻ][\w'’.-]*"
_LINK = r"(?:(?:de|del|la|las|los|le|les|du|des|da|do|dos|das|di|della|von|der|l'|d')\s+)*"
_POSTAL_CITY = rf"(?:,?\s*(?:\d{{5}}(?:-\d{{3}})?|\d{{2}}-\d{{3}}|\d{{4}}\s?[A-Z]{{2}})\s+{_CAP}(?:\s+{_CAP})?)?"
STREET_ABROAD_RE = re.compile(
    rf"\b(?:(?:(?i:calle|c/|avenida|avda\.?|av\.|paseo|carretera|carrera|rua|travessa|alameda|rue|chemin|impasse|allée|"
    rf"quai|ulica|ul\.|aleja|osiedle)|Via|Viale|Piazza|Corso|Largo|Plaza|Camino|al\.)\s+{_LINK}{_CAP}(?:\s+{_LINK}{_CAP}){{0,3}},?"
    rf"\s+(?:n[º°o]\.?\s*|nr\.?\s*|no\.?\s*)?\d{{1,5}}[A-Za-z]?(?:/\d+)?"
    rf"|\d{{1,4}}(?:\s?(?:bis|ter))?,?\s+(?i:rue|avenue|boulevard|bd|allée|chemin|impasse|place|quai|cours|route)\s+"
    rf"{_LINK}{_CAP}(?:\s+{_LINK}{_CAP}){{0,3}}"
    rf"|[A-ZÄÖÜ][\wäöüß-]*(?:straße|strasse|str\.|gasse|allee|platz|weg|damm|ufer)\s+\d{{1,4}}\s?[a-z]?\b)"
    rf"{_POSTAL_CITY}")

# Phone numbers: candidates by regular expression over the text, checked by their count of digits.
_SEP = r"[ .\-\u00a0]"
PHONE_RE = re.compile(rf"""
    (?<![\w+/.\-])(?:
        (?P<intl>\+\d{{1,3}}{_SEP}?(?:\(\d{{1,4}}\){_SEP}?)?\d{{1,4}}(?:{_SEP}?\d{{2,4}}){{1,4}})
      | (?P<nanp>(?:1{_SEP}?)?(?:\(\d{{3}}\){_SEP}?|[2-9]\d{{2}}{_SEP})\d{{3}}{_SEP}\d{{4}})
      | (?P<nanp_dot>[2-9]\d{{2}}\.\d{{3}}\.\d{{4}})
      | (?P<national>0\d{{2,4}}{_SEP}?\d{{3,4}}{_SEP}?\d{{3,4}})
    )(?!\w|[.\-]\d)""", re.VERBOSE)
PHONE_DIGITS = {"intl": (8, 15), "nanp": (10, 11), "nanp_dot": (10, 10), "national": (10, 11)}
# "MRN:12345678", "dob:3/14/72": a keyword glued to its value. Split in the copy that is tokenized
# (one character for one, so offsets still point into the original text).
SURROGATE_RE = re.compile("[\ud800-\udfff]")
INVISIBLE_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u00ad\u200b-\u200f\u202a-\u202e"
                          "\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb]")
GLUED_RE = re.compile(r"(?<![\w/.@:#=-])([A-Za-z][A-Za-z.]{1,14})[:#=](?=[A-Za-z0-9])")


# --------------------------------------------------------------------------------------------------
# The redactor
# --------------------------------------------------------------------------------------------------

class Redactor:
    """Finds and replaces personal data. Build once (it compiles the patterns, loads the name finder),
    then share. `names` is the name finder: a NameFinder, the folder of a trained one, or None for
    models/spacy/names (NamesModelMissing when it has not been built)."""

    def __init__(self, nlp=None, names=None):
        if nlp is None:
            from understanding.spacy_pipeline import load_pipeline
            nlp = load_pipeline()
        self.nlp = nlp
        try:  # the inflected forms the lookup lemmatizer knows ("said", "scared"): ordinary words
            self.inflected = nlp.get_pipe("lemmatizer").lookups.get_table("lemma_lookup")
        except (KeyError, ValueError):  # a pipeline without the lookup lemmatizer: no such check
            self.inflected = frozenset()
        # Three matchers, so that a message runs only those it can match: words, patterns that need a
        # digit (numbers, dates, addresses), and those that need "@" or "." (e-mails, links, handles).
        self.matcher = Matcher(nlp.vocab, validate=True)
        self.digit_matcher = Matcher(nlp.vocab, validate=True)
        self.link_matcher = Matcher(nlp.vocab, validate=True)
        self.first_names = PhraseMatcher(nlp.vocab, attr="ORTH")
        self.first_names.add("FIRST_NAME", [nlp.make_doc(n) for n in sorted(FIRST_NAMES)])
        self.keep = PhraseMatcher(nlp.vocab, attr="LOWER")
        self.keep.add("KEEP", [nlp.make_doc(p.lower()) for p in KEEP_PHRASES])
        self._add_patterns()
        if names is RULES_ONLY:
            self.names = None
        elif isinstance(names, NameFinder):
            self.names = names
        else:
            self.names = NameFinder.load(names, ordinary=self._ordinary)

    # ---- patterns ---------------------------------------------------------------------------------

    def _add_patterns(self):
        lower = lambda *words: [{"LOWER": w} for w in words]  # noqa: E731
        inn = lambda words: {"LOWER": {"IN": sorted(words)}}  # noqa: E731

        self.link_matcher.add("EMAIL", [[{"LIKE_EMAIL": True}]])
        self.link_matcher.add("URL", [[{"LIKE_URL": True}], [{"LOWER": {"REGEX": r"^(?:https?|ftp)://|^www\."}}]])
        self.link_matcher.add("HANDLE", [[{"TEXT": {"REGEX": r"^@[A-Za-z_][A-Za-z0-9_.]{1,29}$"}}]])

        # Record numbers: a keyword (the identifier after it is read by _record_end) ...
        # spaCy's English tokenizer reads a lower-case "id" as "i" + "d" (as in "I'd"): both spellings
        triggers = RECORD_TRIGGERS + [[p for w in words for p in (("i", "d") if w == "id" else (w,))]
                                      for words in RECORD_TRIGGERS if "id" in words]
        self.digit_matcher.add("RECORD_TRIGGER", [lower(*words) for words in triggers])
        # ... an SSN-shaped number, and long runs of digits.
        self.digit_matcher.add("SSN", [[{"SHAPE": "ddd"}, {"ORTH": "-"}, {"SHAPE": "dd"}, {"ORTH": "-"}, {"SHAPE": "dddd"}]])
        self.digit_matcher.add("LONG_NUMBER", [[{"TEXT": {"REGEX": LONG_NUMBER_RE.pattern}}]])

        # Dates, for birth dates.
        month = inn(MONTHS)
        day = {"LOWER": {"REGEX": DAY_RE}}
        year = {"TEXT": {"REGEX": YEAR_RE}}
        comma = {"ORTH": ",", "OP": "?"}
        the = {"LOWER": "the", "OP": "?"}
        of = {"LOWER": {"IN": ["of", "de", "del"]}, "OP": "?"}
        de = {"LOWER": {"IN": ["de", "del"]}, "OP": "?"}
        num = lambda n: {"TEXT": {"REGEX": rf"^\d{{1,{n}}}$"}}  # noqa: E731
        sep = {"ORTH": {"IN": ["-", "/", "."]}}
        self.digit_matcher.add("DATE_FULL", [
            [{"TEXT": {"REGEX": NUMERIC_DATE_RE}}],
            [num(2), sep, num(2), sep, {"TEXT": {"REGEX": r"^(?:\d\d|\d{4})$"}}],
            [{"TEXT": {"REGEX": YEAR_RE}}, sep, num(2), sep, num(2)],
            [month, day, comma, year],
            [month, the, day, comma, year],
            [the, day, of, month, de, comma, year],
            [day, {"ORTH": {"IN": ["-", "/", "."]}}, month, {"ORTH": {"IN": ["-", "/", "."]}}, year],  # 12-Mar-1970
            [the, day, of, month, comma, {"TEXT": {"REGEX": r"^'?\d\d$"}}], [month, day, comma, {"TEXT": {"REGEX": r"^'\d\d$"}}],
            [day, {"ORTH": {"IN": ["-", "/", "."]}}, {"LOWER": {"REGEX": r"^(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|"
                                                              r"nov|dec)[a-z]*\.?[-/.](?:19|20)?\d\d$"}}],
        ])
        self.digit_matcher.add("DATE_PART", [
            [month, comma, year], [month, of, year], [month, day], [month, the, day], [the, day, of, month],
            [{"TEXT": {"REGEX": NUMERIC_DM_RE}}],
        ])
        self.digit_matcher.add("BIRTH", [
            lower("born"), lower("birthday"), lower("bday"), lower("b'day"), lower("b", "-", "day"),
            lower("birthdate"), lower("birth"), lower("dob"), lower("d.o.b"), lower("d.o.b."),
            [inn({"nací", "naci", "nacida", "nacido", "nacimiento", "cumpleaños", "né", "née", "naissance", "nasci",
                  "nascida", "nascido", "nascimento", "geboren", "geburtsdatum", "geburtstag", "nata", "nato",
                  "nascita", "urodziłam", "urodzona", "urodzony", "urodzenia", "anniversaire"})],
        ])

        # Addresses.
        house = {"TEXT": {"REGEX": r"^\d{1,5}[A-Za-z]?$"}}
        street_word = {"TEXT": {"REGEX": r"^(?:[^\W\d_][\w'’]*|\d{1,3}(?:st|nd|rd|th))$"}}
        suffix = inn(STREET_SUFFIXES)
        self.digit_matcher.add("STREET", [[house] + [street_word] * n + [suffix] for n in (1, 2, 3)])
        self.matcher.add("LIVE_ON", [[inn({"live", "lives", "living", "moved", "'m", "'re", "am", "are", "stay",
                                           "staying", "reside", "resides", "located"}), inn({"on", "at", "to"})]
                              + [{"IS_TITLE": True}] * n + [suffix] for n in (1, 2, 3)])
        self.digit_matcher.add("PO_BOX", [
            [inn({"po", "p.o.", "p.o", "pob", "p.o.b."}), {"LOWER": "box"}, {"TEXT": {"REGEX": r"^\d"}}],
            [{"LOWER": "p"}, {"ORTH": ".", "OP": "?"}, {"LOWER": "o"}, {"ORTH": ".", "OP": "?"}, {"LOWER": "box"},
             {"TEXT": {"REGEX": r"^\d"}}],
            lower("post", "office", "box") + [{"TEXT": {"REGEX": r"^\d"}}],
        ])
        zip5 = {"TEXT": {"REGEX": r"^\d{5}$"}}
        self.digit_matcher.add("STATE_ZIP", [[{"ORTH": {"IN": sorted(US_STATES)}}, zip5],
                                [{"LOWER": {"IN": sorted(US_STATE_NAMES)}}, zip5]])
        self.digit_matcher.add("ZIP_KEYWORD", [lower("zip"), lower("zipcode"), lower("postcode"), lower("postal", "code"),
                                  lower("post", "code")])
        self.digit_matcher.add("POSTCODE", [[{"TEXT": {"REGEX": POSTCODE_OUT_RE}}, {"TEXT": {"REGEX": POSTCODE_IN_RE}}]])

        # Names: what comes before them (the name itself is read by _name_end).
        self.matcher.add("NAME_STRONG", [lower("my", "name", "is"), lower("my", "name", "'s"), lower("my", "names"),
                                  lower("myname", "is"), lower("my", "name", ":"), lower("name", ":"),
                                  lower("last", "name"), lower("first", "name"), lower("surname"), lower("family", "name"),
                                  lower("given", "name"), lower("maiden", "name"), lower("full", "name"),
                                  lower("mera", "naam"), lower("mera", "naam", "hai"),
                                  # other languages: "me llamo", "je m'appelle", "meu nome é", "ich heiße"...
                                  lower("me", "llamo"), lower("mi", "nombre", "es"), [inn({"m'appelle", "m’appelle"})],
                                  lower("mon", "nom", "est"), lower("meu", "nome", "é"), lower("me", "chamo"),
                                  lower("ich", "heiße"), lower("ich", "heisse"), lower("mein", "name", "ist"),
                                  lower("mi", "chiamo"), lower("il", "mio", "nome", "è"), lower("nazywam", "się"),
                                  lower("mam", "na", "imię"), lower("mijn", "naam", "is"), lower("ik", "heet"),
                                  lower("jag", "heter")])
        self.matcher.add("NAME_WEAK", [
            lower("i", "'m"), lower("i", "m"), lower("im"), lower("i", "am"), lower("this", "is"),
            lower("it", "'s"), lower("its"), lower("call", "me"), lower("go", "by"), lower("known", "as"),
            lower("name", "is"), lower("name", "was"), lower("name", "'s"),
            lower("signed"), [{"ORTH": {"IN": ["-", "--", "—", "–", "~"]}}],
            lower("soy"), lower("je", "suis"), lower("sou"), lower("ich", "bin"), lower("sono"), lower("jestem"),
            lower("ik", "ben"),
        ])
        self.matcher.add("NAME_CALLED", [[inn({"called", "named"})]])
        self.matcher.add("NAME_MAIN", [lower("main")])  # Hindi "main Sunita hoon" ("I am Sunita")
        person = {"IS_LOWER": True, "IS_ALPHA": True, "LENGTH": {">": 2}}  # "me and marcus are", "tell rashida"
        self.matcher.add("NAME_PERSON_BEFORE", [[inn(PERSON_BEFORE), person]])
        self.matcher.add("NAME_PERSON_AFTER", [[person, inn(PERSON_AFTER)]])
        self.matcher.add("NAME_RELATION", [[inn(RELATIONS)]])
        self.matcher.add("NAME_GREETING", [[inn(GREETINGS)]])
        self.matcher.add("NAME_SIGNOFF", [[inn(SIGN_OFFS)], lower("thank", "you"), lower("many", "thanks"),
                                   lower("best", "wishes"), lower("kind", "regards"), lower("warm", "regards"),
                                   lower("with", "love"), lower("god", "bless"), lower("take", "care")])
        titles = sorted({v for t in TITLES_ABBR for v in (t, t.capitalize())})
        self.matcher.add("NAME_TITLE_ABBR", [[{"ORTH": {"IN": titles}}]])
        self.matcher.add("NAME_TITLE_WORD", [[inn(TITLES_WORD)]])
        self.matcher.add("NAME_HERE", [[{"IS_TITLE": True}, {"LOWER": "here"}], [{"IS_LOWER": True}, {"LOWER": "here"}]])

    # ---- token tests ------------------------------------------------------------------------------

    def _common(self, token: Token) -> bool:
        """An ordinary word (or a medical one), however it is capitalised."""
        return self._ordinary(token.lower_)

    def _ordinary(self, word: str) -> bool:
        low = word.lower()
        return (low in STOP_WORDS or low in NOT_NAMES or low in MEDICAL
                or (len(low) > 4 and low.endswith(("ed", "ing")) and low in self.inflected))

    @staticmethod
    def _name_shaped(token: Token) -> bool:
        """Capitalised letters, with a lower-case letter somewhere: Jane, O'Brien, McDonald, José."""
        text = token.text
        return bool(NAME_SHAPE_RE.match(text)) and text[0].isupper() and any(c.islower() for c in text)

    def _lower_name(self, token: Token) -> bool:
        """A lower-case word that is no ordinary word: "jane" in "my name is jane". Stricter than for
        capitalised words: any inflected form the lemmatizer knows ("said", "notes") is ordinary."""
        text, low = token.text, token.lower_
        return (len(text) > 1 and NAME_SHAPE_RE.match(text) is not None and text.islower()
                and not self._common(token) and low not in LOWER_NOT_NAMES
                and (low not in self.inflected or low in FIRST_NAMES_LOWER))

    def _known_name(self, token: Token) -> bool:
        """A lower-case word that is no English word at all (the name finder's word list) and could be a
        name: "ashworth", "deshawn". Not without the name finder's lexicon."""
        return not self._english(token.lower_) and self._lower_name(token)

    def _listed_lower(self, word: str) -> bool:
        """A lower-case word that is a name in the name finder's lists and none of the most frequent English
        words ("jamal", "tiffany"; not "hope"), or one people mostly write capitalised ("kevin", "tamika":
        name_finder.word_case)."""
        return self.names is not None and word.islower() and (
            self.names.candidate(word) or self.names.case.lower_case_name(word))

    def _english(self, word: str) -> bool:
        """One of the 50,000 most frequent English words (the name finder's list; without it, any word)."""
        return self.names is None or word.lower() in self.names.words

    def _listed(self, word: str) -> bool:
        """A name in the name finder's lists (Faker's first names and surnames), however common a word."""
        return self.names is not None and word.lower() in self.names.names

    def _upper_name(self, token: Token) -> bool:
        text = token.text
        return (len(text) > 1 and text.isalpha() and text.isupper() and token.lower_ not in ACRONYMS
                and not self._common(token))

    def _first_ok(self, token: Token, mode: str) -> bool:
        if mode == "strong":
            return ((self._name_shaped(token) and not self._common(token))
                    or self._lower_name(token) or self._upper_name(token))
        if mode == "abbr":  # after Dr./Mrs.: surnames may be ordinary words (Dr. Green, Dr. Love)
            low = token.lower_
            if self._upper_name(token) and low not in MEDICAL:
                return True  # "DR. ABERNATHY-COLE"
            if self._name_shaped(token):
                return low not in STOP_WORDS and low not in WEEKDAYS and low not in MONTHS and low not in MEDICAL
            return self._lower_name(token)
        if token.text.islower() and (token.text in FIRST_NAMES_LOWER or self._listed_lower(token.text)):
            return mode != "gazetteer"  # "my husband tom", "i'm jane", "its jamal"
        if token.text.isupper() and len(token.text) >= 3 and mode != "gazetteer" and token.lower_ not in ACRONYMS \
                and not self._common(token) and (self._listed(token.text) or not self._english(token.lower_)):
            return True  # "my mom LUCIA"
        return self._name_shaped(token) and not self._common(token)

    def _name_end(self, doc: Doc, i: int, mode: str) -> int:
        """End of the name that starts at token i, or i when no name starts there."""
        n = len(doc)
        if i >= n:
            return i
        first = doc[i]
        if mode == "abbr" and INITIAL_RE.match(first.text) and i + 1 < n and self._name_shaped(doc[i + 1]):
            lower_case = False  # "Dr. J. Smith"
        elif not self._first_ok(first, mode):
            return i
        else:
            lower_case = first.text.islower() or first.text.isupper()

        def more(tok):
            if lower_case and mode in ("strong", "abbr"):
                return self._lower_name(tok) or self._upper_name(tok)
            if lower_case and tok.is_lower:  # "tom ashworth": a lower-case surname that is no English word
                return self._known_name(tok) or self._listed_lower(tok.text)
            return self._name_shaped(tok) and (not self._common(tok) or mode == "abbr")

        j, words = i + 1, 1
        while j < n and words < 4:
            tok, prev = doc[j], doc[j - 1]
            nxt = doc[j + 1] if j + 1 < n else None
            glued = not prev.whitespace_ and not tok.whitespace_
            if tok.text in NAME_CONNECTORS and glued and nxt is not None and (
                    more(nxt) or (nxt.text.islower() == first.text.islower() and self._listed(nxt.text))
                    or (tok.text == "-" and nxt.is_alpha and nxt.is_lower and len(nxt.text) <= 5
                        and not self._common(nxt) and nxt.lower_ not in HYPHEN_SUFFIXES)):  # Mary-Jane, tiffany-rose, Wai-ling
                j += 2
            elif INITIAL_RE.match(tok.text) and nxt is not None and self._name_shaped(nxt) \
                    and not self._common(nxt):  # Jane E. Doe
                j += 1
            elif tok.lower_ in PARTICLES and nxt is not None and self._name_shaped(nxt) \
                    and not self._common(nxt):  # Ludwig van Beethoven
                j += 2
            elif tok.lower_ in ("and", "&") and nxt is not None and self._name_shaped(nxt) \
                    and not self._common(nxt):  # my kids Emma and Jack
                j += 2
            elif more(tok):
                j += 1
            else:
                break
            words += 1
        return j

    def _known_lower_end(self, doc: Doc, i: int) -> int:
        """i + 1 when token i is a lower-case word that is no English word and could be a name ("nurse
        femi"), else i."""
        return i + 1 if i < len(doc) and doc[i].is_lower and doc[i].is_alpha and self._known_name(doc[i]) else i

    def _before_relation(self, doc: Doc, tok: Token) -> bool:
        """A word (no ordinary one) right before "(my husband)" or ", my youngest", not itself after "my"."""
        i, n = tok.i, len(doc)
        return (tok.is_alpha and len(tok.text) > 2 and i + 3 < n and doc[i + 1].text in {"(", ","}
                and doc[i + 2].lower_ in {"my", "our"} and doc[i + 3].lower_ in PEOPLE
                and doc[i + 3].lower_ not in {"i", "me", "she", "he", "they", "who", "'m"}
                and not self._common(tok) and tok.lower_ not in MONTHS and tok.lower_ not in WEEKDAYS
                and (i == 0 or doc[i - 1].lower_ not in {"my", "our", "her", "his", "the", "a"}))

    def _person_doing(self, doc: Doc, tok: Token) -> bool:
        """A word opening a sentence before a person's doing (PERSON_DOING_RE) that is a first name in the
        lists, though an ordinary word too ("Bill keeps forgetting", "amber and i are looking"), or a word
        the case rules would call a name inside a sentence ("Shanique keeps telling me")."""
        word = tok.text
        if self.names is None or not (word.istitle() or (word.islower() and tok.i == 0)) or len(word) < 3:
            return False
        low = tok.lower_
        after = tok.idx + len(word)
        if low in MONTH_FIRST_NAMES and word.istitle() and MONTH_NAME_DOING_RE.match(doc.text, after):
            return True
        if word.istitle() and low not in STOP_WORDS and low not in NOT_BEFORE_RELATION and not low.endswith("ly") \
                and low not in MONTHS and low not in WEEKDAYS and RELATION_AFTER_RE.match(doc.text, after):
            return True
        if low in MONTHS or low in WEEKDAYS or low in MEDICAL or self.names.case.place(low) \
                or (low in STOP_WORDS and not word.istitle()):  # "Will drove me", not "will and i"
            return False
        if low not in self.names.first_names and not (word.istitle() and self.names.by_case(word, sentence_start=False)):
            return False
        return PERSON_DOING_RE.match(doc.text, after) is not None

    def _signature(self, doc: Doc) -> Optional[Tuple[int, int]]:
        """One to three capitalised words alone after the last sentence of a message, none an ordinary word
        and one of them a name in the lists or no English word: "... mobile only. Róisín"."""
        end = len(doc)
        last = doc[end - 1] if end else None
        if last is not None and end > 2 and re.fullmatch(r"[-~–—][^\W\d_]{2,15}", last.text) \
                and (doc[end - 2].is_space or (doc[end - 2].whitespace_ and (
                    last.text[1].isupper() or not self._english(last.text[1:].lower())))) \
                and not self._ordinary(last.text[1:]):
            return end - 1, end  # "...\n-tj", "thx -Dee", "k thanks -jojo"
        while end > 0 and (doc[end - 1].is_space or doc[end - 1].text in {".", "!", "x", "xx", "xxx"}
                           or not any(c.isalnum() for c in doc[end - 1].text)):
            end -= 1
        start = end
        while start > 0 and end - start < 3 and self._name_shaped(doc[start - 1]) and not self._common(doc[start - 1]) \
                and doc[start - 1].lower_ not in SIGN_OFFS | GREETINGS:
            start -= 1
        if start == end or start < 2 or self.names is None:
            return None
        if not (self._sentence_break(doc[start - 1]) or (doc[start - 1].text == "," and self._thanked(doc, start - 1))):
            return None
        words = [t.text for t in doc[start:end]]
        if (self._english(words[0]) and not self.names.candidate(words[0])) \
                or not any(self._listed(w) or not self._english(w) for w in words):
            return None
        return start, end

    def _thanked(self, doc: Doc, i: int) -> bool:
        """The sentence ending at token i opens with a sign-off word: "Thanks for all of this, Deb"."""
        k = i
        while k > 0 and not self._sentence_break(doc[k - 1]):
            k -= 1
        return i - k <= 8 and any(t.lower_ in SIGN_OFFS for t in doc[k:min(k + 2, i)])

    @staticmethod
    def _skip(doc: Doc, i: int, fillers=frozenset(), limit: int = 3, commas: bool = True) -> int:
        """Index of the first token from i that is not a filler word, comma or line break."""
        n, skipped = len(doc), 0
        while i < n and skipped < limit and (
                doc[i].lower_ in fillers or doc[i].is_space or (commas and doc[i].text == ",")):
            i += 1
            skipped += 1
        return i

    @staticmethod
    def _opens(doc: Doc, s: int) -> bool:
        """Token s starts the message, a sentence, or what follows a greeting ("Hi, it's Siobhan")."""
        k = s - 1
        while k >= 0 and (doc[k].is_space or doc[k].text == ","):
            k -= 1
        return k < 0 or doc[k].is_punct or doc[k].lower_ in GREETINGS or doc[k].lower_ in {"all", "everyone", "there"}

    @staticmethod
    def _sentence_break(token: Token) -> bool:
        return token.text in {".", "!", "?", ";"} or "\n" in token.text

    # ---- finding ----------------------------------------------------------------------------------

    def find(self, text: str, memo: Optional[dict] = None) -> List[Redaction]:
        """Personal data in a message, as non-overlapping character spans in reading order. (`memo`: what
        the name finder read in an earlier pass of the same redaction.)"""
        _check(text)
        if not text:
            return []
        found = []
        for offset, chunk in _chunks(text, self._chunk_size()):
            doc = self.nlp.make_doc(_analysis_copy(chunk))
            found += [Redaction(r.start + offset, r.end + offset, r.label) for r in self._find_in(doc, memo=memo, original=chunk)]
        return found

    def _chunk_size(self) -> int:
        return max(1000, min(self.nlp.max_length, 200_000))

    def _find_in(self, doc: Doc, memo: Optional[dict] = None, original: Optional[str] = None) -> List[Redaction]:
        """Findings in one tokenized text: the rules' first, then the name finder's, which reads only the
        words the rules have not already redacted ("my name is Jane Doe" needs no model)."""
        found = self._rules(doc, original)
        names = None
        if self.names is not None:
            names = self.names.spans(found[3], _held_chars(found[3]), memo, covered=_covered(doc, *found[:2]))
        return self._finish(doc, *found, names)

    def _rules(self, doc: Doc, original: Optional[str] = None):
        """(token spans, character spans, institutions' token spans, the text) that the rules find.
        `original`: the text as written, of which doc is the analysis copy (secrets are read from it:
        "Harbour#44" is one word there, two in the copy)."""
        spans: List[Tuple[int, int, str]] = []  # token-level (start, end, label)
        chars: List[Tuple[int, int, str]] = []  # character-level, from the phone and spelled e-mail expressions
        strings = self.nlp.vocab.strings
        # Placeholders left by an earlier pass are no triggers: "[DATE OF BIRTH]" holds "birth".
        held = set()
        text = doc.text  # (built anew from the tokens each time it is read)
        for m in PLACEHOLDER_RE.finditer(text):
            span = doc.char_span(m.start(), m.end(), alignment_mode="expand")
            if span is not None:
                held.update(range(span.start, span.end))
        by_label = {}
        matches = self.matcher(doc)
        if DIGIT_RE.search(text):
            # Only around the digits: every pattern here holds a digit or leads to one a few words on.
            at = [t.i for t in doc if DIGIT_RE.search(t.text)] or [0, len(doc) - 1]
            lo, hi = max(0, at[0] - DIGIT_REACH), min(len(doc), at[-1] + DIGIT_REACH + 1)
            matches += [(m, s + lo, e + lo) for m, s, e in self.digit_matcher(doc[lo:hi])]
        if "@" in text or "." in text:
            matches += self.link_matcher(doc)
        for match_id, start, end in matches:
            if not held or held.isdisjoint(range(start, end)):
                by_label.setdefault(strings[match_id], []).append((start, end))
        keep = [(s, e) for _, s, e in self.keep(doc)]
        n = len(doc)

        for s, e in by_label.get("EMAIL", []):
            spans.append((s, e, EMAIL))
        for s, e in by_label.get("URL", []):
            if URL_RE.match(doc[s].text) and not doc[s].like_email:
                spans.append((s, e, URL))
        for s, e in by_label.get("HANDLE", []):
            spans.append((s, e, NAME))

        # Phone numbers.
        phone_tokens = set()
        for m in PHONE_RE.finditer(text):
            kind = m.lastgroup
            digits = sum(c.isdigit() for c in m.group())
            low, high = PHONE_DIGITS[kind]
            if not low <= digits <= high:
                continue
            span = doc.char_span(m.start(), m.end(), alignment_mode="expand")
            if kind == "nanp" and not re.search(r"[()\-.]", m.group()):
                # "555 123 4567" with spaces only could be a list of values: a phone word must come first
                before = doc[max(0, span.start - 5):span.start] if span is not None else []
                if not any(t.lower_ in PHONE_TRIGGERS for t in before):
                    continue
            chars.append((m.start(), m.end(), PHONE))
            if span is not None:
                phone_tokens.update(range(span.start, span.end))
        for s, e, label in self._text_findings(text, [(s, e) for s, e, _ in chars], original or text):
            chars.append((s, e, label))
            span = doc.char_span(s, e, alignment_mode="expand") if label == PHONE else None
            if span is not None:  # a long number inside it is part of the phone number, not a record
                phone_tokens.update(range(span.start, span.end))

        # Record numbers.
        for s, e in by_label.get("RECORD_TRIGGER", []):
            i = self._skip(doc, e, RECORD_FILLERS, limit=5)
            j = self._record_end(doc, i)
            if j == i:  # "policy number for my insurance is HMO-448-20917-B": a few words, then "is"
                link = next((k for k in range(e, min(e + 7, n)) if doc[k].lower_ in {"is", "was", ":", "="}
                             or self._sentence_break(doc[k])), None)
                if link is not None and not self._sentence_break(doc[link]):
                    i = self._skip(doc, link + 1, RECORD_FILLERS, limit=2)
                    j = self._record_end(doc, i)
            if j > i:
                spans.append((i, j, RECORD))
        for s, e in by_label.get("SSN", []):
            if all(not doc[k].whitespace_ for k in range(s, e - 1)):
                spans.append((s, e, RECORD))
        for s, e in by_label.get("LONG_NUMBER", []):
            tok = doc[s]
            if s in phone_tokens or TRIAL_ID_RE.match(tok.text):
                continue
            before = {t.lower_ for t in doc[max(0, s - 3):s]}
            after = doc[s + 1].lower_ if s + 1 < n else ""
            quantity = not tok.text.startswith("0")  # "00482913" is never a count or a sum
            if quantity and ((s > 0 and doc[s - 1].lower_ in MONEY) or after in MONEY):
                continue
            if quantity and (before & LAB_NAMES or after in LAB_UNITS):
                continue
            near = {t.lower_ for t in doc[max(0, s - 5):s]}
            label = PHONE if near & PHONE_TRIGGERS and len(tok.text) in (10, 11) and tok.text.isdigit() else RECORD
            while s >= 2 and doc[s - 1].text in {"-", "/"} and doc[s - 2].text.isalnum() \
                    and not doc[s - 1].whitespace_ and not doc[s - 2].whitespace_:
                s -= 2  # "2024-778812", "AB-0048812": the whole identifier
            spans.append((s, e, label))

        # Birth dates.
        dates = _DateIndex(by_label.get("DATE_FULL", []), by_label.get("DATE_PART", []))
        for s, e in by_label.get("BIRTH", []):
            date = self._birth_date(doc, s, e, dates, held)
            if date is not None:
                spans.append((date[0], date[1], DOB))

        # Addresses.
        for s, e in by_label.get("STREET", []):
            if self._street_ok(doc, s, e):
                if s >= 3 and doc[s - 1].text == "," and doc[s - 3].lower_ in UNIT_WORDS:
                    s -= 3  # "Apartment 3B, 77 Sunset Boulevard"
                spans.append((s, self._address_tail(doc, e), ADDRESS))
        for s, e in by_label.get("LIVE_ON", []):
            spans.append((s + 2, self._address_tail(doc, e), ADDRESS))
        for s, e in by_label.get("PO_BOX", []):
            spans.append((s, self._address_tail(doc, e), ADDRESS))
        for s, e in by_label.get("STATE_ZIP", []):
            start = s
            # "Springfield, IL 62704": the town before the state goes too.
            if s >= 2 and doc[s - 1].text == "," and self._name_shaped(doc[s - 2]):
                start = s - 2
                while start > 0 and self._name_shaped(doc[start - 1]) and start > s - 5:
                    start -= 1
            spans.append((start, self._zip_end(doc, e - 1), ADDRESS))
        for s, e in by_label.get("ZIP_KEYWORD", []):
            i = self._skip(doc, e, {":", "is", "-", "#", "code"}, limit=3)
            j = self._postcode_end(doc, i, any_case=True) or self._zip_end(doc, i)
            if j > i:
                spans.append((i, j, ADDRESS))
        for s, e in by_label.get("POSTCODE", []):
            if doc[s].whitespace_:
                spans.append((s, e, ADDRESS))

        # Names.
        for s, e in by_label.get("NAME_STRONG", []):
            i = self._skip(doc, e, {":", "-", "is", "was"}, limit=2)
            spans.append((i, self._name_end(doc, i, "strong"), NAME))
        for s, e in by_label.get("NAME_WEAK", []):
            if doc[s].text in {"-", "--", "—", "–", "~"}:
                # "- Anna" signing a message: only at its very end
                j = self._name_end(doc, e, "title")
                if j == e and e < n and doc[e].is_alpha and doc[e].is_lower and not self._common(doc[e]) \
                        and not self._english(doc[e].lower_):
                    j = e + 1  # "-tj"
                signed = s == 0 or doc[s - 1].whitespace_ or doc[s - 1].is_space
                if signed and j > e and all(t.is_punct or t.is_space for t in doc[j:]):
                    spans.append((e, j, NAME))
                continue
            if doc[s].lower_ in {"this", "it", "its"} and not self._opens(doc, s):
                continue  # "this is Maria" introduces someone; "what this is Called" does not
            i = self._skip(doc, e, limit=1, commas=False)
            spans.append((i, self._name_end(doc, i, "title"), NAME))
        for s, e in by_label.get("NAME_MAIN", []):
            j = self._name_end(doc, e, "title")
            if j > e and j < n and doc[j].lower_ in {"hoon", "hun", "hu", "hoo", "hoon."}:
                spans.append((e, j, NAME))
        for s, e in by_label.get("NAME_CALLED", []):
            # "a nurse called Kelly", "my daughter is called Emma"; not "an injection called Xolair"
            if any(t.lower_ in PEOPLE for t in doc[max(0, s - 3):s]):
                spans.append((e, self._name_end(doc, e, "title"), NAME))
        for s, e in by_label.get("NAME_RELATION", []):
            i = self._skip(doc, e, limit=2)
            end = self._name_end(doc, i, "title")
            if i > e:  # after a comma: "my neighbour, oyinkan"
                end = max(end, self._known_lower_end(doc, i))
            spans.append((i, end, NAME))
        for s, e in by_label.get("NAME_GREETING", []):
            i = self._skip(doc, e, limit=1)
            spans.append((i, self._name_end(doc, i, "title"), NAME))
        for s, e in by_label.get("NAME_SIGNOFF", []):
            i = self._skip(doc, e, {"!", ".", "so", "much", "again", "a", "lot", "very"}, limit=4)
            ambiguous = doc[s].lower_ in {"best", "love", "take", "with", "god", "ty"}
            if ambiguous and not any(t.text == "," or t.is_space for t in doc[e:i]):
                continue
            spans.append((i, self._name_end(doc, i, "title"), NAME))
        street_ends = {e for _, e in by_label.get("STREET", [])}
        for s, e in by_label.get("NAME_TITLE_ABBR", []):
            if s + 1 in street_ends:
                continue  # "12 Oak Dr" is a street
            i = self._skip(doc, e, {"."}, limit=1, commas=False)
            spans.append((i, self._name_end(doc, i, "abbr"), NAME))
        for s, e in by_label.get("NAME_TITLE_WORD", []):
            spans.append((e, max(self._name_end(doc, e, "title"), self._known_lower_end(doc, e)), NAME))
        for s, e in by_label.get("NAME_HERE", []):
            # "Maria here", and "deshawn here" when it is no English word ("nobody here" is no name);
            # "ana maria here": names from the lists before it, from the start of a sentence
            k = s
            while doc[s].is_lower and k > 0 and doc[k - 1].is_lower and self._listed(doc[k - 1].text) \
                    and not self._common(doc[k - 1]) and k > s - 3:
                k -= 1
            if (k == 0 or doc[k - 1].is_punct or doc[k - 1].is_space) and not self._common(doc[s]) \
                    and (not doc[s].is_lower or self._known_name(doc[s]) or self._listed_lower(doc[s].text)
                         or (k < s and self._listed(doc[s].text))):
                spans.append((k, s + 1, NAME))
        for label, at in (("NAME_PERSON_BEFORE", 1), ("NAME_PERSON_AFTER", 0)):
            for s, e in by_label.get(label, []):
                tok = doc[s + at]
                cue = doc[s] if at else doc[e - 1]
                strong = cue.lower_ in (PERSON_BEFORE_STRONG if at else PERSON_AFTER_STRONG)
                if (self._listed_lower(tok.text) or (strong and self._known_name(tok))
                        or (strong and at and self.names is not None and tok.lower_ in self.names.first_names
                            and tok.lower_ not in RELATIONS)) \
                        and not self._common(tok) and tok.i not in held:
                    spans.append((tok.i, max(tok.i + 1, self._name_end(doc, tok.i, "title")), NAME))
        for tok in doc:
            word = tok.text
            if self._before_relation(doc, tok):
                spans.append((tok.i, tok.i + 1, NAME))  # "siddharth (my husband) wants", "Honey, my youngest"
            elif len(word) == 4 and DOTTED_INITIALS_RE.match(word) and word.replace(".", "").lower() not in DOTTED_ABBREVIATIONS:
                spans.append((tok.i, tok.i + 1, NAME))  # "J.P. is handling the insurance calls"
            elif (word.istitle() or tok.i == 0) and self._person_doing(doc, tok) and self._opens(doc, tok.i):
                spans.append((tok.i, tok.i + 1, NAME))
        signed = self._signature(doc)
        if signed:
            spans.append(signed + (NAME,))
        for _, s, e in self.first_names(doc):
            spans.append((s, self._name_end(doc, s, "gazetteer"), NAME))

        return spans, chars, keep, text

    def _first_name_before(self, doc: Doc, s: int) -> int:
        """Start of a name found at token s, taking in the capitalised word just before it when it is a
        first name too (the rules below), even an English word ("my wife is Grace Achebe")."""
        if s == 0 or not doc[s - 1].whitespace_ or not self._name_shaped(doc[s - 1]) or self._common(doc[s - 1]) \
                or doc[s - 1].lower_ in MONTHS | WEEKDAYS or self.names is None or doc[s - 1].lower_ in self.names.never:
            return s
        opens = s < 2 or self._sentence_break(doc[s - 2])
        word = doc[s - 1].lower_
        # mid-sentence, a name from the lists or no English word ("my wife is Grace Achebe", "c'est Amadou
        # Diallo"); opening a sentence, only a listed name that is no English word ("Harpreet Kaur"):
        # "Saw Okafor", "Hope Okafor could...", "Sono Okafor" stay
        if (not opens and (self._listed(word) or not self._english(word))) \
                or (opens and self._listed(word) and not self._english(word)):
            return s - 1
        return s

    def _finish(self, doc: Doc, spans, chars, keep, text, names) -> List[Redaction]:
        """The rules' findings with the name finder's (not inside a placeholder or an institution's name,
        extended over the rest of the name the rules would read: "Mary Ellen O'Neill-Brown")."""
        chars = list(chars)
        spans = list(spans)
        if names:
            held_chars = _held_chars(text)
            keep_chars = [(doc[s].idx, doc[e - 1].idx + len(doc[e - 1])) for s, e in keep]
            for s, e in names:
                if not any(s < ke and ks < e for ks, ke in held_chars + keep_chars):
                    span = doc.char_span(s, e, alignment_mode="expand")
                    if span is not None:
                        spans.append((span.start, max(span.end, self._name_end(doc, span.end - 1, "title")), NAME))
                    chars.append((s, e, NAME))
        out = []
        for s, e, label in spans:
            if e <= s:
                continue
            if label == NAME and any(s < ke and ks < e for ks, ke in keep):
                continue
            if label == NAME:
                s = self._first_name_before(doc, s)
            out.append((doc[s].idx, doc[e - 1].idx + len(doc[e - 1].text), label))
        found = birth_dates.extend(text, addresses.extend(text, out + chars, ADDRESS), DOB)
        return _merge([(s, _extension_end(text, e) if label == PHONE else e, label) for s, e, label in found])

    def _text_findings(self, text: str, phones: List[Tuple[int, int]], original: str) -> List[Tuple[int, int, str]]:
        """What is found over the text rather than its tokens: spelled-out e-mails and links, credentials,
        cards and IBANs, phone numbers phonenumbers knows, continental street addresses."""
        out = []
        low, digits = text.lower(), len(DIGIT_RE.findall(text))
        # Cheap tests first: each expression runs only on text that holds what it needs.
        at = "@" in text or any(w in low for w in (" at ", " arroba ", " arobase ", "(at)", "[at]", "{at}", "<at>"))
        for m in SPELLED_EMAIL_RE.finditer(text) if at else ():  # "jane dot doe at gmail dot com"
            if m.group("at").strip().lower() in ("at", "arroba", "arobase"):  # a plain " at " needs more
                host = re.split(_DOT, m.group("domain"), maxsplit=1, flags=re.IGNORECASE)[0].lower()
                if not (host in _MAIL_HOSTS or MAIL_CUE_RE.search(text[max(0, m.start() - 40):m.start()])
                        or re.search(r"[\d_.]|\sdot\s|\(dot\)|\[dot\]", m.group("local"), re.IGNORECASE)):
                    continue
            out.append((m.start(), m.end(), EMAIL))
        for m in LOOSE_EMAIL_RE.finditer(text) if at else ():
            out.append((m.start(), m.end(), EMAIL))
        for m in URL_PATH_RE.finditer(text) if "/" in text else ():
            out.append((m.start(), m.end(), URL))
        for m in APARTMENT_RE.finditer(text) if digits and "ap" in low else ():  # "buzz apt 12C"
            out.append((m.start(), m.end(), ADDRESS))
        for m in SPELLED_URL_RE.finditer(text) if " dot " in low else ():
            if m.group("host").lower() not in STOP_WORDS:
                out.append((m.start(), m.end(), URL))
        for m in CREDENTIAL_RE.finditer(text) if CREDENTIAL_HINT_RE.search(low) else ():
            found = self._credential(text, m)
            if found:
                out.append(found + (CREDENTIAL,))
        for cue in SECRET_CUE_RE.finditer(text) if CREDENTIAL_HINT_RE.search(low) else ():
            out += [found + (CREDENTIAL,) for found in self._secrets_near(original, cue.end())]
        social = SOCIAL_HINT_RE.search(low)
        for m in SOCIAL_RE.finditer(text) if social else ():
            out.append((m.start("value"), m.end("value"), NAME))
        for m in SOCIAL_PLAIN_RE.finditer(text) if social and self.names is not None else ():
            value = m.group("value")
            if value.lower() not in self.names.words and not self._ordinary(value):
                out.append((m.start("value"), m.end("value"), NAME))
        for m in CARD_RE.finditer(text) if digits >= 13 else ():
            if sum(c.isdigit() for c in m.group()) >= 13:
                out.append((m.start(), m.end(), RECORD))
        for m in IBAN_RE.finditer(text) if digits >= 10 else ():
            if sum(c.isdigit() for c in m.group()) >= 10:
                out.append((m.start(), m.end(), RECORD))
        if digits >= 7:
            for m in PHONE_CANDIDATE_RE.finditer(text):
                s, e = m.start(), m.end()
                cand, digits = m.group(), sum(c.isdigit() for c in m.group())
                if not 7 <= digits <= 15 or any(s < pe and ps < e for ps, pe in phones) or DATE_LIKE_RE.match(cand):
                    continue
                if digits == 7 and not (re.match(r"^\d{3}[ -]\d{4}$", cand)
                                        and PHONE_CUE_RE.search(text[max(0, s - 30):s])):
                    continue  # "call the house, 555-0199": a local number needs a phone word
                cues = [c for c in PHONE_CUE_RE.findall(text[max(0, s - 30):s]) if not NUMBER_WORD_RE.match(c)]
                if not cues and RECORD_WORD_RE.search(text[max(0, s - 60):s]):
                    continue  # "claim number ... 2024-778812" is a record (see RECORD_TRIGGERS), not a phone
                cue = cues or PHONE_CUE_RE.search(text[max(0, s - 30):s])
                formatted = cand[0] in "+(" or cand.startswith("0") or re.search(r"\d[-.)]\s?\d", cand)
                if cue or (formatted and _valid_phone(cand)):
                    out.append((s, e, PHONE))
        for m in ID_SHAPE_RE.finditer(text) if digits >= 5 else ():
            if _id_shaped(m.group()) and not any(m.start() < pe and ps < m.end() for ps, pe in phones):
                out.append((m.start(), m.end(), RECORD))
        for m in SPOKEN_NUMBER_RE.finditer(text):
            out.append((m.start(), m.end(), PHONE))
        for m in STREET_ABROAD_RE.finditer(text) if digits else ():
            out.append((m.start(), m.end(), ADDRESS))
        return out

    def _credential(self, text: str, m) -> Optional[Tuple[int, int]]:
        """The secret after a credential word: a quoted string, or up to four words up to an ordinary
        word or punctuation. A PIN or code needs digits; a password with no "is"/":" before it too."""
        start, value = m.start("value"), m.group("value")
        if value[0] in "\"'“‘":
            return start, m.end("value")
        cue = m.group("cue").lower()
        words = []
        for w in re.finditer(r"\S+", text[start:start + 100]):
            raw = w.group()
            word = raw.rstrip(".,;:?)")
            if not word or "[" in raw or (self._ordinary(word) and not any(c.isdigit() for c in word)) \
                    or CREDENTIAL_RE.match(raw):  # "username: kb64 password: ..."
                break
            words.append((start + w.start(), start + w.start() + len(word)))
            if raw != word or len(words) == 4:
                break
        if not words:
            return None
        digit = any(c.isdigit() for c in text[words[0][0]:words[0][1]])
        linked = re.search(r"[:=-]|\b(?:is|was|are|es|est|é|ist|è|to)\b", m.group("link"), re.IGNORECASE)
        if ("pin" in cue or "code" in cue or "number" in cue or "otp" in cue) and not digit:
            return None
        return (words[0][0], words[-1][1]) if digit or linked else None

    @staticmethod
    def _secrets_near(text: str, start: int) -> List[Tuple[int, int]]:
        """What looks like a secret (SECRET_SHAPE_RE) in the SECRET_REACH characters after a credential word,
        up to a placeholder."""
        out = []
        for w in re.finditer(r"\S+", text[start:start + SECRET_REACH]):
            raw = w.group()
            if "[" in raw:
                break
            word = raw.strip(".,;:?!()\"'“”‘’").lstrip("=")
            if not word or DATE_LIKE_RE.match(word) or NOT_SECRET_RE.search(word) or ("@" in word and "." in word):
                continue
            if SECRET_SHAPE_RE.match(word):
                s = start + w.start() + raw.index(word)
                out.append((s, s + len(word)))
        return out

    def _record_end(self, doc: Doc, i: int) -> int:
        """End of the identifier starting at token i ("12345678", "XJH-482-11", "485 777 3456",
        "QQ 12 34 56 C"), or i when there is none: it needs four digits or more ("NHS 111" stays)."""
        n, j, digits = len(doc), i, 0
        while j < n and j - i < 8:
            tok = doc[j]
            text = tok.text
            if any(c.isdigit() for c in text) and re.match(r"^[A-Za-z0-9][A-Za-z0-9./\-]*$", text):
                digits += sum(c.isdigit() for c in text)
            elif text in {"-", "/"} and j > i and j + 1 < n and (
                    any(c.isdigit() for c in doc[j + 1].text)
                    or (digits >= 4 and doc[j + 1].text.isupper() and len(doc[j + 1].text) <= 2
                        and not tok.whitespace_ and not doc[j - 1].whitespace_)):  # "...-20917-B"
                pass
            elif text.isalpha() and text.isupper() and len(text) <= 3 and not doc[j - 1].is_space \
                    and (j == i or digits) and tok.lower_ not in ACRONYMS:
                pass
            elif j == i and text.isalpha() and len(text) <= 3 and j + 1 < n and doc[j + 1].text.isdigit() \
                    and tok.lower_ not in STOP_WORDS:
                pass  # "member id xdk 4418 2093"
            else:
                break
            j += 1
        while j > i and not any(c.isdigit() for c in doc[j - 1].text) \
                and not (doc[j - 1].text.isupper() and digits >= 6 and j - 1 > i):
            j -= 1  # no trailing dash, and letters only after a long number ("... 56 C")
        if j == i + 1 and re.match(YEAR_RE, doc[i].text):
            return i  # "Medicare, 2025 plans": a year
        return j if digits >= 4 else i

    def _birth_date(self, doc: Doc, s: int, e: int, dates, held) -> Optional[Tuple[int, int]]:
        """The date a birth word at tokens s..e refers to, if any. Not a date past a placeholder: in
        "born [DATE OF BIRTH] on 4/1/2024" the birth date has already gone."""
        direct = self._skip(doc, e, BIRTH_FILLERS, limit=3)
        if direct in dates.any_end:
            return direct, dates.any_end[direct]
        # The nearest full date: up to six words after (a place, not a new clause), three before.
        for ds in range(e, min(e + 7, len(doc))):
            if ds in dates.full_end:
                if not all((t.lower_ in BIRTH_AFTER or t.is_title) and t.i not in held for t in doc[e:ds]):
                    return None
                return ds, dates.full_end[ds]
        for de in range(s, max(s - 4, 0), -1):
            if de in dates.full_start:
                if not all(t.lower_ in BIRTH_BEFORE for t in doc[de:s]):
                    return None
                return dates.full_start[de], de
        return None

    def _street_ok(self, doc: Doc, s: int, e: int) -> bool:
        words = doc[s + 1:e - 1]
        if any(w.is_space or w.is_punct for w in words):
            return False
        if s > 0 and doc[s - 1].text in {"+", "-", "/", "."} and not doc[s - 1].whitespace_:
            return False
        suffix = doc[e - 1].lower_
        for w in words:
            low = w.lower_
            if low in NOT_STREET_WORDS or low in MEDICAL:
                return False
            if w.is_title or w.text[0].isdigit() or low in DIRECTIONS:
                continue
            if low in STOP_WORDS or suffix not in PLAIN_STREET_SUFFIXES or not w.text.islower():
                return False
        return True

    def _address_tail(self, doc: Doc, e: int) -> int:
        """Extend an address over ", Apt 4", ", Springfield, IL 62704", "London SW1A 1AA"."""
        n = len(doc)
        j = e
        if j < n and doc[j].lower_ in DIRECTIONS:
            j += 1  # "Pennsylvania Avenue NW"
        for _ in range(6):  # unit, town, state, ZIP: a few parts at most
            if j >= n:
                break
            k = j
            if doc[k].text == "." and not doc[k - 1].whitespace_ and k + 1 < n and doc[k + 1].text == ",":
                k += 1  # "Ave., Apt 4": the abbreviation's full stop, split off by the tokenizer
            town_in = doc[k].lower_ == "in" and k == j  # "12 Oak Street in Springfield"
            k = k + 1 if doc[k].text == "," or town_in else k
            if k >= n:
                break
            if doc[k].lower_ in UNIT_WORDS:  # ", Apt 4B" / "# 12"
                m = k + 1
                if m < n and doc[m].text in {".", "#"}:
                    m += 1
                if m < n and re.match(r"^[A-Za-z]?\d+[A-Za-z]?$|^[A-Za-z]$", doc[m].text):
                    j = m + 1
                    continue
                break
            end = self._postcode_end(doc, k) or self._zip_end(doc, k) or self._state_end(doc, k)
            if end:
                j = end
                continue
            # ", Springfield" only when a state, ZIP or postcode follows
            m = k
            while m < n and m - k < 3 and self._name_shaped(doc[m]) and not self._common(doc[m]):
                m += 1
            if m > k and m < n:
                m2 = m + 1 if doc[m].text == "," else m
                if m2 < n and (self._postcode_end(doc, m2) or self._zip_end(doc, m2) or self._state_end(doc, m2)):
                    j = m
                    continue
            if m > k and m < n and re.match(r"^\d{1,2}$", doc[m].text):
                m += 1  # "Dublin 8"
            if m > k > j and (m == n or doc[m].is_punct or doc[m].is_space or town_in):
                j = m  # "12 Oak Street, Springfield": the town after the street goes with it
            break
        return j

    @staticmethod
    def _zip_end(doc: Doc, i: int) -> int:
        n = len(doc)
        if i < n and re.match(r"^\d{5}$", doc[i].text):
            if i + 2 < n and doc[i + 1].text == "-" and re.match(r"^\d{4}$", doc[i + 2].text) \
                    and not doc[i].whitespace_ and not doc[i + 1].whitespace_:
                return i + 3
            return i + 1
        return 0

    def _state_end(self, doc: Doc, i: int) -> int:
        n = len(doc)
        if i < n and (doc[i].text in US_STATES or (doc[i].lower_ in US_STATE_NAMES and doc[i].is_title)):
            return self._zip_end(doc, i + 1) or i + 1
        if i < n and doc[i].text in STATES_ABROAD:
            j = i + 1
            if j + 1 < n and CA_POSTCODE_RE.match(doc[j].text) and re.match(r"^\d[A-Z]\d$", doc[j + 1].text):
                return j + 2  # "NS B3H 1A1"
            return j + 1 if j < n and re.match(r"^\d{4}$", doc[j].text) else j  # "VIC 3121"
        return 0

    @staticmethod
    def _postcode_end(doc: Doc, i: int, any_case: bool = False) -> int:
        n = len(doc)
        if i + 1 < n:
            a, b = (doc[i].text, doc[i + 1].text)
            if any_case:
                a, b = a.upper(), b.upper()
            if re.match(POSTCODE_OUT_RE, a) and re.match(POSTCODE_IN_RE, b) and doc[i].whitespace_:
                return i + 2
        return 0

    # ---- redacting --------------------------------------------------------------------------------

    def _shouted_names_first(self, text: str) -> str:
        """A message typed in capitals ("DONT TELL KEMI") shows no name by its case: it is read once in
        lower case too, as a phone types it, where names are found by the lists and cues for lower-case
        names; what either reading finds (overlaps joined) is replaced before the usual passes."""
        letters = [c for c in text if c.isalpha()]
        if len(letters) < 12 or sum(c.isupper() for c in letters) < 0.8 * len(letters):
            return text
        lowered = text.lower()
        if len(lowered) != len(text):  # "İ" lower-cases to two characters: spans would not line up
            return text
        spans = sorted(self.find(text) + self.find(lowered), key=lambda r: (r.start, -r.end))
        joined: List[Redaction] = []
        for r in spans:
            if joined and r.start < joined[-1].end:
                last = joined[-1]
                if r.end > last.end:  # "[GLORIA] WASHINGTON" and "GLORIA WASHINGTON": the whole
                    joined[-1] = Redaction(last.start, r.end, last.label if last.end - last.start >= r.end - r.start else r.label)
                continue
            joined.append(r)
        return _apply(text, joined)

    def redact(self, text: str) -> str:
        _check(text)
        text = self._shouted_names_first(text)
        memo = {}
        for _ in range(MAX_PASSES):
            done = _apply(text, self.find(text, memo))
            if done == text:
                break
            text = done
        return text

    def redact_many(self, texts: Iterable[str], batch_size: int = 64) -> List[str]:
        """Redact many messages, tokenizing them in batches with nlp.pipe (the review page's ~50 messages)."""
        texts = list(texts)
        for t in texts:
            _check(t)
        out = [self._shouted_names_first(t) for t in texts]
        todo = list(range(len(texts)))
        for _ in range(MAX_PASSES):
            if not todo:
                break
            small = [i for i in todo if len(out[i]) <= self._chunk_size()]
            results = {}
            copies = [_analysis_copy(out[i]) for i in small]
            docs = list(self.nlp.pipe(copies, batch_size=batch_size, disable=list(self.nlp.pipe_names)))
            rules = [self._rules(doc, out[i]) for i, doc in zip(small, docs)]
            names = self.names.spans_many(
                copies, batch_size, held=[_held_chars(c) for c in copies],
                covered=[_covered(doc, *found[:2]) for doc, found in zip(docs, rules)]) if self.names else [None] * len(small)
            for i, doc, found, found_names in zip(small, docs, rules, names):
                results[i] = _apply(out[i], self._finish(doc, *found, found_names))
            for i in todo:
                if i not in results:
                    results[i] = _apply(out[i], self.find(out[i]))
            todo = [i for i in todo if results[i] != out[i]]
            for i in results:
                out[i] = results[i]
        return out


class _DateIndex:
    """Date matches by where they start (longest end) and, for full dates, where they end (earliest start)."""

    def __init__(self, full, part):
        self.full_end, self.full_start, self.any_end = {}, {}, {}
        for s, e in full:
            self.full_end[s] = max(e, self.full_end.get(s, e))
            self.full_start[e] = min(s, self.full_start.get(e, s))
        for s, e in list(full) + list(part):
            self.any_end[s] = max(e, self.any_end.get(s, e))


def _id_shaped(candidate: str) -> bool:
    """A reference, case, licence or member number by its shape (ID_SHAPE_RE): five digits or more, in
    groups with letters or separators ("2023-DI-04418", "RR-24-7719", "MAC/88214", "S6104473J",
    "24-03317"); not a date, a trial id, a decimal or a range of two plain numbers ("150-400")."""
    digits = sum(c.isdigit() for c in candidate)
    if digits < 5 or DATE_LIKE_RE.match(candidate) or TRIAL_ID_RE.match(candidate) or DECIMAL_RE.match(candidate):
        return False
    groups = re.split(r"[-/.]", candidate)
    if any(g.lower() in MONTHS for g in groups):
        return False  # "12-Mar-1970" is a date
    if any(c.isalpha() for c in candidate):
        return any(c.isdigit() for c in groups[0] + groups[-1]) or len(groups) > 2 or digits >= 6
    if len(groups) == 1 or _valid_phone(candidate):
        return False  # a plain run of digits is read by the token rules (LONG_NUMBER), a phone number as one
    return len(groups) > 2 or digits >= 7 or any(g.startswith("0") for g in groups[1:])


@lru_cache(maxsize=4096)
def _valid_phone(candidate: str) -> bool:
    """A valid number in one of PHONE_REGIONS, by phonenumbers (an international one in any country)."""
    for region in PHONE_REGIONS:
        try:
            if phonenumbers.is_valid_number(phonenumbers.parse(candidate, region)):
                return True
        except phonenumbers.NumberParseException:
            continue
        if candidate.lstrip().startswith("+"):
            return False  # the region does not matter after a country code
    return False


# An extension after a phone number: "0161 496 0550 ext 3321", "x204", "extn. 12".
EXTENSION_RE = re.compile(r"\s*(?:,\s*)?(?:ext|extn|extension|x|poste|durchwahl)\.?\s*:?\s*\d{1,6}\b", re.IGNORECASE)


def _extension_end(text: str, end: int) -> int:
    m = EXTENSION_RE.match(text, end)
    return m.end() if m else end


def _held_chars(text: str) -> List[Tuple[int, int]]:
    return [(m.start(), m.end()) for m in PLACEHOLDER_RE.finditer(text)]


def _covered(doc: Doc, spans, chars) -> List[Tuple[int, int]]:
    """Characters the rules already redact: the name finder need not read words there."""
    return [(doc[s].idx, doc[e - 1].idx + len(doc[e - 1])) for s, e, _ in spans if e > s] + [(s, e) for s, e, _ in chars]


def _check(text) -> None:
    if not isinstance(text, str):
        raise TypeError(f"redact expects str, not {type(text).__name__}")


def _analysis_copy(text: str) -> str:
    """The text the tokenizer sees: straight apostrophes ("I’m" as "I'm"), glued keywords split
    ("MRN:123" as "MRN 123"), control and invisible formatting characters as spaces (so "\x07Jane" is
    still a name), and lone surrogates, which a Python str may hold but spaCy cannot encode, as U+FFFD.
    Every change is one character for one, so offsets still point into the original text."""
    text = text.replace("\u2019", "'").replace("\u2018", "'")
    text = SURROGATE_RE.sub("\ufffd", INVISIBLE_RE.sub(" ", text))
    return GLUED_RE.sub(lambda m: m.group(1) + " ", text)


def _chunks(text: str, size: int):
    """(offset, piece) pairs covering the text, cut at whitespace where there is some."""
    start, n = 0, len(text)
    while start < n:
        end = min(n, start + size)
        if end < n:
            cut = max(text.rfind(c, start + size // 2, end) for c in ("\n", " ", "\t"))
            if cut > start:
                end = cut + 1
        yield start, text[start:end]
        start = end


def _merge(spans: Sequence[Tuple[int, int, str]]) -> List[Redaction]:
    """Overlapping findings become one; the most specific label (PRIORITY) names it."""
    merged: List[list] = []
    for s, e, label in sorted(spans):
        if merged and s < merged[-1][1]:
            last = merged[-1]
            last[1] = max(last[1], e)
            if PRIORITY[label] < PRIORITY[last[2]]:
                last[2] = label
        else:
            merged.append([s, e, label])
    return [Redaction(s, e, label) for s, e, label in merged]


def _apply(text: str, found: Sequence[Redaction]) -> str:
    parts, pos = [], 0
    for r in found:
        parts.append(text[pos:r.start])
        parts.append(r.placeholder)
        pos = r.end
    parts.append(text[pos:])
    return "".join(parts)


# --------------------------------------------------------------------------------------------------
# Module-level helpers on one shared Redactor
# --------------------------------------------------------------------------------------------------

_redactor: Optional[Redactor] = None
_lock = threading.Lock()


def get_redactor() -> Redactor:
    """The process's Redactor on the project's pipeline, built on first use."""
    global _redactor
    if _redactor is None:
        with _lock:
            if _redactor is None:
                _redactor = Redactor()
    return _redactor


def redact(text: str) -> str:
    """The message with its personal data replaced by placeholders such as [NAME] and [PHONE]."""
    return get_redactor().redact(text)


def redact_many(texts: Iterable[str]) -> List[str]:
    """redact() for many messages at once (faster: the tokenizer runs over them in batches)."""
    return get_redactor().redact_many(texts)


def find(text: str) -> List[Redaction]:
    """Where the personal data in a message is (for highlighting), without changing it."""
    return get_redactor().find(text)
