#!/usr/bin/env python3
"""An independent synthetic county for identity resolution, written blind.

Written only from the interchange contract (spec/interchange.md), DOMAIN.md,
the README and the CLI's --help: none of joindots' own generator or resolver
was read. Only synthetic people, ever.

    python3 bench/indep/county.py --seed 1 --people 20000 --out DIR

writes DIR/events_AGENCY.csv, DIR/persons_AGENCY.csv, DIR/objects_police.csv
(one pair per agency, each in its own house style) and DIR/truth.json.
Noise rates are the constants below (see bench/indep/README.md).
"""
import argparse
import csv
import datetime as dt
import json
import os
import random

PERIOD_START = dt.date(2015, 1, 1)
PERIOD_END = dt.date(2022, 12, 31)

# ---- noise rates (per agency ref unless said) ----
P_NICK = 0.18          # forename written as a nickname / short form
P_TYPO_SUR = 0.05      # a typo in the surname
P_TYPO_FORE = 0.03     # a typo in the forename
P_SWAP_NAMES = 0.02    # surname written first (in forenames, and v.v.)
P_HYPH_PART = 0.45     # double-barrelled surname: one part alone
P_DM_SWAP = 0.03       # day and month swapped (when both <= 12)
P_YEAR_DIGIT = 0.02    # one wrong year digit
P_DOB_MISSING = 0.07   # no date of birth (half of these get an age)
P_TRANSLIT = 0.5       # name with transliteration variants: a variant used
P_DUP_REF = 0.03       # a second ref for the same person at one agency
P_OLD_SURNAME = 0.35   # a person who changed surname: old one used
P_ROW_TYPO = 0.02      # per row: a fresh typo in the surname on this row
P_TWINS = 0.03         # share of births that are twins
P_STEP = 0.12          # households with a step-parent (different surname)
P_HYPH_FAMILY = 0.06   # families with a double-barrelled surname
P_NAMESAKE = 0.01      # persons given a planted namesake elsewhere

F_NAMES = """Olivia Amelia Isla Ava Mia Ivy Lily Isabella Rosie Sophia Grace
Freya Willow Evie Sophie Ella Emily Poppy Chloe Jessica Lucy Ruby Hannah
Megan Charlotte Katie Lauren Bethany Abigail Holly Amy Rebecca Jade Leah
Courtney Shannon Chelsea Paige Kayleigh Stacey Natalie Samantha Victoria
Elizabeth Catherine Margaret Jennifer Susan Deborah Karen Tracey Michelle
Nicola Donna Claire Kelly Joanne Louise Danielle Gemma Zoe Kirsty Hayley
Fatima Aisha Maryam Zainab Amira Hafsa Khadija Ayesha Noor Sana Priya Anjali
Agnieszka Katarzyna Ewa Joanna Natalia Oksana Daria Aaliyah Precious Blessing
Chantelle Kimberley Alexandra Jacqueline Patricia Summer Demi Tia Keeley
Jasmine Maisie Phoebe Millie Esme Harriet Eleanor Alice Florence Matilda""".split()
M_NAMES = """Oliver George Noah Arthur Harry Leo Muhammad Jack Charlie Oscar
Jacob Henry Thomas Freddie Alfie Theo William Theodore Archie Joshua James
Daniel Samuel Joseph Benjamin Alexander Matthew Ryan Liam Connor Callum
Jordan Kyle Lewis Jamie Nathan Bradley Dean Wayne Lee Craig Darren Stephen
Michael Christopher Anthony Robert Richard David Andrew Mark Paul Gary Kevin
Jason Scott Shane Ashley Reece Tyler Kieran Ethan Mason Logan Riley Dylan
Mohammed Ahmed Ali Hassan Hussein Omar Yusuf Ibrahim Bilal Imran Tariq Adnan
Piotr Tomasz Krzysztof Marek Aleksandr Dmitri Andrei Mihai Kwame Emmanuel
Tobias Edward Frederick Sebastian Reuben Louis Finley Harvey Toby Kai""".split()
SURNAMES = """Smith Jones Williams Taylor Brown Davies Evans Wilson Thomas Johnson
Roberts Robinson Thompson Wright Walker White Edwards Hughes Green Hall Lewis
Harris Clarke Patel Jackson Wood Turner Martin Cooper Hill Ward Morris Moore
Clark Lee King Baker Harrison Morgan Allen James Scott Phillips Watson Davis
Parker Price Bennett Young Griffiths Mitchell Kelly Cook Carter Richardson
Bailey Collins Bell Shaw Murphy Miller Cox Richards Khan Marshall Anderson
Simpson Ellis Adams Singh Begum Wilkinson Foster Chapman Powell Webb Rogers
Gray Mason Ali Hunt Hussain Campbell Matthews Owen Palmer Holmes Mills Barnes
Knight Lloyd Butler Russell Barker Fisher Stevens Jenkins Murray Dixon Harvey
Ahmed Chaudhry Mahmood Rahman Akhtar Kowalski Nowak Wisniewski Popescu Ivanov
Mensah Okafor Adeyemi Nguyen Sheikh Qureshi Malik Iqbal Hamilton Graham""".split()
SUR_PRE = """Ash Bar Black Brad Brook Cald Church Cran Dun East Elm Fair Field
Gold Green Hart Hay Holl Kings Lang Mill North Oak Pen Ray Red Rid Rose Sal
Sand Shel Stan Stock Thorn Under Wake War West Whit Wick Win Wood Wor""".split()
SUR_SUF = """ford ley ton well wood by field more ham worth well ridge stone
hurst wick shaw combe den dale croft bourne""".split()

NICKS = {
    "Kayleigh": ["Kay", "Kayley"], "William": ["Billy", "Liam", "Will", "Bill"],
    "Elizabeth": ["Beth", "Liz", "Lizzie", "Betty"], "Rebecca": ["Becky", "Becca"],
    "Jessica": ["Jess"], "Samantha": ["Sam", "Sammy"], "Victoria": ["Vicky", "Tori"],
    "Catherine": ["Cathy", "Kate", "Katie"], "Margaret": ["Maggie", "Peggy"],
    "Jennifer": ["Jen", "Jenny"], "Susan": ["Sue", "Susie"], "Deborah": ["Debbie", "Deb"],
    "Nicola": ["Nicky", "Nikki"], "Danielle": ["Dani"], "Natalie": ["Nat"],
    "Alexandra": ["Alex", "Lexi", "Sasha"], "Jacqueline": ["Jackie"],
    "Patricia": ["Pat", "Trish"], "Kimberley": ["Kim"], "Charlotte": ["Charlie", "Lottie"],
    "Abigail": ["Abby", "Abi"], "Isabella": ["Bella", "Izzy"], "Eleanor": ["Ellie", "Nell"],
    "Florence": ["Flo"], "Matilda": ["Tilly"], "Harriet": ["Hattie"], "Sophia": ["Sophie"],
    "Bethany": ["Beth"], "Courtney": ["Court"], "Chantelle": ["Chan"],
    "Thomas": ["Tom", "Tommy"], "James": ["Jim", "Jimmy", "Jamie"],
    "Daniel": ["Dan", "Danny"], "Samuel": ["Sam", "Sammy"], "Joseph": ["Joe", "Joey"],
    "Benjamin": ["Ben", "Benny"], "Alexander": ["Alex", "Xander", "Sandy"],
    "Matthew": ["Matt"], "Christopher": ["Chris", "Kit"], "Anthony": ["Tony", "Ant"],
    "Robert": ["Rob", "Bob", "Bobby"], "Richard": ["Rich", "Dick", "Ricky"],
    "David": ["Dave", "Davey"], "Andrew": ["Andy", "Drew"], "Michael": ["Mike", "Mick", "Mikey"],
    "Stephen": ["Steve"], "Edward": ["Ed", "Eddie", "Ted"], "Frederick": ["Fred", "Freddie"],
    "Theodore": ["Theo", "Teddy"], "Joshua": ["Josh"], "Nathan": ["Nate"],
    "Callum": ["Cal"], "Bradley": ["Brad"], "Sebastian": ["Seb"], "Tobias": ["Toby"],
    "Henry": ["Harry", "Hal"], "Oliver": ["Ollie"], "Jacob": ["Jake"], "Archibald": ["Archie"],
    "Muhammad": ["Mo"], "Mohammed": ["Mo"], "Aleksandr": ["Sasha"], "Dmitri": ["Dima"],
    "Katarzyna": ["Kasia"], "Agnieszka": ["Aga"], "Emmanuel": ["Manny"],
    "Ibrahim": ["Ibby"], "Krzysztof": ["Kris"], "Gemma": ["Gem"], "Zoe": ["Zo"],
}
TRANSLIT = {
    "Muhammad": ["Mohammed", "Mohamed", "Mohammad", "Muhammed"],
    "Mohammed": ["Muhammad", "Mohamed", "Mohammad"],
    "Yusuf": ["Yousef", "Yusef", "Youssef"], "Hussein": ["Hussain", "Husein"],
    "Aisha": ["Ayesha", "Aishah"], "Ayesha": ["Aisha", "Aysha"], "Fatima": ["Fatimah", "Fatma"],
    "Zainab": ["Zaynab", "Zenab"], "Maryam": ["Mariam", "Miriam"], "Omar": ["Umar"],
    "Aleksandr": ["Alexandr", "Aleksander", "Oleksandr"], "Dmitri": ["Dmitry", "Dimitri"],
    "Andrei": ["Andrey", "Andrii"], "Oksana": ["Oxana"], "Daria": ["Darya", "Dariya"],
    "Khadija": ["Khadijah", "Khadeeja"], "Hafsa": ["Hafsah"], "Tariq": ["Tarik"],
    "Chaudhry": ["Choudhury", "Chaudhary", "Chowdhury"], "Hussain": ["Hussein", "Husain"],
    "Rahman": ["Rehman"], "Mahmood": ["Mahmud", "Mehmood"], "Qureshi": ["Kureshi"],
    "Ivanov": ["Ivanoff"], "Kowalski": ["Kovalski"], "Sheikh": ["Shaikh", "Sheik"],
    "Iqbal": ["Ikbal"], "Akhtar": ["Akhter"], "Begum": ["Begam"],
}
ETHNIC = ["White British", "White Other", "Asian Pakistani", "Asian Indian",
          "Asian Bangladeshi", "Black African", "Black Caribbean", "Mixed", "Other",
          "Not stated"]
STREETS = """Cowley Road|Iffley Road|Banbury Road|Abingdon Road|London Road|Botley Road|
Marston Road|Headington Road|Blackbird Leys Road|Barns Road|Rose Hill|Littlemore Road|
Sandy Lane|Church Street|High Street|Mill Lane|Station Road|Victoria Road|Park Road|
Windmill Road|Hollow Way|Temple Road|Between Towns Road|Oxford Road|Kennington Road|
Wood Farm Road|Dora Carr Close|Pegasus Road|Wesley Close|Nuffield Road""".replace("\n", "").split("|")
TOWNS = ["Oxford", "Abingdon", "Banbury", "Bicester", "Didcot", "Witney", "Kidlington"]
PC_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"


def nhs_number(rng):
    while True:
        d = [rng.randint(0, 9) for _ in range(9)]
        d[0] = rng.randint(4, 7)
        r = sum(x * (10 - i) for i, x in enumerate(d)) % 11
        c = 11 - r
        if c == 11:
            c = 0
        if c == 10:
            continue
        return "".join(map(str, d)) + str(c)


UPN_LETTERS = "ABCDEFGHJKLMNPQRTUVWXYZ"


def upn(rng):
    body = "931" + "%04d" % rng.randint(2000, 4999) + "%02d" % rng.randint(5, 22) + \
        "%03d" % rng.randint(0, 999)
    s = sum(int(ch) * (i + 2) for i, ch in enumerate(body))
    return UPN_LETTERS[s % 23] + body


def make_surname(rng):
    if rng.random() < 0.55:
        return rng.choice(SURNAMES)
    return rng.choice(SUR_PRE) + rng.choice(SUR_SUF)


def postcode(rng):
    return "OX%d %d%s%s" % (rng.choice([1, 2, 3, 4, 5, 10, 11, 12, 13, 14, 16, 18, 26, 28, 44]),
                          rng.randint(1, 9), rng.choice(PC_LETTERS), rng.choice(PC_LETTERS))


def address(rng):
    return ("%d %s, %s" % (rng.randint(1, 240), rng.choice(STREETS), rng.choice(TOWNS)),
            postcode(rng))


def phone(rng):
    return "07%03d%06d" % (rng.randint(700, 999), rng.randint(0, 999999))


def rand_date(rng, a, b):
    return a + dt.timedelta(days=rng.randint(0, max(0, (b - a).days)))


class Person:
    __slots__ = ("id", "fore", "sur", "old_sur", "sur_change", "dob", "gender", "hh",
                 "nhs", "upn", "phone", "eth", "refs", "nick", "translit")

    def __init__(self, pid, fore, sur, dob, gender, hh):
        self.id, self.fore, self.sur, self.dob, self.gender, self.hh = pid, fore, sur, dob, gender, hh
        self.old_sur = None
        self.sur_change = None
        self.nhs = self.upn = self.phone = self.eth = None
        self.refs = []


class Household:
    __slots__ = ("members", "addrs", "phone")


def build_people(rng, n):
    people, households = [], []
    while len(people) < n:
        hh = Household()
        hh.members = []
        k = rng.choices([1, 2, 3], [3, 10, 1])[0]
        # addresses with move dates
        moves = sorted(rand_date(rng, PERIOD_START, PERIOD_END)
                       for _ in range(rng.choices([0, 1, 2, 3], [4, 4, 2, 1])[0]))
        hh.addrs = [(dt.date(1900, 1, 1), address(rng))] + [(m, address(rng)) for m in moves]
        hh.phone = phone(rng)
        eth = rng.choices(ETHNIC, [70, 6, 5, 3, 2, 4, 2, 4, 2, 2])[0]
        fam_sur = make_surname(rng)
        if rng.random() < P_HYPH_FAMILY:
            fam_sur = fam_sur + "-" + make_surname(rng)
        step = rng.random() < P_STEP
        parent_year = rng.randint(1960, 2000)
        adults = []
        for i in range(k if k < 3 else 2):
            g = "F" if i == 0 else rng.choice("MMMMF")
            dob = dt.date(parent_year + rng.randint(-4, 4), rng.randint(1, 12), rng.randint(1, 28))
            sur = fam_sur if not (step and i == 1) else make_surname(rng)
            p = Person(len(people) + 1, rng.choice(F_NAMES if g == "F" else M_NAMES), sur, dob, g, hh)
            if i == 0 and rng.random() < 0.15:   # mother changed surname (marriage / divorce)
                p.old_sur = make_surname(rng)
                p.sur_change = rand_date(rng, PERIOD_START, PERIOD_END)
            p.eth = eth
            people.append(p)
            adults.append(p)
        if k == 3:   # an older relative
            dob = dt.date(parent_year - rng.randint(20, 30), rng.randint(1, 12), rng.randint(1, 28))
            g = rng.choice("FM")
            p = Person(len(people) + 1, rng.choice(F_NAMES if g == "F" else M_NAMES), fam_sur, dob, g, hh)
            p.eth = eth
            people.append(p)
        nkids = rng.choices([0, 1, 2, 3, 4, 5], [10, 20, 25, 15, 6, 2])[0]
        mother = adults[0]
        first_kid = mother.dob.year + rng.randint(17, 30)
        births = []
        y = first_kid
        for c in range(nkids):
            if y > 2022:
                break
            d = dt.date(y, rng.randint(1, 12), rng.randint(1, 28))
            births.append(d)
            if rng.random() < P_TWINS:
                births.append(d)
            y += rng.randint(1, 4)
        for j, d in enumerate(births):
            g = rng.choice("FM")
            # step-family: children of the mother's earlier partner keep another surname
            sur = fam_sur
            if step and j == 0 and rng.random() < 0.7:
                sur = make_surname(rng)
            p = Person(len(people) + 1, rng.choice(F_NAMES if g == "F" else M_NAMES), sur, d, g, hh)
            p.eth = eth
            p.upn = upn(rng)
            people.append(p)
        hh.members = people[len(people) - len(hh.members) - 0:]  # placeholder, fixed below
        households.append((hh, len(people)))
    # fix household member lists
    start = 0
    for hh, end in households:
        hh.members = people[start:end]
        start = end
    for p in people:
        p.nhs = nhs_number(rng)
        p.phone = p.hh.phone if rng.random() < 0.6 else phone(rng)
        p.nick = p.fore in NICKS
        p.translit = p.fore in TRANSLIT or p.sur in TRANSLIT
    # planted namesakes: same forename+surname, close birth year, another household
    for p in rng.sample(people, int(len(people) * P_NAMESAKE)):
        q = rng.choice(people)
        if q.hh is p.hh or q.gender != p.gender:
            continue
        q.fore, q.sur = p.fore, p.sur
        try:
            q.dob = q.dob.replace(year=p.dob.year + rng.choice([-1, 0, 1, 2]))
        except ValueError:
            pass
    return people


def age_on(dob, d):
    return d.year - dob.year - ((d.month, d.day) < (dob.month, dob.day))


def typo(rng, s):
    if len(s) < 3:
        return s
    i = rng.randint(1, len(s) - 2)
    op = rng.randint(0, 3)
    if op == 0:
        return s[:i] + s[i + 1:]
    if op == 1:
        return s[:i] + s[i + 1] + s[i] + s[i + 2:]
    if op == 2:
        return s[:i] + rng.choice("aeiourlnst") + s[i + 1:]
    return s[:i] + s[i] + s[i:]


# ---- agencies: house style, who they see ----
# (code, ref_fmt, dob style, name case, first-name-only rate, dob-missing factor,
#  has nhs, has upn, has phone, has address, has ethnicity, gender style, column order)
AGENCIES = {
    "police": dict(ref="N%06d", dob="uk", case="upper", fonly=0.0, miss=0.7, nhs=0, upn=0,
                   phone=0.4, addr=0.9, eth=0.6, gender="FM", known=0.05,
                   cols="agency,record_id,person_ref,role,surname,forenames,known_as,dob,gender,"
                        "address,postcode,phone,ethnicity"),
    "call_handling": dict(ref="CH%07d", dob="iso", case="as", fonly=0.5, miss=4.0, nhs=0, upn=0,
                          phone=0.9, addr=0.5, eth=0, gender="word", known=0,
                          cols="record_id,agency,person_ref,role,forenames,surname,age,dob,phone,address"),
    "csc": dict(ref="C-%05d", dob="iso", case="title", fonly=0.0, miss=0.5, nhs=0.5, upn=0.3,
                phone=0.5, addr=0.95, eth=0.8, gender="FM", known=0.02,
                cols="agency,record_id,person_ref,role,forenames,surname,known_as,dob,age,gender,"
                     "address,postcode,phone,nhs_number,upn,ethnicity"),
    "health_ae": dict(ref="RTH%07d", dob="iso", case="upper", fonly=0.0, miss=0.3, nhs=0.85, upn=0,
                      phone=0.6, addr=0.9, eth=0.5, gender="FM",  known=0,
                      cols="agency,record_id,person_ref,role,surname,forenames,dob,gender,nhs_number,"
                           "postcode,address,phone,ethnicity"),
    "sexual_health": dict(ref="SH%05d", dob="uk", case="title", fonly=0.1, miss=1.0, nhs=0.3, upn=0,
                          phone=0.7, addr=0.3, eth=0.3, gender="word", known=0,
                          cols="agency,record_id,person_ref,role,forenames,surname,dob,age,gender,"
                               "postcode,phone,nhs_number"),
    "gp": dict(ref="G%06d", dob="iso", case="title", fonly=0.0, miss=0.1, nhs=0.97, upn=0,
               phone=0.5, addr=0.95, eth=0.4, gender="FM", known=0,
               cols="agency,record_id,person_ref,role,nhs_number,surname,forenames,dob,gender,"
                    "address,postcode,phone,ethnicity"),
    "school_nursing": dict(ref="SN%05d", dob="uk", case="title", fonly=0.0, miss=0.3, nhs=0.6, upn=0.5,
                           phone=0.2, addr=0.5, eth=0, gender="FM", known=0,
                           cols="agency,record_id,person_ref,role,forenames,surname,dob,gender,upn,"
                                "nhs_number,postcode"),
    "school": dict(ref="PUP%06d", dob="iso", case="title", fonly=0.0, miss=0.1, nhs=0, upn=0.9,
                   phone=0.3, addr=0.6, eth=0.7, gender="FM", known=0,
                   cols="agency,record_id,person_ref,role,upn,surname,forenames,dob,gender,address,"
                        "postcode,phone,ethnicity"),
    "care_provider": dict(ref="CP-%04d", dob="uk", case="title", fonly=0.0, miss=0.5, nhs=0.2, upn=0,
                          phone=0.2, addr=0.3, eth=0, gender="word", known=0.1,
                          cols="agency,record_id,person_ref,role,forenames,surname,known_as,dob,gender,phone"),
    "youth_service": dict(ref="YS%05d", dob="iso", case="as", fonly=0.15, miss=2.0, nhs=0, upn=0,
                          phone=0.6, addr=0.4, eth=0.3, gender="FM", known=0.15,
                          cols="agency,record_id,person_ref,role,forenames,surname,known_as,age,dob,"
                               "postcode,phone"),
    "substance_service": dict(ref="SS%05d", dob="ym", case="title", fonly=0.05, miss=1.0, nhs=0.4, upn=0,
                              phone=0.6, addr=0.4, eth=0.4, gender="FM", known=0.05,
                              cols="agency,record_id,person_ref,role,surname,forenames,dob,age,gender,"
                                   "postcode,phone,nhs_number"),
    "housing": dict(ref="HSG%06d", dob="iso", case="title", fonly=0.2, miss=3.0, nhs=0, upn=0,
                    phone=0.8, addr=1.0, eth=0, gender="FM", known=0,
                    cols="agency,record_id,person_ref,role,surname,forenames,dob,address,postcode,phone"),
    "other": dict(ref="OT%05d", dob="iso", case="as", fonly=0.05, miss=1.5, nhs=0, upn=0,
                  phone=0.3, addr=0.5, eth=0, gender="FM", known=0,
                  cols="agency,record_id,person_ref,role,forenames,surname,dob,age,postcode"),
}
EVENT_COLS = {
    "police": "agency,record_id,event_type,occurred_at,reported_at,location,postcode,narrative,"
              "crime_recorded,crime_ref,outcome,author_role",
    "call_handling": "record_id,agency,occurred_at,event_type,narrative,author_role,postcode",
}
DEFAULT_EVENT_COLS = "agency,record_id,event_type,occurred_at,reported_at,narrative,author_role"

# agency -> (event types, author role, weight for children, weight for adults)
EVENTS = {
    "police": (["intelligence", "stop_check", "crime_report", "call_for_service", "arrest",
                "missing_report", "missing_return"], "PC", 0.25, 0.35),
    "call_handling": (["call_for_service"], "call_handler", 0.2, 0.3),
    "csc": (["referral", "assessment", "case_note", "strategy_discussion"], "social_worker", 0.35, 0.1),
    "health_ae": (["ae_attendance"], "nurse", 0.35, 0.35),
    "sexual_health": (["sexual_health_visit"], "nurse", 0.06, 0.08),
    "gp": (["gp_note"], "gp", 0.7, 0.7),
    "school_nursing": (["school_nurse_note"], "nurse", 0.2, 0.0),
    "school": (["absence", "welfare_concern", "exclusion"], "teacher", 0.6, 0.0),
    "care_provider": (["case_note", "placement_change"], "care_worker", 0.03, 0.0),
    "youth_service": (["case_note", "return_interview"], "youth_worker", 0.1, 0.0),
    "substance_service": (["substance_contact"], "worker", 0.02, 0.08),
    "housing": (["other"], "housing_officer", 0.0, 0.25),
    "other": (["concern_report"], "worker", 0.03, 0.03),
}
NARR = {
    "ae_attendance": "Attended with {rel} after a fall. Treated and discharged.",
    "gp_note": "Routine consultation. {Rel} present.",
    "absence": "Absent without explanation for {n} days; {rel} contacted.",
    "welfare_concern": "Staff noted {pr} seemed tired and withdrawn in class.",
    "call_for_service": "Caller reports a noisy argument at the address, \"all sorted now\".",
    "housing": "Tenancy review, rent account discussed.",
}


class Ref:
    __slots__ = ("agency", "ref", "fore", "sur", "dob", "age_only", "nhs", "upn", "known")


def ref_view(rng, p, agency, cfg, when, counter):
    """The agency's own version of the person, made when the ref is opened."""
    r = Ref()
    r.agency = agency
    counter[agency] += 1
    r.ref = cfg["ref"] % counter[agency]
    fore = p.fore
    if p.fore in TRANSLIT and rng.random() < P_TRANSLIT:
        fore = rng.choice(TRANSLIT[p.fore])
    if p.fore in NICKS and rng.random() < P_NICK:
        fore = rng.choice(NICKS[p.fore])
    if rng.random() < P_TYPO_FORE:
        fore = typo(rng, fore)
    sur = p.sur
    if p.old_sur and (when < p.sur_change or rng.random() < P_OLD_SURNAME * 0.3):
        sur = p.old_sur
    if "-" in sur and rng.random() < P_HYPH_PART:
        sur = rng.choice(sur.split("-"))
    if "-" in sur and rng.random() < 0.2:
        sur = sur.replace("-", " ")
    if sur in TRANSLIT and rng.random() < P_TRANSLIT:
        sur = rng.choice(TRANSLIT[sur])
    if rng.random() < P_TYPO_SUR:
        sur = typo(rng, sur)
    if rng.random() < cfg["fonly"]:
        sur = ""
    if rng.random() < P_SWAP_NAMES and sur:
        fore, sur = sur, fore
    r.fore, r.sur = fore, sur
    d = p.dob
    r.age_only = False
    if rng.random() < P_DOB_MISSING * cfg["miss"]:
        d = None
        r.age_only = rng.random() < 0.5
    else:
        if d.day <= 12 and d.day != d.month and rng.random() < P_DM_SWAP:
            d = d.replace(day=d.month, month=d.day)
        if rng.random() < P_YEAR_DIGIT:
            y = d.year + rng.choice([-10, -1, 1, 10])
            if y > PERIOD_END.year:
                y -= 11
            try:
                d = d.replace(year=y)
            except ValueError:
                d = d.replace(year=y, day=28)
    r.dob = d
    r.nhs = p.nhs if rng.random() < cfg["nhs"] else None
    r.upn = p.upn if p.upn and rng.random() < cfg["upn"] else None
    r.known = None
    if rng.random() < cfg["known"]:
        r.known = rng.choice(NICKS.get(p.fore, [p.fore[:3]])) + (";" + "Little " + p.fore[:1]
                                                             if rng.random() < 0.2 else "")
    return r


def fmt_dob(d, style, rng):
    if style == "uk":
        return d.strftime("%d/%m/%Y")
    if style == "ym" and rng.random() < 0.3:
        return d.strftime("%Y-%m")
    return d.isoformat()


def case(s, how):
    if how == "upper":
        return s.upper()
    if how == "title":
        return s
    return s.lower() if s and len(s) % 7 == 0 else s


def address_on(p, d):
    a = p.hh.addrs[0][1]
    for since, ad in p.hh.addrs:
        if since <= d:
            a = ad
    return a


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--people", type=int, default=20000)
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    rng = random.Random(a.seed)
    people = build_people(rng, a.people)
    os.makedirs(a.out, exist_ok=True)
    counter = {ag: 0 for ag in AGENCIES}
    evcount = {ag: 0 for ag in AGENCIES}
    events = {ag: [] for ag in AGENCIES}
    prows = {ag: [] for ag in AGENCIES}
    orows = []
    span = (PERIOD_END - PERIOD_START).days
    agencies = list(EVENTS)

    for p in people:
        first = max(PERIOD_START, p.dob)
        if first > PERIOD_END:
            continue
        n_ev = rng.choices([0, 1, 2, 3, 4, 6, 9], [8, 25, 22, 16, 12, 10, 7])[0]
        for _ in range(n_ev):
            when = rand_date(rng, first, PERIOD_END)
            child = age_on(p.dob, when) < 18
            ws = [EVENTS[ag][2 if child else 3] for ag in agencies]
            if child and age_on(p.dob, when) < 4:
                ws = [w if ag in ("gp", "health_ae", "csc", "call_handling", "police") else 0
                      for w, ag in zip(ws, agencies)]
            ag = rng.choices(agencies, ws)[0]
            cfg = AGENCIES[ag]
            lst = getattr_views(p, ag)
            if not lst or (ag == "call_handling" and rng.random() < 0.6) or \
                    (len(lst) == 1 and rng.random() < P_DUP_REF):
                lst.append(ref_view(rng, p, ag, cfg, when, counter))
            rv = rng.choice(lst)
            evcount[ag] += 1
            rid = "%s-%s-%07d" % (ag[:3].upper(), when.strftime("%y"), evcount[ag])
            et = rng.choice(EVENTS[ag][0])
            if ag in ("police", "call_handling"):
                occ = "%sT%02d:%02d" % (when.isoformat(), rng.randint(2, 23), rng.randint(0, 59))
            else:
                occ = when.isoformat()
            mentions = [(p, rv, "subject")]
            if child and ag in ("csc", "health_ae", "gp", "school", "police", "call_handling") \
                    and rng.random() < 0.5:
                parents = [q for q in p.hh.members if q is not p and age_on(q.dob, when) >= 18]
                if parents:
                    q = rng.choice(parents)
                    mentions.append((q, None, "parent"))
                sibs = [q for q in p.hh.members if q is not p and q.dob <= when
                        and age_on(q.dob, when) < 18]
                if sibs and ag == "csc" and rng.random() < 0.5:
                    mentions.append((rng.choice(sibs), None, "associate"))
            rel = "mother" if len(mentions) > 1 and mentions[1][0].gender == "F" else "father"
            narr = NARR.get(et, "Contact recorded.").format(
                rel=rel, Rel=rel.capitalize(), n=rng.randint(2, 9),
                pr="she" if p.gender == "F" else "he")
            postc = address_on(p, when)[1]
            events[ag].append(dict(agency=ag, record_id=rid, event_type=et, occurred_at=occ,
                                   reported_at=occ if rng.random() < 0.8 else
                                   (when + dt.timedelta(days=rng.randint(1, 5))).isoformat(),
                                   narrative=narr, author_role=EVENTS[ag][1],
                                   postcode=postc, location="",
                                   crime_recorded="N" if et == "crime_report" else "",
                                   outcome=rng.choice(["NFA", "referred", ""])))
            for q, qv, role in mentions:
                if qv is None:
                    qviews = getattr_views(q, ag)
                    if not qviews:
                        qviews.append(ref_view(rng, q, ag, cfg, when, counter))
                    qv = qviews[0]
                prows[ag].append(person_row(rng, q, qv, role, ag, cfg, when, rid))
            if ag == "police" and rng.random() < 0.1:
                orows.append(dict(agency=ag, record_id=rid, object_type="phone",
                                  value=p.phone, description="", person_ref=rv.ref))

    for ag in AGENCIES:
        cols = EVENT_COLS.get(ag, DEFAULT_EVENT_COLS).split(",")
        with open(os.path.join(a.out, "events_%s.csv" % ag), "w", newline="", encoding="utf-8") as f:
            w = csv.writer(f)
            w.writerow(cols)
            for e in events[ag]:
                w.writerow([e.get(c, "") for c in cols])
        cols = AGENCIES[ag]["cols"].split(",")
        with open(os.path.join(a.out, "persons_%s.csv" % ag), "w", newline="", encoding="utf-8") as f:
            w = csv.writer(f)
            w.writerow(cols)
            for r in prows[ag]:
                w.writerow([r.get(c, "") for c in cols])
    with open(os.path.join(a.out, "objects_police.csv"), "w", newline="", encoding="utf-8") as f:
        cols = ["agency", "record_id", "object_type", "value", "description", "person_ref"]
        w = csv.writer(f)
        w.writerow(cols)
        for r in orows:
            w.writerow([r[c] for c in cols])

    persons = []
    child_from = PERIOD_START.replace(year=PERIOD_START.year - 18)
    for p in people:
        refs = VIEWS.get(p.id)
        if not refs:
            continue
        persons.append({"id": "T%06d" % p.id,
                        "refs": [{"agency": ag, "person_ref": r} for ag, r in sorted(refs)],
                        "dob": p.dob.isoformat(), "is_child": p.dob > child_from})
    truth = {"period": {"start": PERIOD_START.isoformat(), "end": PERIOD_END.isoformat()},
             "generator": "bench/indep/county.py", "seed": a.seed,
             "persons": persons, "exploited": [], "networks": [], "children": [],
             "unrecorded_crimes": [], "blaming_language": []}
    with open(os.path.join(a.out, "truth.json"), "w", encoding="utf-8") as f:
        json.dump(truth, f)
    print("people %d (with refs %d), refs %d, events %d, person rows %d" % (
        len(people), len(persons), sum(len(x["refs"]) for x in persons),
        sum(len(v) for v in events.values()), sum(len(v) for v in prows.values())))


# per person, per agency, the refs the agency holds (shared between mentions)
AGV = {}
VIEWS = {}


def getattr_views(q, ag):
    return AGV.setdefault((q.id, ag), [])


def person_row(rng, q, v, role, ag, cfg, when, rid):
    s = VIEWS.setdefault(q.id, set())
    s.add((ag, v.ref))
    sur = v.sur
    if sur and rng.random() < P_ROW_TYPO:
        sur = typo(rng, sur)
    row = dict(agency=ag, record_id=rid, person_ref=v.ref, role=role,
               surname=case(sur, cfg["case"]), forenames=case(v.fore, cfg["case"]))
    if v.dob and v.dob <= when:   # a noisy date after the event: the agency leaves it blank
        row["dob"] = fmt_dob(v.dob, cfg["dob"], rng)
    elif v.age_only:
        row["age"] = str(max(0, age_on(q.dob, when)))
    g = q.gender
    row["gender"] = g if cfg["gender"] == "FM" else {"F": "Female", "M": "male"}[g]
    ad, pc = address_on(q, when)
    if rng.random() < cfg["addr"]:
        row["address"] = ad
        row["postcode"] = pc if rng.random() < 0.7 else pc.replace(" ", "").lower()
    if rng.random() < cfg["phone"]:
        ph = q.phone
        row["phone"] = rng.choice([ph, ph[:5] + " " + ph[5:], "+44 " + ph[1:5] + " " + ph[5:]])
    if v.nhs:
        row["nhs_number"] = v.nhs if rng.random() < 0.7 else "%s %s %s" % (v.nhs[:3], v.nhs[3:6], v.nhs[6:])
    if v.upn:
        row["upn"] = v.upn
    if v.known:
        row["known_as"] = v.known
    if cfg["eth"] and rng.random() < cfg["eth"]:
        row["ethnicity"] = q.eth
    return row


if __name__ == "__main__":
    main()
