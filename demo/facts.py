"""The demo data set: facts stated in the five published articles in ``demo/news/``.

Titles and names in other languages (``title_translations``, ``name_translations``) are
given only where an article states them in that language: article 000 is in Russian, the
others in English, so a few events and a scholarship have a Russian title and nothing has a
Kazakh or Azerbaijani one (readers get the fallback, cooperation.translations). Cities'
names in other languages come from universities/fixtures/city_names.csv.

Every record names the article(s) it comes from by key (the file names' numbers). Nothing
is invented: where an article is vague (a year, not a date) the record is stored with that
precision, and where a year has to be read from the context, the description says how.
Two articles that disagree (40 memoranda by 22 Kazakh universities, or by 17 universities of
both countries) are both kept, each with its source.
"""

import datetime

D = datetime.date

SOURCES = {
    "000": {
        "title": "В ряде регионов Казахстана прошли мероприятия по случаю годовщины "
        "восстановления независимости Азербайджана",
        "language": "ru",
        "published_on": D(2016, 1, 1),
        "published_precision": "year",
        "excerpt": "Студенты-отличники Атырауского государственного университета получили "
        "повышенную стипендию Гейдара Алиева.",
        "notes": "The article cites the Ministry of Foreign Affairs of Azerbaijan and Minval.az. "
        "Year read from the text: the 25th anniversary of the restoration of independence "
        "(1991).",
    },
    "001": {
        "title": "Al-Farabi Kazakh National University signed a memorandum with Azerbaijan "
        "National Academy of Sciences",
        "language": "en",
        "published_on": D(2018, 1, 1),
        "published_precision": "year",
        "excerpt": "According to the agreement, scientists from the two states can take advantage "
        "of research centers, organize joint conferences and participate in scholarship "
        "projects.",
        "notes": "Year read from the text: the 100th anniversary of the Azerbaijan Democratic "
        "Republic and 27 years of Kazakhstan's independence (2018).",
    },
    "002": {
        "title": "Second Forum of Rectors of Higher Education Institutions of Kazakhstan and "
        "Azerbaijan held in Almaty",
        "language": "en",
        "published_on": D(2026, 4, 6),
        "published_precision": "day",
        "excerpt": "By the end of 2025, 333 Azerbaijani citizens were studying at 58 Kazakh "
        "universities, while 164 Kazakh citizens were studying at Azerbaijani universities.",
        "notes": "The article gives 6 April without a year; 2026 follows from its figures "
        "'by the end of 2025'.",
    },
    "003": {
        "title": "Kazakhstan develops educational cooperation with Azerbaijan: interview of "
        "Minister Sayasat Nurbek",
        "publisher": "Trend",
        "language": "en",
        "published_on": D(2025, 3, 5),
        "published_precision": "day",
        "excerpt": "Currently, more than 70 Kazakhstani universities have signed bilateral "
        "agreements with Azerbaijan.",
        "notes": "Dated BAKU, 5 March 2025.",
    },
    "004": {
        "title": "ADA University hosted a round table on cooperation in higher education "
        "between Azerbaijan and Kazakhstan",
        "language": "en",
        "published_on": D(2025, 3, 4),
        "published_precision": "day",
        "excerpt": "The discussions culminated in the signing of 40 Memoranda of Understanding, "
        "involving a total of 17 universities from both countries.",
        "notes": "The article gives 4 March without a year; 2025 follows from the Trend "
        "interview given in Baku on 5 March 2025 during the same visit of Minister Nurbek.",
    },
}

# Institutions the reference data lacks. Keyed by a short handle used below.
INSTITUTIONS = {
    "anas": {
        "name": "Azerbaijan National Academy of Sciences",
        "kind": "academy_of_sciences",
        "country": "AZ",
        "city": "Baku",  # its seat: places it on the maps (at the city)
        "sources": ["001"],
    },
    "gov_kz": {
        "name": "Government of the Republic of Kazakhstan",
        "kind": "government",
        "country": "KZ",
        "city": "Astana",  # its seat: places it on the maps (at the city)
        "sources": ["003"],
    },
    "gov_az": {
        "name": "Government of the Republic of Azerbaijan",
        "kind": "government",
        "country": "AZ",
        "city": "Baku",  # its seat: places it on the maps (at the city)
        "sources": ["003"],
    },
    "ministry_kz": {
        "name": "Ministry of Science and Higher Education of the Republic of Kazakhstan",
        "kind": "government",
        "country": "KZ",
        "city": "Astana",  # its seat: places it on the maps (at the city)
        "sources": ["002", "003", "004"],
    },
    "ministry_az": {
        "name": "Ministry of Science and Education of the Republic of Azerbaijan",
        "kind": "government",
        "country": "AZ",
        "city": "Baku",  # its seat: places it on the maps (at the city)
        "sources": ["002", "004"],
    },
    # Foreign universities that, the minister says, operate in Kazakhstan: the home
    # university abroad and its campus in Kazakhstan (article 003).
    "mendeleev": {
        "name": "Mendeleev University of Chemical Technology of Russia",
        "country": "RU",
        "names": [("Mendeleev Russian Chemical-Technological University", "en", "alias")],
        "sources": ["003"],
    },
    "gubkin": {
        "name": "Gubkin Russian State University of Oil and Gas",
        "country": "RU",
        "sources": ["003"],
    },
    "mipt": {
        "name": "Moscow Institute of Physics and Technology",
        "country": "RU",
        "sources": ["003"],
    },
    "qub": {"name": "Queen's University Belfast", "country": "GB", "sources": ["003"]},
    "umn": {"name": "University of Minnesota", "country": "US", "sources": ["003"]},
    "arizona": {"name": "University of Arizona", "country": "US", "sources": ["003"]},
}
BRANCHES = ["mendeleev", "gubkin", "mipt", "qub", "umn", "arizona"]
BRANCH_COUNTRY = "KZ"

# Institutions already in the reference data, by ROR id.
REFERENCE = {
    "atyrau": "05nmhtv58",
    "kaznu": "03q0vrn42",
    "ada": "053ez2v94",
}
# Names the articles use that the reference data does not record.
EXTRA_NAMES = [
    ("atyrau", "Атырауский государственный университет им. Х.Досмухамедова", "ru", "former", "000"),
]

PEOPLE = {
    "mamedov": {
        "name": "Rashad Mamedov",
        "name_local": "Рашад Мамедов",
        "position": "Ambassador of Azerbaijan to Kazakhstan",
        "country": "AZ",
        "sources": ["000"],
    },
    "zeynalov": {
        "name": "Elkhan Zeynalov",
        "name_local": "Эльхан Зейналов",
        "position": "Head of the Consulate General of the Republic of Azerbaijan in Aktau",
        "country": "AZ",
        "sources": ["000"],
    },
    "amirzhanov": {
        "name": "Rakimbek Amirzhanov",
        "name_local": "Ракимбек Амиржанов",
        "position": "Deputy akim of Mangystau Region",
        "country": "KZ",
        "sources": ["000"],
    },
    "amrullayev": {
        "name": "Emin Amrullayev",
        "position": "Minister of Science and Education of the Republic of Azerbaijan",
        "institution": "ministry_az",
        "country": "AZ",
        "sources": ["002", "004"],
    },
    "nurbek": {
        "name": "Sayasat Nurbek",
        "position": "Minister of Science and Higher Education of the Republic of Kazakhstan",
        "institution": "ministry_kz",
        "country": "KZ",
        "sources": ["002", "003", "004"],
    },
    "pashayev": {
        "name": "Hafiz Pashayev",
        "position": "Rector of ADA University",
        "institution": "ada",
        "country": "AZ",
        "sources": ["004"],
    },
    "bayel": {
        "name": "Alim Bayel",
        "position": "Ambassador of Kazakhstan to Azerbaijan",
        "country": "KZ",
        "sources": ["004"],
    },
    "dowhan": {
        "name": "Robert Dowhan",
        "position": "Member of the Polish Senate",
        "country": "PL",
        "sources": ["001"],
    },
}

EVENTS = {
    "atyrau_2016": {
        "title": "Anniversary of the restoration of Azerbaijan's independence at Atyrau University",
        # Article 000 in Russian: "мероприятия по случаю годовщины восстановления
        # независимости Азербайджана ... состоялось в Атырауском государственном университете".
        "title_translations": {
            "ru": "Годовщина восстановления независимости Азербайджана в Атырауском "
            "государственном университете"
        },
        "kind": "celebration",
        "start_date": D(2016, 1, 1),
        "date_precision": "year",
        "city": "Atyrau",
        "country": "KZ",
        "host_institution": "atyrau",
        "status": "held",
        "description": "Ambassador Rashad Mamedov spoke about the country's achievements over 25 "
        "years. Top students of the university received the increased Heydar Aliyev "
        "scholarship.",
        "participants": [("mamedov", "speaker", "Ambassador of Azerbaijan to Kazakhstan", "AZ")],
        "sources": ["000"],
    },
    "aktau_2016": {
        "title": "Reception of the Consulate General of Azerbaijan in Aktau for the 25th "
        "anniversary of the restoration of independence",
        # Article 000: "в Актау также состоялся торжественный прием консульства Азербайджана.
        # Официальный прием был приурочен к 25-летию восстановления независимости Республики
        # Азербайджан."
        "title_translations": {
            "ru": "Торжественный прием консульства Азербайджана в Актау, приуроченный к "
            "25-летию восстановления независимости Республики Азербайджан"
        },
        "kind": "reception",
        "start_date": D(2016, 1, 1),
        "date_precision": "year",
        "city": "Aktau",
        "country": "KZ",
        "status": "held",
        "description": "Opened by the head of the Consulate General; the deputy akim of "
        "Mangystau Region greeted the guests on behalf of the akimat.",
        "participants": [
            ("zeynalov", "host", "Head of the Consulate General of Azerbaijan in Aktau", "AZ"),
            ("amirzhanov", "speaker", "Deputy akim of Mangystau Region", "KZ"),
        ],
        "sources": ["000"],
    },
    "kaznu_conference_2018": {
        "title": "Conference on the 100th anniversary of the Azerbaijan Democratic Republic, "
        "the 95th anniversary of Heydar Aliyev and the 135th anniversary of Huseyn Javid",
        "kind": "conference",
        "start_date": D(2018, 1, 1),
        "date_precision": "year",
        "city": "Almaty",
        "country": "KZ",
        "host_institution": "kaznu",
        "organisers": ["kaznu"],
        "status": "held",
        "description": "Organised by Al-Farabi Kazakh National University, which hosts an "
        "Azerbaijani centre of history and culture.",
        "participants": [],
        "sources": ["001"],
    },
    "nurbek_visit_2025": {
        "title": "Visit of Minister Sayasat Nurbek to Azerbaijan",
        "kind": "official_visit",
        "start_date": D(2025, 3, 1),
        "date_precision": "month",
        "city": "Baku",
        "country": "AZ",
        "status": "held",
        "description": "During the visit the minister took part in the round table at ADA "
        "University (4 March) and gave an interview to Trend in Baku (5 March).",
        "participants": [("nurbek", "guest", None, "KZ")],
        "sources": ["003", "004"],
    },
    "ada_round_table_2025": {
        "title": "Round table on expanding cooperation in higher education between Azerbaijan "
        "and Kazakhstan",
        "kind": "round_table",
        "start_date": D(2025, 3, 4),
        "date_precision": "day",
        "city": "Baku",
        "country": "AZ",
        "host_institution": "ada",
        "organisers": ["ada"],
        "status": "held",
        "description": "Panels: dual diploma programmes; scientific cooperation; academic "
        "mobility and cultural cooperation. The discussions culminated in the signing of 40 "
        "memoranda of understanding involving 17 universities of both countries; the "
        "article does not name them.",
        "participants": [
            ("pashayev", "host", None, "AZ"),
            ("amrullayev", "speaker", None, "AZ"),
            ("nurbek", "speaker", None, "KZ"),
            ("bayel", "speaker", None, "KZ"),
        ],
        "sources": ["004"],
    },
    "baku_exhibition": {
        "title": "Educational exhibition of Kazakh universities in Baku",
        "kind": "exhibition",
        "start_date": None,
        "date_precision": "year",
        "city": "Baku",
        "country": "AZ",
        "status": "planned",
        "description": "Announced at the ADA University round table as the first such "
        "exhibition in Baku; no date given.",
        "participants": [],
        "sources": ["004"],
    },
    "rectors_forum_2026": {
        "title": "Second Forum of Rectors of Higher Education Institutions of Kazakhstan and "
        "Azerbaijan",
        "kind": "forum",
        "start_date": D(2026, 4, 6),
        "date_precision": "day",
        "city": "Almaty",
        "country": "KZ",
        "status": "held",
        "description": "Preceded by a meeting of the two ministers; followed by a signing "
        "ceremony of memoranda of understanding. 63 memoranda were scheduled between 18 "
        "universities of Azerbaijan and 29 of Kazakhstan; the article does not name them.",
        "participants": [("nurbek", "speaker", None, "KZ"), ("amrullayev", "speaker", None, "AZ")],
        "sources": ["002"],
    },
}

AGREEMENTS = {
    "kaznu_anas": {
        "title": "Memorandum between Al-Farabi Kazakh National University and Azerbaijan "
        "National Academy of Sciences",
        "kind": "memorandum",
        "level": "inter_institutional",
        "status": "signed",
        "signed_on": D(2018, 1, 1),
        "signed_precision": "year",
        "areas": ["research_infrastructure", "conferences", "scholarships"],
        "parties": ["kaznu", "anas"],
        "description": "Scientists of the two states can use each other's research centres, "
        "organise joint conferences and take part in scholarship projects.",
        "sources": ["001"],
    },
    "framework_2013": {
        "title": "Framework agreement between Kazakhstan and Azerbaijan (2013)",
        "kind": "framework",
        "level": "intergovernmental",
        "status": "signed",
        "signed_on": D(2013, 1, 1),
        "signed_precision": "year",
        "areas": [],
        "parties": ["gov_kz", "gov_az"],
        "description": "“Back in 2013, we signed a framework agreement” (Minister Nurbek, "
        "speaking of the mutual recognition of diplomas).",
        "sources": ["003"],
    },
    "protocol_2024": {
        "title": "Additional protocol on the mutual recognition of diplomas",
        "kind": "protocol",
        "level": "intergovernmental",
        "status": "signed",
        "signed_on": D(2024, 1, 1),
        "signed_precision": "year",
        "areas": ["recognition"],
        "parties": ["gov_kz", "gov_az"],
        "parent": "framework_2013",
        "description": "Diplomas of the two countries to be recognised without additional "
        "procedures, tariffs or confirmation. Signed “last year”, said on 5 March 2025.",
        "sources": ["003"],
    },
    "scholarships_agreement": {
        "title": "Intergovernmental agreement on annual scholarships for bachelor's, master's "
        "and doctoral studies",
        "kind": "intergovernmental",
        "level": "intergovernmental",
        "status": "signed",
        "signed_on": None,
        "signed_precision": "year",
        "areas": ["scholarships", "student_exchange"],
        "parties": ["gov_kz", "gov_az"],
        "description": "The governments annually allocate 12 scholarships each for bachelor's, "
        "master's and doctoral programmes. Signed before 5 March 2025; the date is not given.",
        "sources": ["003"],
    },
}

SCHOLARSHIPS = {
    "heydar_aliyev_atyrau": {
        "name": "Heydar Aliyev scholarship at Khalel Dosmukhamedov Atyrau University",
        # Article 000: "Студенты-отличники Атырауского государственного университета получили
        # повышенную стипендию Гейдара Алиева."
        "name_translations": {
            "ru": "Стипендия Гейдара Алиева в Атырауском государственном университете"
        },
        "kind": "named",
        "funder_country": "AZ",
        "host_country": "KZ",
        "host_institution": "atyrau",
        "eligible_countries": [],
        "levels": [],
        "description": "An increased scholarship for top students of the university, presented "
        "by the Ambassador of Azerbaijan, who said it will continue. No number of places "
        "is stated.",
        "allocations": [],
        "sources": ["000"],
    },
    "kz_foreign_2025": {
        "name": "Kazakhstan government scholarships for foreign students",
        "kind": "government_quota",
        "funder_country": "KZ",
        "host_country": "KZ",
        "eligible_countries": [],
        "levels": [],
        "description": "Open to foreign students, applicants from Azerbaijan included.",
        "allocations": [
            (
                2025,
                "all",
                550,
                "“In 2025, Kazakhstan will allocate 550 scholarships for foreign students.”",
            )
        ],
        "sources": ["003"],
    },
    "quota_kz_for_az": {
        "name": "Intergovernmental quota: Kazakhstan for students from Azerbaijan",
        "kind": "intergovernmental_quota",
        "funder_country": "KZ",
        "host_country": "KZ",
        "eligible_countries": ["AZ"],
        "levels": ["6", "7", "8"],
        "agreement": "scholarships_agreement",
        "description": "12 scholarships a year at each of the bachelor's, master's and "
        "doctoral levels.",
        "allocations": [
            (2025, level, 12, "Annual quota, as stated on 5 March 2025.") for level in "678"
        ],
        "sources": ["003"],
    },
    "quota_az_for_kz": {
        "name": "Intergovernmental quota: Azerbaijan for students from Kazakhstan",
        "kind": "intergovernmental_quota",
        "funder_country": "AZ",
        "host_country": "AZ",
        "eligible_countries": ["KZ"],
        "levels": ["6", "7", "8"],
        "agreement": "scholarships_agreement",
        "description": "12 scholarships a year at each of the bachelor's, master's and "
        "doctoral levels.",
        "allocations": [
            (2025, level, 12, "Annual quota, as stated on 5 March 2025.") for level in "678"
        ],
        "sources": ["003"],
    },
}

MOBILITY = [
    {
        "origin_country": "AZ",
        "destination_country": "KZ",
        "mobility_type": "students",
        "measure": "stock",
        "year": 2025,
        "as_of": D(2025, 12, 31),
        "value": 333,
        "host_institution_count": 58,
        "source": "002",
        "notes": "“By the end of 2025, 333 Azerbaijani citizens were studying at 58 Kazakh "
        "universities.”",
    },
    {
        "origin_country": "KZ",
        "destination_country": "AZ",
        "mobility_type": "students",
        "measure": "stock",
        "year": 2025,
        "as_of": D(2025, 12, 31),
        "value": 164,
        "source": "002",
        "notes": "“164 Kazakh citizens were studying at Azerbaijani universities.”",
    },
    {
        "origin_country": "KZ",
        "destination_country": "AZ",
        "mobility_type": "students",
        "measure": "stock",
        "year": 2025,
        "as_of": D(2025, 3, 5),
        "value": 79,
        "source": "003",
        "notes": "“Currently, 79 of our students are already studying at Azerbaijani "
        "universities.”",
    },
    {
        "origin_country": "KZ",
        "destination_country": "PL",
        "mobility_type": "students",
        "measure": "stock",
        "year": 2018,
        "as_of": None,
        "value": 1000,
        "qualifier": "more_than",
        "source": "001",
        "notes": "“More than 1000 Kazakhs study in Poland.”",
    },
]

# "status": signed, scheduled, announced or stated (StatedFigureStatus); "scope": "both"
# for a figure of the two countries together, with no direction; "events": where the
# source says the figure was announced or the agreements signed.
STATED_FIGURES = [
    {
        "metric": "institutions_with_agreements",
        "statement": "Currently, more than 70 Kazakhstani universities have signed bilateral "
        "agreements with Azerbaijan.",
        "value": 70,
        "qualifier": "more_than",
        "status": "stated",
        "country": "KZ",
        "partner_country": "AZ",
        "stated_on": D(2025, 3, 5),
        "source": "003",
    },
    {
        "metric": "institutions_signing",
        "statement": "22 leading Kazakh universities have signed 40 new agreements, mostly "
        "related to academic exchange.",
        "value": 22,
        "status": "signed",
        "country": "KZ",
        "partner_country": "AZ",
        "stated_on": D(2025, 3, 5),
        "source": "003",
    },
    {
        "metric": "agreements_signed",
        "statement": "22 leading Kazakh universities have signed 40 new agreements, mostly "
        "related to academic exchange.",
        "value": 40,
        "status": "signed",
        "country": "KZ",
        "partner_country": "AZ",
        "stated_on": D(2025, 3, 5),
        "source": "003",
    },
    {
        "metric": "agreements_signed",
        "statement": "The discussions culminated in the signing of 40 Memoranda of "
        "Understanding, involving a total of 17 universities from both countries.",
        "value": 40,
        "status": "signed",
        "scope": "both",
        "country": "AZ",
        "partner_country": "KZ",
        "stated_on": D(2025, 3, 4),
        "source": "004",
        "events": ["ada_round_table_2025"],
    },
    {
        "metric": "institutions_signing",
        "statement": "The discussions culminated in the signing of 40 Memoranda of "
        "Understanding, involving a total of 17 universities from both countries.",
        "value": 17,
        "status": "signed",
        "scope": "both",
        "country": "AZ",
        "partner_country": "KZ",
        "stated_on": D(2025, 3, 4),
        "source": "004",
        "events": ["ada_round_table_2025"],
        "notes": "Universities of both countries together; the 003 interview speaks of 22 "
        "Kazakh universities for 40 agreements.",
    },
    {
        "metric": "agreements_signed",
        "statement": "As part of the forum, 63 new memorandums of understanding are scheduled "
        "to be signed between 18 universities in Azerbaijan and 29 universities in "
        "Kazakhstan.",
        "value": 63,
        "status": "scheduled",
        "scope": "both",
        "country": "KZ",
        "partner_country": "AZ",
        "stated_on": D(2026, 4, 6),
        "source": "002",
        "events": ["rectors_forum_2026"],
        "notes": "Scheduled, at the Second Forum of Rectors; the article does not say how "
        "many were signed.",
    },
    {
        "metric": "institutions_signing",
        "statement": "63 new memorandums of understanding are scheduled to be signed between 18 "
        "universities in Azerbaijan and 29 universities in Kazakhstan.",
        "value": 18,
        "status": "scheduled",
        "country": "AZ",
        "partner_country": "KZ",
        "stated_on": D(2026, 4, 6),
        "source": "002",
        "events": ["rectors_forum_2026"],
    },
    {
        "metric": "institutions_signing",
        "statement": "63 new memorandums of understanding are scheduled to be signed between 18 "
        "universities in Azerbaijan and 29 universities in Kazakhstan.",
        "value": 29,
        "status": "scheduled",
        "country": "KZ",
        "partner_country": "AZ",
        "stated_on": D(2026, 4, 6),
        "source": "002",
        "events": ["rectors_forum_2026"],
    },
    {
        "metric": "staff_sent",
        "statement": "In 2025, Kazakhstan will send five top professors to work at Azerbaijani "
        "universities where they will teach mathematics, chemistry, physics, biology, "
        "and English.",
        "value": 5,
        "status": "announced",
        "country": "KZ",
        "partner_country": "AZ",
        "stated_on": D(2025, 3, 5),
        "reference_year": 2025,
        "source": "003",
    },
    {
        "metric": "host_institutions",
        "statement": "By the end of 2025, 333 Azerbaijani citizens were studying at 58 Kazakh "
        "universities.",
        "value": 58,
        "status": "stated",
        "country": "KZ",
        "partner_country": "AZ",
        "stated_on": D(2026, 4, 6),
        "reference_year": 2025,
        "source": "002",
        "events": ["rectors_forum_2026"],
    },
]
