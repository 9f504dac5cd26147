"""The kinds of personal detail redaction covers beside names and the first rules (privacy.redact):
phone numbers in other countries' layouts (checked by phonenumbers), credentials, spelled-out e-mail
and web addresses, social handles, account and card numbers, continental street addresses, birth
dates in other languages; and the ordinary numbers and words that must stay."""
import pytest

from privacy.redact import PLACEHOLDERS, Redactor


@pytest.fixture(scope="module")
def redactor(nlp):
    return Redactor(nlp)


# (message, what must be gone, the placeholder that must be there)
DETAILS = [
    # phone numbers: national layouts of Spain, France, Brazil, Germany, Mexico, Italy, Poland
    ("mi teléfono es 612 34 56 78", "612 34 56 78", "[PHONE]"),
    ("mon portable: 06 45 78 12 90", "06 45 78 12 90", "[PHONE]"),
    ("meu celular é (21) 98765-4321", "98765-4321", "[PHONE]"),
    ("Handy: 0151 23456789", "0151 23456789", "[PHONE]"),
    ("WhatsApp +52 1 55 1234 5678", "1234 5678", "[PHONE]"),
    ("numero di cellulare 347 123 4567", "347 123 4567", "[PHONE]"),
    ("zadzwoń: 601 234 567", "601 234 567", "[PHONE]"),
    ("06 12 34 56 78", "06 12 34 56 78", "[PHONE]"),
    ("ring me on +44 7700 900 461 please", "7700 900 461", "[PHONE]"),
    # credentials
    ("my password for the portal is Sunflower#2023", "Sunflower#2023", "[CREDENTIAL]"),
    ("PIN is 7731", "7731", "[CREDENTIAL]"),
    ("the login code they sent was 558201", "558201", "[CREDENTIAL]"),
    ("username: kbrennan64 password: tulips4ever", "kbrennan64", "[CREDENTIAL]"),
    ("username: kbrennan64 password: tulips4ever", "tulips4ever", "[CREDENTIAL]"),
    ("my passcode is 120564 for the app", "120564", "[CREDENTIAL]"),
    ('my password is "purple monkey dishwasher"', "monkey", "[CREDENTIAL]"),
    ("my password: Blue Horse 77", "Horse", "[CREDENTIAL]"),
    ("mi contraseña es Gatito2020", "Gatito2020", "[CREDENTIAL]"),
    # e-mail addresses spelled out
    ("my email is jane dot doe at example dot org", "jane", "[EMAIL]"),
    ("contact: h.okafor(at)uni-example(dot)de", "okafor", "[EMAIL]"),
    ("write to j.doe [at] mail.com", "j.doe", "[EMAIL]"),
    ("send it to bettina_k at gmx dot de", "bettina_k", "[EMAIL]"),
    ("email pat at outlook dot com", "pat at outlook", "[EMAIL]"),
    # web addresses and handles
    ("my gofundme is gofundme dot com slash help-for-denise", "denise", "[URL]"),
    ("I blog at www.stage4andstillhere.de/ueber-mich", "stage4andstillhere", "[URL]"),
    ("my insta is metsmama_ana72", "metsmama_ana72", "[NAME]"),
    ("find me on TikTok: chemo.with.carla", "chemo.with.carla", "[NAME]"),
    # account, card and ID numbers
    ("my account number is 4417 8823 0091", "8823", "[RECORD NUMBER]"),
    ("card 5500 0000 0000 0004 exp 09/27", "5500 0000", "[RECORD NUMBER]"),
    ("IBAN GB29 NWBK 6016 1331 9268 19", "NWBK 6016", "[RECORD NUMBER]"),
    ("DNI 48291734K", "48291734K", "[RECORD NUMBER]"),
    ("NHS no. 943 476 5919", "943 476 5919", "[RECORD NUMBER]"),
    ("hospital number RX0048812", "RX0048812", "[RECORD NUMBER]"),
    ("the claim number on the letter is 2024-778812", "778812", "[RECORD NUMBER]"),
    # addresses, here and abroad
    ("my address is Calle de Toledo 45, 28005 Madrid", "Toledo", "[ADDRESS]"),
    ("send it to 8 rue des Lilas, 69003 Lyon", "Lilas", "[ADDRESS]"),
    ("Hauptstraße 5, 10115 Berlin", "Hauptstraße", "[ADDRESS]"),
    ("Via Roma 10, 00184 Roma", "Via Roma 10", "[ADDRESS]"),
    ("ul. Marszałkowska 10, 00-950 Warszawa", "Marszałkowska", "[ADDRESS]"),
    ("buzz apt 12C when the courier comes", "12C", "[ADDRESS]"),
    ("our house is 15 Maple Drive, Springfield", "Springfield", "[ADDRESS]"),
    # written after the first run on the frozen set (its per-kind recall, no message read): other layouts
    ("call the house, 555-0199, anytime after 10", "555-0199", "[PHONE]"),
    ("my email is janedoe62 at gmail", "janedoe62", "[EMAIL]"),
    ("email: j.doe@company", "j.doe@company", "[EMAIL]"),
    ("all my links are on linktr.ee/metsmama", "metsmama", "[URL]"),
    ("watch my story at youtube.com/@chemocookingwithjane", "chemocookingwithjane", "[URL]"),
    ("Apartment 3B, 77 Sunset Boulevard, Los Angeles", "3B", "[ADDRESS]"),
    ("my mum lives at 14 Glebe Terrace, Apt 2, Dublin 8", "Dublin", "[ADDRESS]"),
    ("I live at 45 Oak Street in Springfield with my husband", "Springfield", "[ADDRESS]"),
    ("my address is Av. Paulista, 1578", "Paulista, 1578", "[ADDRESS]"),
    ("DOB: 12-Mar-1970, MRN to follow", "1970", "[DATE OF BIRTH]"),
    ("I was born in May of 1960 and diagnosed at 58", "1960", "[DATE OF BIRTH]"),
    ("the form wants my birthdate, it's 9/9/62", "9/9/62", "[DATE OF BIRTH]"),
    ("case ref 2023/44817 on the letter", "44817", "[RECORD NUMBER]"),
    ("my chart number is 88812", "88812", "[RECORD NUMBER]"),
    ("the claim CLM-88-12345 was denied again", "12345", "[RECORD NUMBER]"),
    ("login: janedoe62 / pw: Roses!23", "Roses!23", "[CREDENTIAL]"),
    ("the answer to my security question is Rover", "Rover", "[CREDENTIAL]"),
    ("the door code is 4471, the nurse can let herself in", "4471", "[CREDENTIAL]"),
    ("my instagram is janedoecooks", "janedoecooks", "[NAME]"),
    ("1234 NE 5th Ave, Portland, OR 97232", "Portland", "[ADDRESS]"),
    ("please write to 42 Harbour View Crescent, Halifax, NS B3H 1A1", "B3H", "[ADDRESS]"),
    ("we're on Maple Avenue near the park", "Maple", "[ADDRESS]"),
    # The whole address, not only the part the token rules find (privacy/addresses.py).
    ("Flat 4, Heron Court, 19 Quay Road, Ennis, Co. Clare V95 X2K7 is where I am", "Heron", "[ADDRESS]"),
    ("Flat 4, Heron Court, 19 Quay Road, Ennis, Co. Clare V95 X2K7 is where I am", "Ennis", "[ADDRESS]"),
    ("Unit 2/41 Banksia Rd, Dee Why NSW 2099 please", "Dee Why", "[ADDRESS]"),
    ("post it to 610 rue Sherbrooke, Montreal QC H3A 1E4, merci", "Montreal", "[ADDRESS]"),
    ("apt 3 - 71 king st w, toronto on m5h 1j9 for the nurse", "toronto", "[ADDRESS]"),
    ("address: Plot 9, Shanti Vihar, Pune 411014", "Shanti", "[ADDRESS]"),
    ("mi dirección es Calle Olmo 8, 2º C, 29001 Málaga", "Málaga", "[ADDRESS]"),
    ("Wren Cottage, Mill Lane, Great Bardfield, Essex CM7 4SL", "Wren Cottage", "[ADDRESS]"),
    ("my date of birth is 5 May 55", "May 55", "[DATE OF BIRTH]"),
    ("SSN ending 6789", "6789", "[RECORD NUMBER]"),
    ("license plate ABC-1234", "1234", "[RECORD NUMBER]"),
    ("pass: Sunflower1", "Sunflower1", "[CREDENTIAL]"),
    # lower-case names that are no English word: a surname after a first name, a sign-in
    ("this is maria kowalczyk, her daughter", "kowalczyk", "[NAME]"),
    ("oluwaseun here, asking for my aunt", "oluwaseun", "[NAME]"),
    # birth dates the token rules missed or left in part (privacy/birth_dates.py)
    ("Mum, b. 03.09.1957, on letrozole", "03.09.1957", "[DATE OF BIRTH]"),
    ("urodziłem się 2 marca 1968 w Krakowie", "marca 1968", "[DATE OF BIRTH]"),
    ("mi fecha de nacimiento es el 9 de enero de 1971", "enero de 1971", "[DATE OF BIRTH]"),
    ("my DOB is the 5th of May nineteen fifty-nine", "fifty-nine", "[DATE OF BIRTH]"),
    ("born in 1966 on the 21st of August, if the form needs it", "21st of August", "[DATE OF BIRTH]"),
    # birth dates in other languages
    ("nací el 15/08/1970", "15/08/1970", "[DATE OF BIRTH]"),
    ("born 14 de marzo de 1972", "1972", "[DATE OF BIRTH]"),
    ("geboren am 03.04.1961", "03.04.1961", "[DATE OF BIRTH]"),
    ("Mutter, geb. 11.02.1950, nimmt Letrozol", "11.02.1950", "[DATE OF BIRTH]"),
    ("Pani Ewa, ur. 30.06.1958", "30.06.1958", "[DATE OF BIRTH]"),
    ("minha irmã nasceu em 02/11/1963", "02/11/1963", "[DATE OF BIRTH]"),
    ("mum's birth day 4/4/1948 if the form asks", "4/4/1948", "[DATE OF BIRTH]"),
    # a whole birth date later in the sentence of its birth word (a later diagnosis date stays: below)
    ("they asked for his date of birth on the phone and I said 12 June 1957", "12 June 1957", "[DATE OF BIRTH]"),
    # secrets a few words after the word for them, with no "is"
    ("the portal password Lilac!2291 stopped working", "Lilac!2291", "[CREDENTIAL]"),
    ("I forgot my pin, maybe 3914 or 4193", "4193", "[CREDENTIAL]"),
    ("my security answer was set to Tamarind77 years ago", "Tamarind77", "[CREDENTIAL]"),
    ("the code on the reminder letter for the app is 4KD-88P-210", "4KD-88P-210", "[CREDENTIAL]"),
    ("pwd=violet99", "violet99", "[CREDENTIAL]"),
    # e-mail addresses spelled out in Spanish, with an underscore in words
    ("escríbanme a lucia punto mendez arroba yahoo punto com", "mendez", "[EMAIL]"),
    ("send it to ken underscore obi at gmail dot com", "ken", "[EMAIL]"),
    # record numbers: a few words between the word and the number; Aadhaar; a letter at the end
    ("the policy number on my insurance card is PPO-771-30288-C", "30288-C", "[RECORD NUMBER]"),
    ("aadhaar 3318 6620 9054 for the scheme", "3318 6620 9054", "[RECORD NUMBER]"),
    # a phone number read out in words
    ("ring me on seven seven zero zero nine double one four two", "nine double one", "[PHONE]"),
    ("my desk phone is 0113 496 0127 ext 2210", "2210", "[PHONE]"),
    # addresses: the town and postcode a few words after the street
    ("we live at 9 ash rd, in hull, postcode hu5 2qd", "hull", "[ADDRESS]"),
    ("12 mill lane, york, yo1 7hh is where the letter should go", "yo1 7hh", "[ADDRESS]"),
    # names: a surname after "last name", a lower-case name from the lists after "it's", a name
    # alone after the last sentence, a first name before a surname the model found, Hindi
    ("last name Wojcik, first name Anna", "Wojcik", "[NAME]"),
    ("hey its jamal again, quick question", "jamal", "[NAME]"),
    ("Please use my mobile only, not the landline. Siobhán", "Siobhán", "[NAME]"),
    ("thanks so much for all of this, Kwabena", "Kwabena", "[NAME]"),
    ("My sister ADAEZE asked about the trial", "ADAEZE", "[NAME]"),
    ("so me and declan drove up for the scan", "declan", "[NAME]"),
    ("appointment with DR. OYELARAN-SMITH on monday", "OYELARAN", "[NAME]"),
    ("what do the numbers on the report mean\n-kb", "kb", "[NAME]"),
    ("my nani Gurpreet started letrozole", "Gurpreet", "[NAME]"),
    ("my friend is Lottie Brannigan-Shaw", "Lottie", "[NAME]"),
    ("ask Mei-ling Tsang about it", "ling", "[NAME]"),
    # a secret after "login"/"username", a record number after "card" or a screening number
    ("my login is locked, I typed Orchid$55 three times", "Orchid$55", "[CREDENTIAL]"),
    ("Medicare card 4410 28871 2 for the form", "28871", "[RECORD NUMBER]"),
    ("screening # TRX-4410-071 from the trial nurse", "4410-071", "[RECORD NUMBER]"),
    ("namaste, main Priyanka Raghavan hoon", "Priyanka", "[NAME]"),
    # reference numbers by their shape, wherever they stand; "member id" in lower case; more birth cues
    ("the appeal ref on the letter is 2022-QX-71830, is that the right one", "71830", "[RECORD NUMBER]"),
    ("grant reference HLP/40917 came by post", "40917", "[RECORD NUMBER]"),
    ("my licence is K2291-40118-55302 if the driver asks", "40118", "[RECORD NUMBER]"),
    ("hospital no: T4470193Q. when is my echo", "4470193", "[RECORD NUMBER]"),
    ("member id jkw 5512 9083 on the back of the card", "5512 9083", "[RECORD NUMBER]"),
    ("tanggal lahir 03-11-1966, tolong bantu", "03-11-1966", "[DATE OF BIRTH]"),
    ("ipinanganak ako noong Hulyo 9, 1959", "Hulyo 9, 1959", "[DATE OF BIRTH]"),
    # a number with a comma before its street, a plot or purok, a Malaysian jalan
    ("we are at Plot 41, Gayaza Road, Kampala now", "Gayaza Road", "[ADDRESS]"),
    ("it's 27, Adebayo Crescent, Ibadan", "Adebayo Crescent", "[ADDRESS]"),
    ("send it to 8 Jalan Telawi, Bangsar please", "Jalan Telawi", "[ADDRESS]"),
    ("Purok 5, Brgy. San Isidro po kami", "Purok 5", "[ADDRESS]"),
]


@pytest.mark.parametrize("text, secret, placeholder", DETAILS)
def test_detail_is_replaced(redactor, text, secret, placeholder):
    out = redactor.redact(text)
    assert secret not in out, out
    assert placeholder in out, out
    assert redactor.redact(out) == out


@pytest.mark.parametrize("text", [
    "my counts were 250 300 1500 over three weeks",
    "on Ibrance from 2019-2021 and Kisqali 2022 - 2024",
    "diagnosed 04/12/2019, scan on 14.03.2024",
    "platelets 150 000, ANC 1 500",
    "pins and needles in my feet after Taxol",
    "the pin in my hip hurts when it rains",
    "I need a password reset for the portal",
    "my password is the same as before",
    "what's the PIN code for the pharmacy locker? they never told me",
    "look at the dot com sites, not the blogs",
    "I'm at home, call the clinic at 9",
    "in Spring 2024 I started Enhertu",
    "we go via Zoom 2 times a week",
    "my insta is private",
    "I take 2.5 mg letrozole and 600 mg Kisqali",
    "blood pressure 120/80, heart rate 72",
    "Stage 4 since 2019, ER+ PR- HER2 1+",
    "1000 mg/m2 twice a day for 14 days",
    "the ICD code is C50.9 and the area code is 212",
    "call me crazy, 2 years 3 months on Ibrance",
    "I'm on Ibrance and Faslodex, pass the salt",
    "my insta is private and my facebook is closed",
    "Plan B. 5/5/2024 was my scan",
    "newbie here, just diagnosed and scared",
    "number of 2000 patients in the trial",
    "I was born in Leeds and diagnosed on 3 March 2019",
    "my password reset link expired after 24 hours",
    "forgot my pin again, the pharmacy locker is on level 2",
    "one or two of the three tablets, five or six days",
    "we met at the clinic at noon and sat at a table",
    "Thank you so much for this. Gracias!",
    "Thanks for explaining, Ibrance makes more sense now",
    "mi mamá tiene cáncer de mama metastásico",
    "my husband wont go to the appointments with me",
    "Will Enhertu work for me",
    "Hope Lodge was booked so we stayed at a hotel",
    "I had a CT scan and an MRI at MD Anderson",
    "platelets 150-400 and CA 15-3 was 48, dose 12.5 mg, bill was 12,345.67",
    "HER2-low, BRCA1/2 negative, COVID-19 booster in 2023-2024",
    "cycle 3, day 8 of 21 and 2, maybe 3 walks a week in the park",
        "my appt 3 of 6 is tomorrow, the apartment 2 floors up has a lift",
])
def test_ordinary_numbers_and_words_stay(redactor, text):
    assert redactor.redact(text) == text


def test_the_new_placeholder_is_never_redacted_again(redactor):
    assert PLACEHOLDERS["CREDENTIAL"] == "[CREDENTIAL]"
    text = "my password is [CREDENTIAL] and my PIN is [CREDENTIAL]"
    assert redactor.redact(text) == text


def test_batch_and_single_agree_on_the_new_kinds(redactor):
    texts = [case[0] for case in DETAILS]
    assert redactor.redact_many(texts) == [redactor.redact(t) for t in texts]
