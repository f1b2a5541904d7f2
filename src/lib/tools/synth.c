/*
 * The synthetic county generator.
 *
 * World: households at addresses (postcodes in an invented OX-like area),
 * children and adults with names drawn from a diverse pool, schools, GP
 * practices, children's homes, and hotspot places. People get a timeline:
 * ordinary contact for everyone, confounder episodes for vulnerable children
 * who are not exploited, decoy professionals meeting many children, and for
 * the exploited children an escalating sequence of indicator events across
 * agencies tied to the network's adults, cars and phones.
 *
 * Rendering: every event is written at once to its agency's events file,
 * with one persons row per party (each agency writes names, dates of birth
 * and references with its own noise) and objects rows for cars and phones.
 * Nothing is held but the people, so memory grows with the population, not
 * with the number of events.
 *
 * Truth: refs actually written per person, exploited children with the
 * first moment the records held three distinct exploitation indicators from
 * two agencies (computed from the events as written, parsed back with the
 * same normaliser joindots uses), networks, unrecorded crimes, victim-
 * blaming language, confounder groups and the Oxfordshire landmarks.
 *
 * Fairness: ethnicity is drawn independently of every role; it is written
 * by some agencies for equality monitoring only.
 */
#include "tools/tools.h"
#include "util/internal.h"
#include "text/norm.h"
#include "util/rng.h"

#include <jansson.h>
#include <joindots/synth.h>

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* ---- reference data (invented; common UK names across communities) ---- */

static const char *const girls[] = {
    "Olivia", "Amelia", "Isla", "Ava", "Emily", "Sophie", "Grace", "Chloe", "Jessica", "Lily",
    "Katie", "Megan", "Jade", "Amy", "Lauren", "Charlotte", "Hannah", "Ellie", "Rebecca",
    "Bethany", "Aisha", "Fatima", "Maryam", "Zainab", "Amira", "Priya", "Anjali", "Simran",
    "Nadia", "Shannon", "Chantelle", "Abigail", "Zara", "Leah", "Courtney", "Kayleigh", "Paige",
    "Natalia", "Zuzanna", "Oliwia", "Aleksandra", "Precious", "Blessing", "Chiamaka", "Keisha",
    "Tanisha", "Siobhan", "Niamh", "Roisin", "Elizabeth", "Katherine", "Rebekah", "Samantha",
    "Victoria", "Alexandra", "Jennifer", "Stephanie", "Danielle", "Gemma", "Kirsty"};
static const char *const boys[] = {
    "Oliver", "Jack", "Harry", "George", "Charlie", "Thomas", "James", "William", "Daniel",
    "Joshua", "Liam", "Kyle", "Connor", "Jordan", "Ryan", "Callum", "Mohammed", "Ali", "Omar",
    "Yusuf", "Ibrahim", "Arjun", "Rohan", "Harjit", "Kwame", "Tyrone", "Jamal", "Dwayne",
    "Jakub", "Kacper", "Piotr", "Michael", "Patrick", "Sean", "Christopher", "Matthew",
    "Anthony", "Benjamin", "Alexander", "Nathan"};
static const char *const men[] = {
    "Mohammed", "Akhtar", "Kamar", "Bassam", "Anjum", "Zeeshan", "Assad", "Mark", "Paul",
    "Gary", "Darren", "Lee", "Wayne", "Craig", "Steven", "Tomasz", "Marek", "Delroy", "Winston",
    "Tariq", "Imran", "Shabir", "Dean", "Jason", "Kevin", "Carl", "Raj", "Sunil", "Adebayo",
    "Emeka"};
static const char *const surnames[] = {
    "Smith", "Jones", "Williams", "Taylor", "Brown", "Davies", "Evans", "Wilson", "Thomas",
    "Johnson", "Roberts", "Walker", "Wright", "Robinson", "Thompson", "White", "Hughes",
    "Edwards", "Green", "Hall", "Wood", "Harris", "Lewis", "Martin", "Jackson", "Clarke",
    "Khan", "Ahmed", "Hussain", "Ali", "Patel", "Shah", "Begum", "Iqbal", "Dogar", "Karrar",
    "Singh", "Kaur", "Sharma", "Okafor", "Mensah", "Adeyemi", "Campbell", "Francis",
    "Kowalski", "Nowak", "Wisniewski", "O'Brien", "Murphy", "McDonagh", "Ward",
    "Smith-Jones", "Lloyd-Davies", "Ellis", "Fisher", "Mason", "Sondergeld", "Bhatti",
    "Chaudhry", "Mahmood"};
/* Name variants agencies write (nicknames, short forms, transliterations). */
static const char *const variants[][4] = {
    {"Elizabeth", "Liz", "Beth", "Lizzie"}, {"Katherine", "Kate", "Katie", "Kath"},
    {"Katie", "Kate", "Katy", "Kt"},         {"Rebecca", "Becky", "Becca", "Bex"},
    {"Samantha", "Sam", "Sammy", "Sammi"},   {"Victoria", "Vicky", "Tori", "Vikki"},
    {"Alexandra", "Alex", "Lexi", "Aleksandra"}, {"Jennifer", "Jen", "Jenny", "Jenna"},
    {"Stephanie", "Steph", "Stef", "Stevie"}, {"Danielle", "Dani", "Danni", "Elle"},
    {"Mohammed", "Muhammad", "Mohamed", "Mohammad"}, {"Charlotte", "Charlie", "Lottie", "Lotte"},
    {"Abigail", "Abby", "Abi", "Gail"},      {"Bethany", "Beth", "Bethan", "Bethy"},
    {"Jessica", "Jess", "Jessie", "Jesica"}, {"Christopher", "Chris", "Kit", "Cris"},
    {"Michael", "Mike", "Mick", "Mikhail"},  {"William", "Will", "Bill", "Liam"},
    {"Daniel", "Dan", "Danny", "Dani"},      {"Alexander", "Alex", "Sasha", "Alec"},
    {"Joshua", "Josh", "Joshy", "Jos"},      {"Matthew", "Matt", "Matty", "Mathew"},
    {"Megan", "Meg", "Meggie", "Meghan"},    {"Hannah", "Hanna", "Han", "Annah"},
    {"Yusuf", "Yousef", "Youssef", "Yosef"}, {"Aisha", "Ayesha", "Aysha", "Aishah"},
    {"Fatima", "Fatimah", "Fatma", "Fatemah"}, {"Natalia", "Natalie", "Nat", "Talia"},
    {"Zuzanna", "Susanna", "Zuza", "Suzanne"}, {"Omar", "Umar", "Omer", "Omar"}};
static const char *const ethnicities[] = {"White British", "White Other", "Asian Pakistani",
                                          "Asian Indian", "Black African", "Black Caribbean",
                                          "Mixed", "Irish Traveller", "Asian Bangladeshi"};
static const char *const streets[] = {
    "Cowley Road", "Iffley Road", "Magdalen Road", "Howard Street", "Temple Road",
    "Barns Road", "Rose Hill", "Blackbird Leys Road", "Sandy Lane", "Marston Road",
    "Headington Road", "London Road", "Abingdon Road", "Botley Road", "Banbury Road",
    "Walton Street", "Kennington Road", "Donnington Bridge Road", "Littlemore Road",
    "Oxford Road", "Church Lane", "Mill Street", "Station Road", "Victoria Road"};
static const char *const districts[] = {"OX1", "OX2", "OX3", "OX4", "OX14", "OX44"};
static const char pc_letters[] = "ABDEFGHJLNPQRSTUWXYZ";
static const char vrm_letters[] = "ABCDEFGHJKLMNPRSTUVWXY";
static const char *const cars[] = {"silver Vauxhall Astra", "black BMW", "red Ford Focus",
                                   "white Mercedes van", "blue Audi A3", "grey Toyota Prius"};

/* Housing is last: its files are written only with realistic identity noise. */
enum {
    A_POLICE, A_CALLS, A_CSC, A_AE, A_SEXH, A_GP, A_SCHNURSE, A_SCHOOL, A_CARE, A_YOUTH,
    A_SUBST, A_HOUSING, A_N
};
static const char *const agency_code[A_N] = {
    "police", "call_handling", "csc", "health_ae", "sexual_health", "gp", "school_nursing",
    "school", "care_provider", "youth_service", "substance_service", "housing"};
static const char *const ref_prefix[A_N] = {"N", "CH", "C-", "H", "SH", "GP", "SN", "S", "CP",
                                            "Y", "SS", "HT"};

/* ---- identity noise (realistic): reference lists ---- */

/* Nicknames, short forms and transliterations: the name as it is most
 * often written first, then what agencies also write. */
static const char *const nick[][7] = {
    {"Elizabeth", "Liz", "Beth", "Lizzie", "Eliza", "Libby"},
    {"Katherine", "Kate", "Katie", "Kath", "Catherine", "Kathryn"},
    {"Katie", "Kate", "Katy", "Katey"},
    {"Rebecca", "Becky", "Becca", "Bex", "Rebekah"},
    {"Rebekah", "Rebecca", "Becky", "Bekah"},
    {"Samantha", "Sam", "Sammy", "Sammi"},
    {"Victoria", "Vicky", "Tori", "Vikki", "Viktoria"},
    {"Alexandra", "Alex", "Lexi", "Aleksandra", "Sandra"},
    {"Aleksandra", "Alexandra", "Ola", "Ala", "Olek"},
    {"Jennifer", "Jen", "Jenny", "Jenna"},
    {"Stephanie", "Steph", "Stef", "Stevie"},
    {"Danielle", "Dani", "Danni", "Daniella"},
    {"Charlotte", "Charlie", "Lottie", "Lotte"},
    {"Abigail", "Abby", "Abi", "Abbie"},
    {"Bethany", "Beth", "Bethan", "Bethanie"},
    {"Jessica", "Jess", "Jessie", "Jesica"},
    {"Megan", "Meg", "Meggie", "Meghan"},
    {"Hannah", "Hanna", "Han", "Hana"},
    {"Aisha", "Ayesha", "Aysha", "Aishah", "Ayisha"},
    {"Fatima", "Fatimah", "Fatma", "Fatemah"},
    {"Natalia", "Natalie", "Nat", "Talia"},
    {"Zuzanna", "Susanna", "Zuza", "Zuzia"},
    {"Oliwia", "Olivia", "Oliwka", "Ola"},
    {"Olivia", "Liv", "Livvy", "Oliwia"},
    {"Amelia", "Millie", "Mia", "Amelie"},
    {"Emily", "Em", "Emmy", "Emilie"},
    {"Sophie", "Sophia", "Soph", "Sofie"},
    {"Lauren", "Laura", "Loz", "Lauryn"},
    {"Ellie", "Elly", "Ella", "Eleanor"},
    {"Maryam", "Mariam", "Miriam", "Maryum"},
    {"Zainab", "Zaynab", "Zeinab"},
    {"Priya", "Pria", "Preeya"},
    {"Siobhan", "Shivaun", "Chevonne", "Shiv"},
    {"Niamh", "Neve", "Neeve"},
    {"Kayleigh", "Kayley", "Kaylee", "Kayla"},
    {"Courtney", "Cortney", "Courtenay"},
    {"Shannon", "Shan", "Shanon"},
    {"Chantelle", "Shantelle", "Chantel"},
    {"Amira", "Ameera", "Amirah"},
    {"Gemma", "Jemma", "Gem"},
    {"Kirsty", "Kirstie", "Kirsten"},
    {"Oliver", "Ollie", "Olly", "Oli"},
    {"Harry", "Harrison", "Haz", "Henry"},
    {"George", "Georgie", "Jorge"},
    {"Charlie", "Charles", "Chas", "Chaz"},
    {"Thomas", "Tom", "Tommy", "Tomasz"},
    {"James", "Jim", "Jimmy", "Jamie"},
    {"William", "Will", "Bill", "Billy", "Liam", "Wil"},
    {"Daniel", "Dan", "Danny", "Daniyal"},
    {"Joshua", "Josh", "Joshy"},
    {"Callum", "Calum", "Cal", "Kallum"},
    {"Connor", "Conor", "Conner"},
    {"Mohammed", "Muhammad", "Mohamed", "Mohammad", "Muhammed", "Mohd"},
    {"Yusuf", "Yousef", "Youssef", "Yosef", "Yousuf"},
    {"Ibrahim", "Ebrahim", "Ibraheem"},
    {"Omar", "Umar", "Omer"},
    {"Jakub", "Jacob", "Kuba", "Jakob"},
    {"Kacper", "Casper", "Kasper"},
    {"Piotr", "Peter", "Piotrek"},
    {"Michael", "Mike", "Mick", "Michal", "Mikey"},
    {"Patrick", "Pat", "Paddy"},
    {"Sean", "Shaun", "Shawn"},
    {"Christopher", "Chris", "Kit", "Christoper"},
    {"Matthew", "Matt", "Matty", "Mathew"},
    {"Anthony", "Tony", "Ant", "Antony"},
    {"Benjamin", "Ben", "Benji", "Benny"},
    {"Alexander", "Alex", "Sasha", "Alec", "Aleksander"},
    {"Nathan", "Nat", "Nate"},
    {"Jamal", "Jamaal", "Jamil"},
    {"Harjit", "Harjeet", "Harj"},
    {"Tyrone", "Ty", "Tyron"},
    {"Steven", "Steve", "Stephen", "Stevie"},
    {"Darren", "Daz", "Daren"},
    {"Gary", "Gaz", "Garry"},
    {"Kevin", "Kev"},
    {"Tomasz", "Tomek", "Thomas", "Tom"},
    {"Marek", "Mark", "Marec"},
    {"Tariq", "Tarik", "Tareq"},
    {"Imran", "Imraan", "Emran"},
    {"Shabir", "Shabbir", "Sabir"},
    {"Adebayo", "Bayo", "Ade"},
    {"Zeeshan", "Zishan", "Zeshan"},
    {"Assad", "Asad", "Asaad"},
    {"Akhtar", "Akthar", "Akhter"},
    {"Raj", "Rajesh", "Rajan"},
    {"Sunil", "Suneel", "Sunny"}};
/* Surname spellings and transliterations (and Polish feminine forms). */
static const char *const sur_variants[][5] = {
    {"Hussain", "Hussein", "Husain", "Hossain"}, {"Ahmed", "Ahmad", "Ahmet"},
    {"Chaudhry", "Choudhury", "Chaudhary", "Chowdhury"}, {"Mahmood", "Mahmud", "Mehmood"},
    {"Kowalski", "Kowalska"}, {"Nowak", "Novak"}, {"Wisniewski", "Wisniewska", "Wishnevski"},
    {"McDonagh", "MacDonagh", "Mcdonagh", "McDonough"}, {"O'Brien", "OBrien", "O Brien"},
    {"Mohammed", "Mohamed", "Muhammad"}, {"Iqbal", "Ikbal"}, {"Mensah", "Mensa"},
    {"Thompson", "Thomson", "Tompson"}, {"Davies", "Davis", "Davey"},
    {"Clarke", "Clark"}, {"Begum", "Begam"}, {"Sondergeld", "Sondergelt"}};
/* Twins' names: similar or rhyming pairs, girls, boys, then mixed. */
static const char *const twin_girls[][2] = {
    {"Amelia", "Amelie"}, {"Ellie", "Evie"}, {"Lily", "Lola"}, {"Maya", "Mia"},
    {"Hannah", "Anna"},   {"Aisha", "Asha"}, {"Zara", "Zoya"}, {"Chloe", "Zoe"},
    {"Grace", "Faith"},   {"Megan", "Morgan"}, {"Olivia", "Sophia"}, {"Priya", "Riya"}};
static const char *const twin_boys[][2] = {
    {"Jack", "Jake"},   {"Hassan", "Hussain"}, {"Harry", "Henry"}, {"Ryan", "Rhys"},
    {"Kacper", "Kamil"}, {"Liam", "Leon"},     {"Omar", "Umar"},   {"Kyle", "Kai"},
    {"Ethan", "Evan"},  {"Daniel", "David"},   {"Aaron", "Adam"},  {"Arjun", "Aryan"}};
static const char *const twin_mixed[][2] = {
    {"Harry", "Holly"}, {"Jack", "Jess"}, {"Louis", "Louise"}, {"Daniel", "Danielle"},
    {"Oliver", "Olivia"}, {"Ali", "Aliya"}, {"Kwame", "Kamara"}};
static const char *const qwerty[] = {"qwertyuiop", "asdfghjkl", "zxcvbnm"};


/* Realistic noise draws from larger pools, so that at a million events two
 * unrelated people share a name about as often as in a real county, and the
 * namesakes that matter are made on purpose (namesake()). Invented
 * combinations of common UK names across communities. */
static const char *const girls2[] = {
    "Olivia", "Amelia", "Isla", "Ava", "Emily", "Sophie", "Grace", "Chloe", "Jessica", "Lily",
    "Katie", "Megan", "Jade", "Amy", "Lauren", "Charlotte", "Hannah", "Ellie", "Rebecca",
    "Bethany", "Aisha", "Fatima", "Maryam", "Zainab", "Amira", "Priya", "Anjali", "Simran",
    "Nadia", "Shannon", "Chantelle", "Abigail", "Zara", "Leah", "Courtney", "Kayleigh", "Paige",
    "Natalia", "Zuzanna", "Oliwia", "Aleksandra", "Precious", "Blessing", "Chiamaka", "Keisha",
    "Tanisha", "Siobhan", "Niamh", "Roisin", "Elizabeth", "Katherine", "Rebekah", "Samantha",
    "Victoria", "Alexandra", "Jennifer", "Stephanie", "Danielle", "Gemma", "Kirsty", "Mia",
    "Evie", "Poppy", "Freya", "Ruby", "Daisy", "Phoebe", "Scarlett", "Millie", "Erin", "Holly",
    "Eleanor", "Lucy", "Matilda", "Harriet", "Imogen", "Florence", "Alice", "Rosie", "Maisie",
    "Summer", "Willow", "Ivy", "Layla", "Maya", "Sienna", "Eva", "Anna", "Ella", "Georgia",
    "Madison", "Molly", "Tia", "Jasmine", "Naomi", "Sara", "Hafsa", "Khadija", "Aaliyah",
    "Inaya", "Hana", "Iqra", "Noor", "Safiya", "Mariam", "Sana", "Ayesha", "Divya", "Kiran",
    "Harleen", "Jaspreet", "Navneet", "Asha", "Riya", "Ifeoma", "Adaeze", "Esther", "Favour",
    "Abena", "Ama", "Julia", "Maja", "Wiktoria", "Lena", "Agata", "Bianca", "Elena", "Ioana",
    "Sinead", "Aoife", "Ciara", "Megan", "Caitlin", "Rhiannon", "Carys", "Demi", "Shanice",
    "Jodie", "Kelsey", "Leanne", "Nicole", "Tegan", "Toni"};
static const char *const boys2[] = {
    "Oliver", "Jack", "Harry", "George", "Charlie", "Thomas", "James", "William", "Daniel",
    "Joshua", "Liam", "Kyle", "Connor", "Jordan", "Ryan", "Callum", "Mohammed", "Ali", "Omar",
    "Yusuf", "Ibrahim", "Arjun", "Rohan", "Harjit", "Kwame", "Tyrone", "Jamal", "Dwayne",
    "Jakub", "Kacper", "Piotr", "Michael", "Patrick", "Sean", "Christopher", "Matthew",
    "Anthony", "Benjamin", "Alexander", "Nathan", "Noah", "Leo", "Oscar", "Archie", "Henry",
    "Freddie", "Alfie", "Theo", "Arthur", "Jacob", "Isaac", "Logan", "Ethan", "Lucas", "Mason",
    "Max", "Samuel", "Joseph", "Adam", "Aaron", "Reece", "Bradley", "Lewis", "Jamie", "Luke",
    "Tyler", "Kieran", "Dylan", "Owen", "Rhys", "Ewan", "Finley", "Harvey", "Toby", "Elliot",
    "Hamza", "Zayn", "Ayaan", "Hassan", "Hussain", "Bilal", "Imran", "Usman", "Zakariya",
    "Idris", "Musa", "Adil", "Faisal", "Aryan", "Vikram", "Dev", "Karan", "Sahil", "Gurpreet",
    "Manpreet", "Chinedu", "Emeka", "Tobi", "Kofi", "Kojo", "Femi", "Marcus", "Andre",
    "Darnell", "Jerome", "Kai", "Mateusz", "Szymon", "Filip", "Dawid", "Bartosz", "Luca",
    "Andrei", "Stefan", "Darius", "Conor", "Cian", "Ronan", "Declan", "Shane", "Brandon",
    "Jake", "Kian", "Cameron", "Scott", "Aiden", "Jayden", "Riley"};
static const char *const women2[] = {
    "Sarah", "Claire", "Michelle", "Nicola", "Lisa", "Emma", "Joanne", "Kelly", "Donna",
    "Karen", "Amanda", "Rachel", "Louise", "Helen", "Julie", "Tracey", "Dawn", "Samina",
    "Nasreen", "Shazia", "Parveen", "Rubina", "Sunita", "Anita", "Monika", "Agnieszka",
    "Katarzyna", "Joanna", "Grace", "Funmi", "Ngozi", "Mary", "Bridget", "Jennifer",
    "Stephanie", "Danielle", "Gemma", "Kirsty", "Victoria", "Samantha", "Elizabeth",
    "Katherine", "Rebecca", "Laura", "Hayley", "Stacey", "Leanne", "Natalie", "Zoe", "Vicky",
    "Carly", "Kerry", "Sharon", "Angela", "Deborah", "Susan", "Jacqueline", "Maria", "Ewa",
    "Magdalena", "Anna", "Beata", "Shabana", "Farzana", "Yasmin", "Nazia", "Sadia", "Fatima",
    "Aisha", "Rukhsana", "Bushra", "Kiran", "Harpreet", "Manjit", "Rajinder", "Sukhjit",
    "Neelam", "Chioma", "Adaobi", "Folake", "Yetunde", "Abimbola", "Patience", "Comfort",
    "Marcia", "Sonia", "Paulette", "Jackie", "Siobhan", "Aoife", "Roisin", "Mairead"};
static const char *const men2[] = {
    "Mohammed", "Akhtar", "Kamar", "Bassam", "Anjum", "Zeeshan", "Assad", "Mark", "Paul",
    "Gary", "Darren", "Lee", "Wayne", "Craig", "Steven", "Tomasz", "Marek", "Delroy", "Winston",
    "Tariq", "Imran", "Shabir", "Dean", "Jason", "Kevin", "Carl", "Raj", "Sunil", "Adebayo",
    "Emeka", "David", "John", "Andrew", "Richard", "Robert", "Stuart", "Neil", "Simon", "Ian",
    "Martin", "Christopher", "Michael", "James", "Daniel", "Matthew", "Anthony", "Thomas",
    "Peter", "Stephen", "Jonathan", "Scott", "Shaun", "Ricky", "Lloyd", "Clive", "Trevor",
    "Nadeem", "Khalid", "Asif", "Naveed", "Waqar", "Sajid", "Zahid", "Amjad", "Javed",
    "Rizwan", "Farhan", "Hardeep", "Jaswinder", "Kuldip", "Sanjay", "Vijay", "Ramesh",
    "Olumide", "Chukwudi", "Kwabena", "Kwesi", "Femi", "Segun", "Pawel", "Krzysztof",
    "Grzegorz", "Adam", "Lukasz", "Rafal", "Michal", "Sean", "Patrick", "Brendan", "Liam",
    "Declan", "Gavin", "Jamie", "Ryan", "Leon", "Marvin", "Errol", "Desmond"};
static const char *const surnames2[] = {
    "Smith", "Jones", "Williams", "Taylor", "Brown", "Davies", "Evans", "Wilson", "Thomas",
    "Johnson", "Roberts", "Walker", "Wright", "Robinson", "Thompson", "White", "Hughes",
    "Edwards", "Green", "Hall", "Wood", "Harris", "Lewis", "Martin", "Jackson", "Clarke",
    "Khan", "Ahmed", "Hussain", "Ali", "Patel", "Shah", "Begum", "Iqbal", "Dogar", "Karrar",
    "Singh", "Kaur", "Sharma", "Okafor", "Mensah", "Adeyemi", "Campbell", "Francis",
    "Kowalski", "Nowak", "Wisniewski", "O'Brien", "Murphy", "McDonagh", "Ward",
    "Smith-Jones", "Lloyd-Davies", "Ellis", "Fisher", "Mason", "Sondergeld", "Bhatti",
    "Chaudhry", "Mahmood", "Turner", "Cooper", "Hill", "Moore", "Allen", "Young", "King",
    "Scott", "Baker", "Adams", "Mitchell", "Phillips", "Morris", "Parker", "Bennett",
    "Cook", "Bailey", "Carter", "Collins", "Bell", "Shaw", "Richardson", "Cox", "Howard",
    "Watson", "Marshall", "Chapman", "Harrison", "Price", "Morgan", "Griffiths", "Kelly",
    "Lee", "Russell", "Webb", "Palmer", "Holmes", "Mills", "Owen", "Stevens", "Knight",
    "Payne", "Dixon", "Rose", "Hunt", "Graham", "Gray", "Barnes", "Wells", "Porter",
    "Hunter", "Spencer", "Pearson", "Butler", "Reid", "Gibson", "Kennedy", "Stewart",
    "Fox", "Lawrence", "Dean", "Watts", "Gordon", "Foster", "Matthews", "Powell", "Jenkins",
    "Atkinson", "Burton", "Harvey", "Barker", "Riley", "Armstrong", "Andrews",
    "Saunders", "Fletcher", "Dawson", "Rees", "Grant", "Hudson", "Walsh", "Byrne", "Doyle",
    "Quinn", "Gallagher", "Doherty", "Brennan", "Connolly", "Maguire", "Nolan", "Joyce",
    "Rafiq", "Akhtar", "Aslam", "Anwar", "Rashid", "Malik", "Butt", "Raja", "Qureshi",
    "Siddiqui", "Rahman", "Uddin", "Miah", "Islam", "Choudhury", "Hossain", "Sultana",
    "Gill", "Sandhu", "Dhillon", "Sidhu", "Bains", "Grewal", "Mistry", "Desai", "Joshi",
    "Mehta", "Chauhan", "Parmar", "Solanki", "Okonkwo", "Eze", "Obi", "Nwosu", "Okoro",
    "Adebayo", "Ogunleye", "Afolabi", "Boateng", "Owusu", "Asante", "Agyeman", "Osei",
    "Baptiste", "Grant-Williams", "Henry", "Thomas-Reid", "Brown-Smith", "Clarke-Taylor",
    "Lewandowski", "Zielinski", "Szymanski", "Wozniak", "Kaminski", "Dabrowski", "Mazur",
    "Krawczyk", "Popescu", "Ionescu", "Rossi", "Silva", "Santos", "Costa", "Pereira",
    "Ferreira", "Yilmaz", "Demir", "Kaya", "Nguyen", "Tran", "Chen", "Wang", "Li",
    "Sutton", "Pope", "Newman", "Day", "Page", "Cole", "Bird", "Holland", "Reynolds",
    "Ball", "Hart", "Marsh", "Walton", "Goodwin", "Lucas", "Bishop", "Booth", "Chambers",
    "Lamb", "Little", "Frost", "Short", "Sharp", "Moss", "Barber", "Hayes", "Fraser",
    "Hamilton", "Robertson", "Ross", "Johnston", "Murray", "Paterson", "Kerr", "Burns",
    "Dunn", "Perry", "Lowe", "Kemp", "Slater", "Norris", "Rowe", "Yates", "Whitehead",
    "Parry", "Pritchard", "Vaughan", "Jarvis", "Hodgson", "Nicholson", "Bradley", "Tucker",
    "Read", "Stone", "Lord", "Field", "Nash", "Gardner", "Buckley", "Howe", "Berry",
    "Ashton", "Sinclair", "Hopkins", "Barrett", "Weston", "Carr", "Cross", "Davidson",
    "Pearce", "Hammond", "Ryan", "Lynch", "Farrell", "Power", "Sheridan", "Hogan"};
/* Towns with their postcode districts, and street names built from stems
 * and kinds: "Church Lane" is in several towns, as in a real county. No
 * stem, kind or town contains a name of the pools above (place names are
 * shown where person names never are, and tests check that no name is). */
static const struct {
    const char *name;
    const char *district[3];
    int weight;
} towns[] = {{"Oxford", {"OX1", "OX3", "OX4"}, 30}, {"Abingdon", {"OX14", NULL, NULL}, 7},
             {"Banbury", {"OX16", "OX15", NULL}, 9}, {"Bicester", {"OX26", "OX25", NULL}, 8},
             {"Witney", {"OX28", "OX29", NULL}, 7}, {"Didcot", {"OX11", NULL, NULL}, 6},
             {"Wantage", {"OX12", NULL, NULL}, 4}, {"Thame", {"OX9", NULL, NULL}, 3},
             {"Henley-on-Thames", {"RG9", NULL, NULL}, 3}, {"Kidlington", {"OX5", NULL, NULL}, 4},
             {"Charlbury", {"OX7", "OX18", NULL}, 4}, {"Wallingford", {"OX10", NULL, NULL}, 3},
             {"Chipping Norton", {"OX7", NULL, NULL}, 3}, {"Faringdon", {"SN7", NULL, NULL}, 3},
             {"Botley", {"OX2", NULL, NULL}, 3}, {"Blackbird Leys", {"OX4", NULL, NULL}, 3}};
static const char *const street_stem[] = {
    "Church", "Mill", "Station", "Jubilee", "Oak", "Elm", "Meadow", "Park", "High", "Queens",
    "Abbey", "Manor", "Orchard", "Windmill", "Banbury", "Abingdon", "Eynsham", "London",
    "Oxford", "Cowley", "Iffley", "Marston", "Headington", "Botley", "Kennington", "Sandy",
    "Common", "Ridge", "Bridge", "Chapel", "School", "Rectory", "Vicarage", "Farm", "Brook",
    "Poplar", "Ash", "Beech", "Cherry", "Hawthorn", "Laurel", "Lark", "Swallow", "Kestrel",
    "Falcon", "Blenheim", "Cherwell", "Thames", "Isis", "Evenlode", "Windrush", "Ock",
    "Glebe", "Castle", "Wharf", "Canal", "Cromwell", "Nelson", "Wellington", "Magdalen"};
static const char *const street_kind[] = {"Road",     "Street",  "Lane",    "Close",
                                          "Avenue",   "Way",     "Crescent", "Drive",
                                          "Gardens",  "Place"};

/* Person groups in truth.json ("groups"), for scoring identity by kind. */
enum {
    G_HOUSEHOLD = 1, G_SIBLING = 2, G_TWIN = 4, G_STEP = 8, G_MOVED = 16, G_NAMESAKE = 32,
    G_N = 6
};
static const char *const group_name[G_N] = {"household", "sibling", "twin", "step_family",
                                            "moved", "namesake"};

enum { R_ORDINARY, R_VICTIM, R_NETWORK, R_DECOY, R_PARENT };
static const char *const role_name[] = {"ordinary", "victim", "network_adult", "decoy",
                                        "ordinary"};
enum { C_NONE, C_CARE_FAMILY, C_SUBSTANCE, C_DOMESTIC, C_SELF_HARM, C_PEER, C_LD, C_N };
static const char *const confounder_name[C_N] = {
    "none", "in_care_missing_family", "substance", "domestic_abuse", "self_harm",
    "peer_relationship", "learning_disability"};

typedef struct person {
    char fore[24], sur[32], known_as[16];
    char gender;
    int32_t dob; /* day number */
    int hh, hh2;
    int32_t move_day;
    uint8_t eth, is_adult, role, confounder, in_care;
    int8_t network;
    int twin_of, parent;
    char nhs[11], upn[14], phone[14];
    uint32_t refs_used; /* bit a*2 (+1 for the duplicate ref) */
    uint32_t nsparse;   /* refs of one row each (call handling, housing members...) */
    uint8_t groups;     /* G_* */
    uint8_t story, story_done; /* confounder story + 1 (--confounders stories); written */
    int story_adult, story_other; /* the story's adult; the sibling or twin it names */
    int32_t began;      /* victims: day exploitation began */
    json_t *indicators; /* victims: [known_at, indicator, agency] */
} person;

typedef struct household {
    char street_no[8];
    int street; /* realistic: street_stem * 10 + street_kind */
    char pc[9];
    int town;   /* realistic only: index into towns[], -1 otherwise */
    int first, n; /* the family that lives here first: people first..first+n-1 */
} household;

/* A ref used for one row only: the person and the agency's serial for it. */
typedef struct sparse_ref {
    int32_t p;
    uint32_t serial;
    uint8_t a, kind; /* K_*: K_FULL, or how the row is sparse */
} sparse_ref;

/* What a one-row ref's row lacks (truth.json "kind"; K_FULL is not sparse). */
enum { K_FULL, K_NO_NAME, K_FIRST_ONLY, K_SURNAME_ONLY, K_AGE_ONLY, K_NO_DOB, K_N };
static const char *const kind_name[K_N] = {"full", "no_name", "first_name_only",
                                           "surname_only", "age_only", "no_dob"};

typedef struct party {
    int p;
    const char *role;
} party;

typedef struct obj {
    const char *type, *value, *desc;
    int owner;
} obj;

typedef struct netw {
    int adults[8], nadults;
    int children[12], nchildren;
    char vrm[3][10];
    int nvrm;
    char phone[2][14];
    int hotspot;
    int64_t first_evidence;
    int first_child; /* the first child linked to an adult, for first_evidence */
} netw;

typedef struct synth {
    jd_rng r;
    jd_synth_opts o;
    int32_t day0, days;
    person *pp;
    int np, pcap;
    household *hh;
    int nhh;
    netw nets[16];
    int nnet;
    FILE *ev[A_N], *pe[A_N], *ob;
    uint32_t counter[A_N];
    jd_synth_stats st;
    json_t *unrec, *left, *blame, *landmarks;
    bool oxford;
    int64_t ox_police, ox_missing; /* police contacts and missing reports on the six */
    char buf[4096];
    jd_error *err;
    int io_error;
    bool noise;              /* realistic identity noise */
    sparse_ref *sp;          /* one-row refs, in the order written */
    size_t nsp, spcap;
    uint32_t sp_base;        /* one-row ref serials start above every person index */
    uint32_t sp_next[A_N];
    bool identified;         /* the event being written names its people in full */
    bool stories;            /* --confounders stories */
    jd_rng story_rng;        /* the stories' own stream (the county stays the same bytes) */
    char story_other[32];    /* %S of the story record being written */
} synth;

/* ---- small helpers ---- */

static uint32_t rnd(synth *S, uint32_t n)
{
    return jd_rng__below(&S->r, n);
}
static int chance(synth *S, double p)
{
    return jd_rng__chance(&S->r, p);
}
#define PICK(S, arr) (arr)[rnd(S, JD_ARRAY_LEN(arr))]

/* The civil date of a day number (days since 1970-01-01;
 * jd_norm__civil_from_days). Noon UTC is the same date in UK local time, so this is the
 * date jd_norm__format_uk gives for the day, without formatting. */
static void day_ymd(int32_t day, int *y, int *m, int *d)
{
    unsigned um, ud;
    jd_norm__civil_from_days(day, y, &um, &ud);
    *m = (int)um;
    *d = (int)ud;
}

static void day_text(char out[11], int32_t day)
{
    int y;
    unsigned m, d;
    jd_norm__civil_from_days(day, &y, &m, &d);
    jd_norm__ymd_text(out, y, m, d);
}

/* A valid NHS number (modulus 11) in the 9xx test range. */
static void make_nhs(synth *S, char out[11])
{
    for (;;) {
        int sum = 0;
        out[0] = '9';
        for (int i = 1; i < 9; i++)
            out[i] = (char)('0' + rnd(S, 10));
        for (int i = 0; i < 9; i++)
            sum += (out[i] - '0') * (10 - i);
        int c = 11 - sum % 11;
        if (c == 11)
            c = 0;
        if (c == 10)
            continue;
        out[9] = (char)('0' + c);
        out[10] = '\0';
        return;
    }
}

/* A valid UPN: check letter by the DfE rule over 12 characters. */
static void make_upn(synth *S, char out[14])
{
    static const char L[] = "ABCDEFGHJKLMNPQRTUVWXYZ";
    int sum = 0;
    snprintf(out + 1, 13, "93%d%09u", 1 + (int)rnd(S, 9), rnd(S, 1000000000));
    for (int i = 1; i < 13; i++)
        sum += (out[i] - '0') * (i + 1);
    out[0] = L[sum % 23];
    out[13] = '\0';
}

static void make_vrm(synth *S, char out[10])
{
    snprintf(out, 10, "%c%c%02u %c%c%c", 'A' + (int)rnd(S, 2) * 11, vrm_letters[rnd(S, 22)],
             51 + rnd(S, 12), vrm_letters[rnd(S, 22)], vrm_letters[rnd(S, 22)],
             vrm_letters[rnd(S, 22)]);
}

static int add_person(synth *S)
{
    if (S->np == S->pcap) {
        int nc = S->pcap ? S->pcap * 2 : 1024;
        person *n = realloc(S->pp, (size_t)nc * sizeof *n);
        if (!n)
            return -1;
        S->pp = n;
        S->pcap = nc;
    }
    person *p = &S->pp[S->np];
    memset(p, 0, sizeof *p);
    p->network = -1;
    p->twin_of = -1;
    p->parent = -1;
    p->move_day = -1;
    p->hh2 = -1;
    p->story_adult = p->story_other = -1;
    return S->np++;
}

static int age_on(const person *p, int32_t day)
{
    int y1, m1, d1, y2, m2, d2;
    day_ymd(p->dob, &y1, &m1, &d1);
    day_ymd(day, &y2, &m2, &d2);
    return y2 - y1 - (m2 < m1 || (m2 == m1 && d2 < d1));
}

static const household *home_of(const synth *S, const person *p, int32_t day)
{
    if (p->hh2 >= 0 && p->move_day >= 0 && day >= p->move_day)
        return &S->hh[p->hh2];
    return &S->hh[p->hh];
}

static uint64_t mix64(uint64_t x)
{
    x ^= x >> 30;
    x *= 0xbf58476d1ce4e5b9ULL;
    x ^= x >> 27;
    x *= 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

/* The postcode of a house: the town's district, then a sector and unit
 * fixed by the street and the block of about 16 numbers, so neighbours
 * share a postcode and one street can span several. */
static void postcode_of(household *h)
{
    int n = atoi(h->street_no);
    int nd = 0;
    while (nd < 3 && towns[h->town].district[nd])
        nd++;
    uint64_t k = mix64(((uint64_t)(unsigned)h->town << 40) ^
                       ((uint64_t)(unsigned)h->street << 20) ^ (uint64_t)(n / 16));
    snprintf(h->pc, sizeof h->pc, "%s %u%c%c", towns[h->town].district[k % (uint64_t)nd],
             (unsigned)(k >> 8) % 10u, pc_letters[(k >> 16) % 20], pc_letters[(k >> 24) % 20]);
}

static void address_text(const household *h, char *out, size_t cap)
{
    if (h->town < 0)
        snprintf(out, cap, "%s %s", h->street_no, streets[h->street]);
    else
        snprintf(out, cap, "%s %s %s, %s", h->street_no, street_stem[h->street / 10],
                 street_kind[h->street % 10], towns[h->town].name);
}

/* ---- CSV writing ---- */

static void csv_field(synth *S, FILE *f, const char *s)
{
    if (!s)
        return;
    if (!strpbrk(s, ",\"\r\n")) {
        fputs(s, f);
        return;
    }
    fputc('"', f);
    for (; *s; s++) {
        if (*s == '"')
            fputc('"', f);
        fputc(*s, f);
    }
    fputc('"', f);
    (void)S;
}

/* Column orders differ by agency, as real exports do. */
static const char *const ev_cols_a[] = {"agency", "record_id", "event_type", "occurred_at",
                                        "reported_at", "location", "postcode", "narrative",
                                        "crime_recorded", "crime_ref", "outcome", "author_role",
                                        "risk_grade"};
static const char *const ev_cols_b[] = {"record_id", "agency", "occurred_at", "event_type",
                                        "narrative", "location", "postcode", "outcome",
                                        "author_role", "reported_at", "risk_grade",
                                        "crime_recorded", "crime_ref"};
static const char *const pe_cols_a[] = {"agency", "record_id", "person_ref", "role", "surname",
                                        "forenames", "known_as", "dob", "age", "gender",
                                        "address", "postcode", "phone", "nhs_number", "upn",
                                        "ethnicity"};
static const char *const pe_cols_b[] = {"person_ref", "agency", "record_id", "role",
                                        "forenames", "surname", "dob", "gender", "age",
                                        "postcode", "address", "known_as", "phone", "upn",
                                        "nhs_number", "ethnicity"};

static void write_row(synth *S, FILE *f, const char *const *cols, size_t n,
                      const char *const *names, const char *const *vals, size_t nv)
{
    for (size_t i = 0; i < n; i++) {
        if (i)
            fputc(',', f);
        for (size_t k = 0; k < nv; k++)
            if (!strcmp(cols[i], names[k])) {
                csv_field(S, f, vals[k]);
                break;
            }
    }
    fputs(S->o.seed % 2 && f == S->ev[A_CSC] ? "\r\n" : "\n", f);
}

static const char *const *ev_cols(int a)
{
    return a % 2 ? ev_cols_b : ev_cols_a;
}
static const char *const *pe_cols(int a)
{
    return a % 3 == 1 ? pe_cols_b : pe_cols_a;
}

/* ---- agency noise on a person row ---- */

static void ref_of(synth *S, char out[24], int a, int pi, bool dup)
{
    /* Agency numbering is unrelated to the truth ids, so refs carry no hint. */
    /* With realistic noise each agency numbers with its own multiplier (each
     * coprime to 9000000, so a bijection on 0..8999999): one person's refs in
     * two agencies share no arithmetic. Without it, the original numbering. */
    static const uint32_t mult[A_N] = {2654435761u, 2246822519u, 3266489917u, 668265263u,
                                       374761393u,  2870177453u, 1597334677u, 3812015801u,
                                       2166136261u, 16777619u,    805306457u, 1610612741u};
    if (S->noise) {
        uint32_t k = (uint32_t)((uint64_t)(pi + 17) * mult[a] % 9000000u) + 1000000u;
        snprintf(out, 24, "%s%s%u", ref_prefix[a], dup ? "9" : "", k);
        return;
    }
    uint32_t k = (uint32_t)((uint64_t)(pi + 17) * 2654435761u % 9000000u) + 1000000u;
    snprintf(out, 24, "%s%s%u", ref_prefix[a], dup ? "9" : "", k + (uint32_t)a * 7u);
}

static void typo(synth *S, char *s)
{
    size_t n = strlen(s);
    if (n < 4)
        return;
    size_t i = 1 + rnd(S, (uint32_t)(n - 2));
    switch (rnd(S, 3)) {
    case 0: { /* swap */
        char t = s[i];
        s[i] = s[i + 1];
        s[i + 1] = t;
        break;
    }
    case 1: /* drop */
        memmove(s + i, s + i + 1, n - i);
        break;
    default: /* double */
        if (n + 1 < 31) {
            memmove(s + i + 1, s + i, n - i + 1);
        }
        break;
    }
}

static const char *variant_of(synth *S, const char *name)
{
    for (size_t i = 0; i < JD_ARRAY_LEN(variants); i++)
        if (!strcmp(variants[i][0], name))
            return variants[i][1 + rnd(S, 3)];
    return name;
}

/* One persons row as written: NULL fields stay empty. */
typedef struct prow {
    const char *ref, *role, *sur, *fore, *known_as, *dob, *age, *gender, *addr, *pc, *phone,
        *nhs, *upn, *eth;
} prow;

static void put_person(synth *S, int a, const char *record_id, const prow *r)
{
    static const char *const names[] = {
        "agency",   "record_id", "person_ref", "role",  "surname",    "forenames",
        "known_as", "dob",       "age",        "gender", "address",   "postcode",
        "phone",    "nhs_number", "upn",       "ethnicity"};
    const char *vals[] = {agency_code[a], record_id, r->ref,   r->role,  r->sur, r->fore,
                          r->known_as,    r->dob,    r->age,   r->gender, r->addr, r->pc,
                          r->phone,       r->nhs,    r->upn,   r->eth};
    write_row(S, S->pe[a], pe_cols(a), 16, names, vals, 16);
    S->st.person_rows++;
}

static void person_row_real(synth *S, int a, const char *record_id, int pi, const char *role,
                            int32_t day);

static void person_row(synth *S, int a, const char *record_id, int pi, const char *role,
                       int32_t day)
{
    if (S->noise) {
        person_row_real(S, a, record_id, pi, role, day);
        return;
    }
    person *p = &S->pp[pi];
    bool dup = !p->is_adult && (p->refs_used & (1u << (a * 2 + 1))) ? chance(S, 0.5)
               : !p->is_adult && chance(S, 0.04);
    char ref[24], fore[32], sur[40], dob[16] = "", age[8] = "", addr[64] = "", phone[16] = "";
    ref_of(S, ref, a, pi, dup);
    p->refs_used |= 1u << (a * 2 + (dup ? 1 : 0));
    snprintf(fore, sizeof fore, "%s", p->fore);
    snprintf(sur, sizeof sur, "%s", p->sur);
    /* Names: nicknames by staff who know the child, typos, half of a
     * double-barrelled surname, the occasional swapped field. */
    if (chance(S, a == A_POLICE || a == A_CARE || a == A_YOUTH ? 0.3 : 0.1))
        snprintf(fore, sizeof fore, "%s", variant_of(S, p->fore));
    if (chance(S, 0.04))
        typo(S, fore);
    if (chance(S, 0.05))
        typo(S, sur);
    char *hy = strchr(sur, '-');
    if (hy && chance(S, 0.4))
        memmove(sur, hy + 1, strlen(hy));
    if (chance(S, 0.03))
        for (char *c = sur; *c; c++)
            *c = (char)(*c >= 'a' && *c <= 'z' ? *c - 32 : *c);
    /* Dates of birth: health and schools are accurate; police and call
     * handlers swap day and month, get the year wrong, or give only an age. */
    char d[11];
    day_text(d, p->dob);
    int yy = atoi(d), mm = atoi(d + 5), dd = atoi(d + 8);
    bool accurate = a == A_AE || a == A_GP || a == A_SCHOOL || a == A_SCHNURSE || a == A_SEXH;
    if (a == A_CALLS || (a == A_YOUTH && chance(S, 0.5)) || (!accurate && chance(S, 0.08))) {
        snprintf(age, sizeof age, "%d", age_on(p, day));
    } else if (!(p->is_adult && chance(S, 0.3))) {
        if (!accurate && dd <= 12 && chance(S, 0.05)) {
            int t = dd;
            dd = mm;
            mm = t;
        }
        if (!accurate && chance(S, 0.03)) {
            yy += chance(S, 0.5) ? 1 : -1;
            if (mm == 2 && dd == 29) /* a wrong year must still be a real date */
                dd = 28;
        }
        if (a == A_CSC || a == A_CARE)
            snprintf(dob, sizeof dob, "%02d/%02d/%04d", dd, mm, yy);
        else
            snprintf(dob, sizeof dob, "%04d-%02d-%02d", yy, mm, dd);
    }
    const household *h = home_of(S, p, day);
    if (!(a == A_CALLS) && chance(S, 0.7))
        address_text(h, addr, sizeof addr);
    if (p->phone[0] && (a == A_POLICE || a == A_CALLS) && chance(S, 0.4))
        snprintf(phone, sizeof phone, "%s", p->phone);
    bool health = a == A_AE || a == A_GP || a == A_SEXH || a == A_SCHNURSE;
    const char *gender = p->gender == 'F' ? (a == A_CSC ? "Female" : "F")
                                          : (a == A_CSC ? "Male" : "M");
    prow r = {ref,
              role,
              sur,
              fore,
              a == A_POLICE && p->known_as[0] ? p->known_as : NULL,
              dob[0] ? dob : NULL,
              age[0] ? age : NULL,
              gender,
              addr[0] ? addr : NULL,
              a == A_CALLS ? NULL : h->pc,
              phone[0] ? phone : NULL,
              health && p->nhs[0] ? p->nhs : NULL,
              a == A_SCHOOL && p->upn[0] ? p->upn : NULL,
              (a == A_POLICE || a == A_CSC || a == A_SCHOOL) ? ethnicities[p->eth] : NULL};
    put_person(S, a, record_id, &r);
}

/* ---- realistic identity noise on a person row ---- */

static char key_neighbour(synth *S, char c)
{
    char lc = (char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
    for (size_t r = 0; lc && r < JD_ARRAY_LEN(qwerty); r++) {
        const char *k = strchr(qwerty[r], lc);
        if (!k)
            continue;
        size_t i = (size_t)(k - qwerty[r]), n = strlen(qwerty[r]);
        size_t j = i == 0 ? 1 : i == n - 1 ? n - 2 : chance(S, 0.5) ? i - 1 : i + 1;
        return (char)(c != lc ? qwerty[r][j] - 32 : qwerty[r][j]);
    }
    return c;
}

/* A typo: two letters transposed, one dropped, one doubled, or a keyboard
 * neighbour; never the first letter. */
static void typo_real(synth *S, char *s, size_t cap)
{
    size_t n = strlen(s);
    if (n < 3)
        return;
    size_t i = 1 + rnd(S, (uint32_t)(n - 2));
    switch (rnd(S, 4)) {
    case 0: {
        char t = s[i];
        s[i] = s[i + 1];
        s[i + 1] = t;
        break;
    }
    case 1: memmove(s + i, s + i + 1, n - i); break;
    case 2:
        if (n + 2 <= cap)
            memmove(s + i + 1, s + i, n - i + 1);
        break;
    default: s[i] = key_neighbour(S, s[i]); break;
    }
}

static const char *nick_of(synth *S, const char *name)
{
    for (size_t i = 0; i < JD_ARRAY_LEN(nick); i++)
        if (!strcmp(nick[i][0], name)) {
            uint32_t k = 1;
            while (k < 7 && nick[i][k])
                k++;
            return nick[i][1 + rnd(S, k - 1)];
        }
    return name;
}

static const char *sur_variant_of(synth *S, const char *name)
{
    for (size_t i = 0; i < JD_ARRAY_LEN(sur_variants); i++)
        if (!strcmp(sur_variants[i][0], name)) {
            uint32_t k = 1;
            while (k < 5 && sur_variants[i][k])
                k++;
            return sur_variants[i][1 + rnd(S, k - 1)];
        }
    return name;
}

static int month_days(int y, int m)
{
    static const int d[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && ((y % 4 == 0 && y % 100) || y % 400 == 0) ? 29 : d[m - 1];
}

/* Date-of-birth noise: day and month swapped, the year off by one, one digit
 * wrong. The result is always a real date. */
static void dob_noise(synth *S, int *y, int *m, int *d, bool accurate)
{
    int yy = *y, mm = *m, dd = *d;
    if (!accurate && dd <= 12 && chance(S, 0.05)) {
        int t = dd;
        dd = mm;
        mm = t;
    }
    if (chance(S, accurate ? 0.004 : 0.03))
        yy += chance(S, 0.5) ? 1 : -1;
    if (chance(S, accurate ? 0.004 : 0.02)) {
        switch (rnd(S, 3)) {
        case 0: dd = dd / 10 * 10 + (int)rnd(S, 10); break;
        case 1: mm = mm < 10 ? 1 + (int)rnd(S, 9) : 10 + (int)rnd(S, 3); break;
        default: yy = yy / 10 * 10 + (int)rnd(S, 10); break;
        }
    }
    if (mm < 1 || mm > 12 || dd < 1)
        return;
    if (dd > month_days(yy, mm))
        dd = month_days(yy, mm);
    *y = yy;
    *m = mm;
    *d = dd;
}

enum { N_FULL, N_FIRST, N_SUR, N_NONE };    /* which names a one-row ref carries */
enum { D_DOB, D_AGE, D_NONE };              /* and whether a date of birth or an age */

/* A fresh ref for one row: serials start above every person index, so it
 * never equals a person's own ref and looks like any other ref. */
static bool one_row_ref(synth *S, char out[24], int a, uint32_t *serial)
{
    uint32_t k = S->sp_base + S->sp_next[a];
    if (k >= 9000000u - 17u || S->nsp == (size_t)INT32_MAX)
        return false;
    if (jd_grow((void **)&S->sp, &S->spcap, S->nsp + 1, sizeof *S->sp) < 0)
        return false;
    *serial = S->sp_next[a]++;
    ref_of(S, out, a, (int)k, false);
    return true;
}

/* The name as agency A writes it (fore and sur, 48 bytes each): nicknames
 * by staff who know the person, variant spellings and typos, half of a
 * double-barrelled surname, upper case, the surname written first. */
static void written_name(synth *S, const person *p, int a, bool accurate, bool knows, char *fore,
                         char *sur, size_t cap)
{
    snprintf(fore, cap, "%s", p->fore);
    snprintf(sur, cap, "%s", p->sur);
    if (chance(S, knows ? 0.3 : 0.1))
        snprintf(fore, cap, "%s", nick_of(S, p->fore));
    if (chance(S, accurate ? 0.02 : 0.05))
        snprintf(sur, cap, "%s", sur_variant_of(S, p->sur));
    if (chance(S, accurate ? 0.02 : 0.05))
        typo_real(S, fore, cap);
    if (chance(S, accurate ? 0.03 : 0.06))
        typo_real(S, sur, cap);
    char *hy = strchr(sur, '-');
    if (hy) { /* double-barrelled: one part or the other, or a space */
        uint32_t u = rnd(S, 100);
        if (u < 25)
            memmove(sur, hy + 1, strlen(hy));
        else if (u < 45)
            *hy = '\0';
        else if (u < 55)
            *hy = ' ';
    }
    if (chance(S, 0.03))
        for (char *c = sur; *c; c++)
            *c = (char)(*c >= 'a' && *c <= 'z' ? *c - 32 : *c);
    if (chance(S, knows || a == A_HOUSING ? 0.04 : 0.015)) { /* surname written first */
        char t[48]; /* cap is 48 */
        snprintf(t, sizeof t, "%s", sur);
        snprintf(sur, cap, "%s", fore);
        snprintf(fore, cap, "%s", t);
    }
}

/* What a one-row ref (no person index) records of P at agency A: how much
 * of the name (*nm), date of birth or age (*dm), address and postcode. */
static void one_row_fields(synth *S, const person *p, int a, int *nm, int *dm, bool *want_addr,
                           bool *want_pc)
{
    uint32_t u = rnd(S, 100), v = rnd(S, 100);
    if (a == A_CALLS) {
        *nm = p->is_adult ? (u < 75 ? N_FULL : u < 85 ? N_FIRST : u < 95 ? N_SUR : N_NONE)
                         : (u < 45 ? N_FULL : u < 75 ? N_FIRST : u < 87 ? N_SUR : N_NONE);
        *dm = v < 15 ? D_DOB : v < 60 ? D_AGE : D_NONE;
        *want_addr = *nm == N_NONE || chance(S, 0.4);
        *want_pc = *nm == N_NONE && chance(S, 0.5);
    } else if (a == A_HOUSING) {
        *nm = u < 60 ? N_FIRST : N_FULL;
        *dm = v < 50 ? D_DOB : v < 90 ? D_AGE : D_NONE;
        *want_addr = *want_pc = true;
    } else if (a == A_POLICE) {
        *nm = u < 60 ? N_FIRST : N_FULL;
        *dm = v < 70 ? D_AGE : D_NONE;
        *want_addr = *want_pc = chance(S, 0.3);
    } else {
        *nm = u < 70 ? N_FULL : N_FIRST;
        *dm = v < 50 ? D_AGE : D_NONE;
        *want_addr = *want_pc = chance(S, 0.5);
    }
    if (S->identified) {
        *nm = N_FULL;
        *dm = D_DOB;
    }
}

/* P's date of birth as agency A writes it at DAY (cap bytes): with noise,
 * never after the event, in the agency's form. */
static void written_dob(synth *S, const person *p, int a, int32_t day, bool accurate, char *dob,
                        size_t cap)
{
    char d[11];
    day_text(d, p->dob);
    int yy = atoi(d), mm = atoi(d + 5), dd = atoi(d + 8);
    dob_noise(S, &yy, &mm, &dd, accurate);
    int ey, em, ed; /* no agency system takes a date of birth after the event */
    day_ymd(day, &ey, &em, &ed);
    if (yy * 10000 + mm * 100 + dd > ey * 10000 + em * 100 + ed)
        yy = atoi(d), mm = atoi(d + 5), dd = atoi(d + 8);
    if (a == A_HOUSING && chance(S, 0.1))
        snprintf(dob, cap, "%04d", yy);
    else if (a == A_CSC || a == A_CARE || a == A_HOUSING)
        snprintf(dob, cap, "%02d/%02d/%04d", dd, mm, yy);
    else
        snprintf(dob, cap, "%04d-%02d-%02d", yy, mm, dd);
}

static void person_row_real(synth *S, int a, const char *record_id, int pi, const char *role,
                            int32_t day)
{
    person *p = &S->pp[pi];
    bool health = a == A_AE || a == A_GP || a == A_SEXH || a == A_SCHNURSE;
    bool accurate = health || a == A_SCHOOL;
    bool knows = a == A_POLICE || a == A_CARE || a == A_YOUTH || a == A_CALLS;
    char ref[24], fore[48], sur[48], dob[16] = "", age[8] = "", addr[64] = "", phone[16] = "";
    const char *pc = NULL;
    const household *h = home_of(S, p, day);
    /* One ref per row: call handlers keep no person index, housing lists the
     * household on each record, police write "unknown juvenile" records and
     * A&E registers an unidentified patient. */
    uint32_t serial = 0;
    bool one = a == A_CALLS || (a == A_HOUSING && strcmp(role, "subject") != 0) ||
               (a == A_POLICE && !p->is_adult && chance(S, 0.06)) ||
               (a == A_AE && chance(S, 0.02));
    if (one)
        one = one_row_ref(S, ref, a, &serial);
    if (!one) {
        bool dup = !p->is_adult && (p->refs_used & (1u << (a * 2 + 1))) ? chance(S, 0.5)
                   : !p->is_adult && chance(S, 0.04);
        ref_of(S, ref, a, pi, dup);
        p->refs_used |= 1u << (a * 2 + (dup ? 1 : 0));
    }
    written_name(S, p, a, accurate, knows, fore, sur, sizeof fore);
    int nm = N_FULL, dm = D_DOB;
    bool want_addr = a != A_CALLS && chance(S, 0.7), want_pc = a != A_CALLS;
    if (one) {
        one_row_fields(S, p, a, &nm, &dm, &want_addr, &want_pc);
    } else if (a == A_CALLS || (a == A_YOUTH && chance(S, 0.5)) ||
               (!accurate && chance(S, 0.08))) {
        dm = D_AGE;
    } else if (p->is_adult && chance(S, 0.3)) {
        dm = D_NONE;
    }
    if (nm == N_SUR || nm == N_NONE)
        fore[0] = '\0';
    if (nm == N_FIRST || nm == N_NONE)
        sur[0] = '\0';
    if (dm == D_AGE) {
        snprintf(age, sizeof age, "%d", age_on(p, day));
    } else if (dm == D_DOB) {
        written_dob(S, p, a, day, accurate, dob, sizeof dob);
    }
    if (want_addr)
        address_text(h, addr, sizeof addr);
    if (want_pc)
        pc = h->pc;
    if (p->phone[0] && (a == A_POLICE || a == A_CALLS || a == A_HOUSING) && chance(S, 0.4))
        snprintf(phone, sizeof phone, "%s", p->phone);
    const char *gender = p->gender == 'F' ? (a == A_CSC ? "Female" : "F")
                                          : (a == A_CSC ? "Male" : "M");
    if (!health && chance(S, a == A_CALLS || a == A_HOUSING ? 0.2 : 0.04))
        gender = NULL;
    else if (chance(S, 0.005))
        gender = p->gender == 'F' ? "M" : "F";
    prow r = {ref,
              role,
              sur[0] ? sur : NULL,
              fore[0] ? fore : NULL,
              a == A_POLICE && p->known_as[0] ? p->known_as : NULL,
              dob[0] ? dob : NULL,
              age[0] ? age : NULL,
              gender,
              addr[0] ? addr : NULL,
              pc,
              phone[0] ? phone : NULL,
              health && !one && p->nhs[0] ? p->nhs : NULL,
              a == A_SCHOOL && p->upn[0] ? p->upn : NULL,
              (a == A_POLICE || a == A_CSC || a == A_SCHOOL) ? ethnicities[p->eth] : NULL};
    put_person(S, a, record_id, &r);
    if (one) {
        int kind = !fore[0] && !sur[0] ? K_NO_NAME
                   : !sur[0]           ? K_FIRST_ONLY
                   : !fore[0]          ? K_SURNAME_ONLY
                   : dob[0]            ? K_FULL
                   : age[0]            ? K_AGE_ONLY
                                       : K_NO_DOB;
        S->sp[S->nsp++] = (sparse_ref){.p = pi, .serial = serial, .a = (uint8_t)a,
                                       .kind = (uint8_t)kind};
        p->nsparse++;
        S->st.one_row_refs++;
        S->st.sparse_refs += kind != K_FULL;
    }
}

/* ---- events ---- */

/* F_LEFT: a left-alone call, an offence (C17) but no planted exploitation:
 * the truth's own list "left_alone", scored apart (jd_score_run). */
enum { F_UNREC = 1, F_BLAME = 2, F_LEFT = 4 };

typedef struct event_spec {
    int a;
    const char *type;
    int32_t day;
    int minute;          /* minutes after midnight, local; -1: date only */
    int report_delay;    /* days */
    const char *location, *postcode, *narrative, *outcome, *author, *grade, *crime_ref;
    int crime;           /* -1 absent, 0 N, 1 Y */
    party parties[8];
    int nparties;
    obj objs[4];
    int nobjs;
    int flags;
    int victim;          /* truth: whose indicator, -1 none */
    const char *ind[3];  /* indicator ids this event evidences for `victim` */
    const char *landmark;
} event_spec;

static void when_text(char out[32], int32_t day, int minute, bool offset)
{
    char d[11];
    day_text(d, day);
    if (minute < 0) {
        snprintf(out, 32, "%s", d);
        return;
    }
    /* Never 01:xx local: that hour is ambiguous on the autumn change day. */
    int h = minute / 60, m = minute % 60;
    if (h == 1)
        h = 2;
    snprintf(out, 32, "%sT%02d:%02d", d, h, m);
    if (offset) {
        jd_datetime dt;
        if (jd_norm__datetime(&dt, out, strlen(out)) == JD_OK)
            jd_norm__format_uk(out, dt.utc);
    }
}

static int64_t instant(const char *s)
{
    jd_datetime dt;
    return jd_norm__datetime(&dt, s, strlen(s)) == JD_OK ? dt.utc : 0;
}

/* Event e's record ref in the truth's lists: planted crimes, left-alone
 * calls, victim-blaming notes. */
static void truth_lists(synth *S, const event_spec *e, json_t *ref)
{
    const struct {
        int flag;
        json_t *list;
        int64_t *n;
    } lists[] = {{F_UNREC, S->unrec, &S->st.unrecorded_crimes},
                 {F_LEFT, S->left, &S->st.left_alone},
                 {F_BLAME, S->blame, &S->st.blaming}};
    for (size_t i = 0; i < sizeof lists / sizeof lists[0]; i++)
        if (e->flags & lists[i].flag) {
            json_array_append(lists[i].list, ref);
            (*lists[i].n)++;
        }
}

static void emit(synth *S, event_spec *e)
{
    int a = e->a;
    char rid[32], occ[32], rep[32];
    char d[11];
    day_text(d, e->day);
    S->counter[a]++;
    if (a == A_POLICE)
        snprintf(rid, sizeof rid, "IR%.2s-%06u", d + 2, S->counter[a]);
    else
        snprintf(rid, sizeof rid, "%s%07u", ref_prefix[a], S->counter[a]);
    bool date_only = a == A_SCHOOL || a == A_GP;
    when_text(occ, e->day, date_only ? -1 : e->minute, a == A_CALLS);
    rep[0] = '\0';
    if (e->report_delay > 0)
        when_text(rep, e->day + e->report_delay, date_only ? -1 : 9 * 60 + (int)rnd(S, 480),
                  a == A_CALLS);
    const char *crime = e->crime < 0 ? NULL : e->crime ? "Y" : "N";
    const char *names[] = {"agency",    "record_id", "event_type",     "occurred_at",
                           "reported_at", "location", "postcode",      "narrative",
                           "crime_recorded", "crime_ref", "outcome",   "author_role",
                           "risk_grade"};
    const char *vals[] = {agency_code[a], rid,          e->type,      occ,
                          rep[0] ? rep : NULL, e->location, e->postcode, e->narrative,
                          crime,          e->crime_ref, e->outcome,  e->author,
                          e->grade};
    write_row(S, S->ev[a], ev_cols(a), 13, names, vals, 13);
    S->st.events++;
    /* The published Oxfordshire records identified the girls: their one-row
     * refs keep the full name and date of birth. */
    S->identified = e->landmark != NULL;
    for (int i = 0; i < e->nparties; i++)
        person_row(S, a, rid, e->parties[i].p, e->parties[i].role, e->day);
    S->identified = false;
    for (int i = 0; i < e->nobjs; i++) {
        char ref[24] = "";
        if (e->objs[i].owner >= 0 && chance(S, 0.5))
            ref_of(S, ref, a, e->objs[i].owner, false);
        fprintf(S->ob, "%s,%s,%s,", agency_code[a], rid, e->objs[i].type);
        csv_field(S, S->ob, e->objs[i].value);
        fputc(',', S->ob);
        csv_field(S, S->ob, e->objs[i].desc);
        fprintf(S->ob, ",%s\n", ref);
        S->st.object_rows++;
    }
    if (ferror(S->ev[a]) || ferror(S->pe[a]) || ferror(S->ob))
        S->io_error = 1;
    if (S->oxford && e->victim >= 0 && S->pp[e->victim].role == R_VICTIM) {
        S->ox_police += a == A_POLICE;
        S->ox_missing += !strcmp(e->type, "missing_report");
    }
    /* truth */
    int64_t known = instant(occ);
    if (rep[0] && instant(rep) > known)
        known = instant(rep);
    if (e->victim >= 0) {
        person *v = &S->pp[e->victim];
        for (int i = 0; i < 3 && e->ind[i]; i++)
            json_array_append_new(v->indicators,
                                  json_pack("[I,s,s]", (json_int_t)known, e->ind[i],
                                            agency_code[a]));
        if (v->network >= 0) {
            netw *n = &S->nets[v->network];
            for (int i = 0; i < e->nparties; i++)
                if (S->pp[e->parties[i].p].role == R_NETWORK && e->ind[0]) {
                    if (n->first_child < 0)
                        n->first_child = e->victim;
                    else if (n->first_child != e->victim &&
                             (n->first_evidence == 0 || known < n->first_evidence))
                        n->first_evidence = known;
                }
        }
    }
    json_t *ref = json_pack("{s:s,s:s}", "agency", agency_code[a], "record_id", rid);
    if (e->victim >= 0)
        json_object_set_new(ref, "person", json_sprintf("T%06d", e->victim + 1));
    truth_lists(S, e, ref);
    if (e->landmark) {
        json_t *l = json_object_get(S->landmarks, e->landmark);
        if (!strcmp(e->landmark, "cowley_pickups")) {
            if (!l) {
                l = json_array();
                json_object_set_new(S->landmarks, e->landmark, l);
            }
            json_array_append(l, ref);
        } else if (!l) {
            json_object_set(S->landmarks, e->landmark, ref);
        }
    }
    json_decref(ref);
}

static void party_add(event_spec *e, int p, const char *role)
{
    if (e->nparties < 8) {
        e->parties[e->nparties].p = p;
        e->parties[e->nparties].role = role;
        e->nparties++;
    }
}

static event_spec base(synth *S, int a, const char *type, int32_t day, int child,
                       const char *role)
{
    event_spec e;
    memset(&e, 0, sizeof e);
    e.a = a;
    e.type = type;
    e.day = day;
    e.minute = 8 * 60 + (int)rnd(S, 14 * 60);
    e.crime = -1;
    e.victim = -1;
    if (chance(S, 0.2))
        e.report_delay = 1 + (int)rnd(S, 5);
    if (child >= 0) {
        party_add(&e, child, role);
        const household *h = home_of(S, &S->pp[child], day);
        e.postcode = h->pc;
    }
    static const char *const authors[A_N] = {"PC", "call_handler", "social_worker", "nurse",
                                             "nurse", "GP", "school_nurse", "teacher",
                                             "care_worker", "youth_worker", "key_worker",
                                             "housing_officer"};
    e.author = authors[a];
    return e;
}

/* Expand a template: %N child's first name, %K child's age, %A adult's age,
 * %P place, %V vehicle, %M adult's name. */
static const char *fill(synth *S, const char *t, int child, int adult_age, const char *place,
                        const char *vrm, const char *adult_name, int32_t day)
{
    char *o = S->buf;
    size_t k = 0, cap = sizeof S->buf - 1;
    for (; *t && k < cap; t++) {
        if (*t != '%' || !t[1]) {
            o[k++] = *t;
            continue;
        }
        char tmp[64] = "";
        switch (*++t) {
        case 'N': snprintf(tmp, sizeof tmp, "%s", child >= 0 ? S->pp[child].fore : "she"); break;
        case 'K': snprintf(tmp, sizeof tmp, "%d", child >= 0 ? age_on(&S->pp[child], day) : 14);
                  break;
        case 'A': snprintf(tmp, sizeof tmp, "%d", adult_age); break;
        case 'P': snprintf(tmp, sizeof tmp, "%s", place ? place : "a flat"); break;
        case 'V': snprintf(tmp, sizeof tmp, "%s", vrm ? vrm : "a car"); break;
        case 'M': snprintf(tmp, sizeof tmp, "%s", adult_name ? adult_name : "a man"); break;
        case 'S': snprintf(tmp, sizeof tmp, "%s", S->story_other); break;
        default: tmp[0] = '%'; tmp[1] = *t; break;
        }
        for (char *c = tmp; *c && k < cap; c++)
            o[k++] = *c;
    }
    o[k] = '\0';
    return o;
}

#define T(arr) PICK(S, arr)

/* ---- narratives: many phrasings per meaning ---- */

static const char *const t_missing[] = {
    "%N reported missing by care staff, not returned by curfew. Phone off.",
    "Carer called to report %N has not come home. Last seen near %P.",
    "MFH report: %N (%K) left the home at about 6pm and has not returned.",
    "%N missing from placement overnight. Staff believe she is with older males.",
    "Young person absent from home, whereabouts unknown. Mother concerned she is with men in a car.",
    "Missing person report - %N failed to return after school, friends say she got into %V."};
static const char *const t_return[] = {
    "%N returned at 03:00, smelling of alcohol and would not say where she had been.",
    "Found by officers near %P. Intoxicated and upset, had a new phone.",
    "%N came back to the home dishevelled, bruising to arm, refused to talk.",
    "Returned by a male in %V who drove off before staff could speak to him.",
    "Located at %P with older males. Returned home, safe and well check done."};
static const char *const t_boyfriend[] = {
    "%N talks about her boyfriend who is %A and has a car.",
    "Staff concerned about an older boyfriend (%A) who picks %N up from the home.",
    "%N says she is seeing a man called %M, aged about %A.",
    "Mother reports %N has a 'boyfriend' in his twenties who buys her things.",
    "Worried about %N's relationship with an older male, possibly %A yrs old."};
static const char *const t_gifts[] = {
    "%N came back with new clothes and a phone she could not explain.",
    "Has money and cigarettes, says a friend gave them to her.",
    "%N has an expensive new mobile and says 'the lads' bought it.",
    "Staff found vodka and £50 in her bag; she says she was given it by men."};
static const char *const t_car[] = {
    "Vehicle %V stopped, %N (%K) in the front passenger seat, driver %M (%A).",
    "Intelligence: %N seen getting into %V outside %P with two older men.",
    "%N seen being dropped off by %V late at night.",
    "Patrol saw %V collect girls from outside %P; one identified as %N."};
static const char *const t_found[] = {
    "%N found in a flat at %P with %M (%A) and other adult males.",
    "Officers found %N with %M in %V parked at %P at 1am.",
    "%N located at an address of concern above %P with older men."};
static const char *const t_ae_alcohol[] = {
    "Attended with alcohol intoxication, brought in by ambulance from %P.",
    "%N, %K, vomiting, very drunk. Would not say who she was drinking with.",
    "Alcohol poisoning. Says she was at a party at a flat with older men."};
static const char *const t_injury[] = {
    "Bruising to wrists and thighs, explanation vague.",
    "%N attended with a bite mark on her neck and bruising; says she fell.",
    "Unexplained injuries, burn mark on arm."};
static const char *const t_sti[] = {
    "%N attended for STI screen, chlamydia positive. Partner details not given.",
    "Repeat STI test requested; says partner is older.",
    "Emergency contraception requested for the third time this year."};
static const char *const t_preg[] = {
    "Pregnancy confirmed, %N aged %K. Will not name the father.",
    "Termination of pregnancy arranged. %N says the father is 'a friend'."};
static const char *const t_absence[] = {
    "Persistent unexplained absence, attendance 61% this term.",
    "%N absent again, seen in town during school hours with older youths.",
    "Fixed term exclusion for aggression towards staff."};
static const char *const t_disclosure[] = {
    "%N told the nurse she had sex with a %A year old man she calls her boyfriend.",
    "Disclosed she was made to have sex with his friends at a flat above %P.",
    "%N said the men gave her vodka and then she had sex with %M, who is %A.",
    "She says she slept with %M (aged %A) in exchange for a phone.",
    "%N disclosed she was raped by an older man at %P last weekend."};
static const char *const t_withdrawn[] = {
    "%N withdrew her statement and says nothing happened. NFA.",
    "Victim no longer supports police action; retracted account. Closed."};
static const char *const t_blame[] = {
    "%N is streetwise and knows what she is doing.",
    "She is putting herself at risk by going with these men.",
    "%N appears to be prostituting herself for cigarettes and alcohol.",
    "This is a lifestyle choice; she is promiscuous and will not engage.",
    "%N absconded again and is choosing to associate with older males.",
    "Relationship appears consensual, %N says she is happy with him."};
static const char *const t_parent_call[] = {
    "Mother calling: daughter %N is with older men in a car and won't come home.",
    "Caller says her daughter is being held against her will at a flat on %P.",
    "Father reports %N has been taken to a house by men and they won't let her leave.",
    "Mum worried - %N (%K) keeps going off with men in their twenties."};
/* Innocent uses of the same words. */
static const char *const t_ordinary[] = {
    "Routine review. Mum consented to the assessment.",
    "Sexual health leaflet given as part of PSHE, no concerns.",
    "%N has a boyfriend (15, same year at school). No concerns.",
    "Healthy lifestyle advice given. Risk of falls discussed with grandmother.",
    "Denies any older boyfriend. No evidence of gifts or new phone.",
    "No concerns about exploitation at this time; attends youth club regularly.",
    "Attendance good. Parents attended parents' evening.",
    "Sprained ankle playing netball.",
    "Travel disrupted by works on the ring road; late to school.",
    "Visited the home; house organised and clean, children well cared for."};

/* ---- the county ---- */

static int make_household(synth *S)
{
    household h;
    if (S->noise) {
        int total = 0, t = 0;
        for (size_t i = 0; i < JD_ARRAY_LEN(towns); i++)
            total += towns[i].weight;
        int w = (int)rnd(S, (uint32_t)total);
        while (w >= towns[t].weight)
            w -= towns[t++].weight;
        h.town = t;
        h.street = (int)rnd(S, JD_ARRAY_LEN(street_stem) * 10);
        snprintf(h.street_no, sizeof h.street_no, "%u", 1 + rnd(S, 160));
        postcode_of(&h);
        h.first = -1;
        h.n = 0;
        S->hh[S->nhh] = h;
        return S->nhh++;
    }
    h.town = -1;
    h.street = (int)rnd(S, JD_ARRAY_LEN(streets));
    snprintf(h.street_no, sizeof h.street_no, "%u", 1 + rnd(S, 180));
    snprintf(h.pc, sizeof h.pc, "%s %u%c%c", PICK(S, districts), rnd(S, 10),
             pc_letters[rnd(S, 20)], pc_letters[rnd(S, 20)]);
    h.first = -1;
    h.n = 0;
    S->hh[S->nhh] = h;
    return S->nhh++;
}

static int make_person(synth *S, bool adult, char gender, int hh, int eth, const char *sur)
{
    int pi = add_person(S);
    if (pi < 0)
        return -1;
    person *p = &S->pp[pi];
    p->is_adult = adult;
    p->gender = gender;
    p->hh = hh;
    p->eth = (uint8_t)eth;
    const char *f = adult ? (gender == 'F' ? PICK(S, girls) : PICK(S, men))
                          : (gender == 'F' ? PICK(S, girls) : PICK(S, boys));
    snprintf(p->fore, sizeof p->fore, "%s", f);
    snprintf(p->sur, sizeof p->sur, "%s", sur ? sur : PICK(S, surnames));
    int32_t start = S->day0;
    if (adult)
        p->dob = start - (int32_t)(365.25 * (20 + rnd(S, 30))) - (int32_t)rnd(S, 365);
    else
        p->dob = start - (int32_t)(365.25 * (1 + rnd(S, 14))) - (int32_t)rnd(S, 365);
    make_nhs(S, p->nhs);
    if (!adult)
        make_upn(S, p->upn);
    if (adult || chance(S, 0.3))
        snprintf(p->phone, sizeof p->phone, "07700 9%05u", rnd(S, 100000));
    p->indicators = NULL;
    return pi;
}

static int32_t rand_day(synth *S, int32_t from, int32_t to)
{
    if (to <= from)
        return from;
    return from + (int32_t)rnd(S, (uint32_t)(to - from));
}

/* Ordinary agency contact, for everyone. */
static void ordinary_life(synth *S, int pi)
{
    person *p = &S->pp[pi];
    int32_t end = S->day0 + S->days;
    int n = 1 + (int)rnd(S, p->is_adult ? 3 : 6);
    char cref[32];
    for (int i = 0; i < n; i++) {
        int32_t day = rand_day(S, S->day0, end);
        int age = age_on(p, day);
        event_spec e;
        switch (rnd(S, 6)) {
        case 0:
            e = base(S, A_GP, "gp_note", day, pi, "subject");
            e.narrative = T(t_ordinary);
            break;
        case 1:
            e = base(S, A_AE, "ae_attendance", day, pi, "subject");
            e.narrative = chance(S, 0.5) ? "Sports injury, wrist X-ray, discharged."
                                         : "Fell from bike, minor head injury, discharged home.";
            break;
        case 2:
            if (age < 5 || age > 16)
                continue;
            e = base(S, A_SCHOOL, "absence", day, pi, "subject");
            e.narrative = chance(S, 0.7) ? "Authorised absence: illness, note from parent."
                                         : "Family holiday in term time.";
            break;
        case 3:
            e = base(S, A_POLICE, chance(S, 0.5) ? "crime_report" : "call_for_service", day, pi,
                     p->is_adult ? "victim" : "witness");
            e.narrative = chance(S, 0.5) ? "Burglary at the home address, items taken from shed."
                                         : "Neighbour dispute over parking, words exchanged.";
            if (!strcmp(e.type, "crime_report")) {
                e.crime = 1;
                snprintf(cref, sizeof cref, "CR/%u/%02d", rnd(S, 90000) + 10000,
                         (int)(day / 365) % 100);
                e.crime_ref = cref;
            }
            break;
        case 4:
            if (age > 17)
                continue;
            e = base(S, A_SCHNURSE, "school_nurse_note", day, pi, "subject");
            e.narrative = T(t_ordinary);
            break;
        default:
            e = base(S, A_GP, "gp_note", day, pi, "subject");
            e.narrative = "Asthma review, inhaler technique checked.";
            break;
        }
        emit(S, &e);
    }
}

/* ---- vulnerable children who are not exploited ---- */

static void confounder_life(synth *S, int pi)
{
    person *p = &S->pp[pi];
    int32_t end = S->day0 + S->days;
    int n = 2 + (int)rnd(S, 6);
    for (int i = 0; i < n; i++) {
        int32_t day = rand_day(S, S->day0, end);
        int age = age_on(p, day);
        if (age < 8 || age > 17)
            continue;
        event_spec e;
        switch (p->confounder) {
        case C_CARE_FAMILY:
            e = base(S, chance(S, 0.5) ? A_CARE : A_POLICE, "missing_report", day, pi,
                     "subject");
            e.minute = 19 * 60 + (int)rnd(S, 240);
            e.narrative = chance(S, 0.5)
                              ? "Not returned to placement; believed to be at her mum's house."
                              : "Absent from the home, has gone to see family as before.";
            e.grade = "low";
            emit(S, &e);
            e = base(S, A_POLICE, "missing_return", day + 1, pi, "subject");
            e.narrative = "Returned from family address next morning, safe and well, no concerns.";
            emit(S, &e);
            if (chance(S, 0.7)) {
                e = base(S, A_YOUTH, "return_interview", day + 2, pi, "subject");
                e.narrative = "Return interview: went to see mum, wants more family time.";
                emit(S, &e);
            }
            continue;
        case C_SUBSTANCE:
            if (chance(S, 0.6)) {
                e = base(S, A_SUBST, "substance_contact", day, pi, "subject");
                e.narrative = "Cannabis use with friends from school, engaging well with worker.";
            } else {
                e = base(S, A_AE, "ae_attendance", day, pi, "subject");
                e.narrative = "Drunk after a house party with school friends, all the same age.";
            }
            break;
        case C_DOMESTIC:
            if (chance(S, 0.5)) {
                e = base(S, A_POLICE, "call_for_service", day, pi, "witness");
                e.narrative = "Domestic incident at the home address, children present.";
            } else {
                e = base(S, A_CSC, "assessment", day, pi, "subject");
                e.narrative = "Assessment following domestic abuse at home; mum consented to support.";
            }
            break;
        case C_SELF_HARM:
            e = base(S, chance(S, 0.5) ? A_AE : A_GP, chance(S, 0.5) ? "ae_attendance" : "gp_note",
                     day, pi, "subject");
            if (e.a == A_GP)
                e.type = "gp_note";
            e.narrative = "Superficial self-harm to forearm, referred to CAMHS.";
            break;
        case C_PEER:
            if (age < 16)
                continue;
            e = base(S, A_SEXH, "sexual_health_visit", day, pi, "subject");
            e.narrative = "Contraception advice. Boyfriend is 16 and at the same college.";
            break;
        default: /* learning disability */
            e = base(S, A_SCHOOL, "welfare_concern", day, pi, "subject");
            e.narrative = "SEND support plan reviewed; needs help with friendships.";
            break;
        }
        emit(S, &e);
    }
}

/* Decoys: professionals who meet many children for innocent reasons. */
static void decoy_contacts(synth *S, int decoy, const int *kids, int nkids)
{
    static const char *const what[] = {
        "Youth club session; %M ran the group. Good engagement.",
        "School transport: %M drove pupils home as usual.",
        "Football training with coach %M, minor knock to knee."};
    int kind = decoy % 3;
    for (int i = 0; i < nkids; i++) {
        int32_t day = rand_day(S, S->day0, S->day0 + S->days);
        event_spec e = base(S, kind == 2 ? A_AE : A_YOUTH, kind == 2 ? "ae_attendance" : "case_note",
                            day, kids[i], "subject");
        char name[64];
        snprintf(name, sizeof name, "%s %s", S->pp[decoy].fore, S->pp[decoy].sur);
        e.narrative = fill(S, what[kind], kids[i], 0, NULL, NULL, name, day);
        party_add(&e, decoy, "professional");
        emit(S, &e);
    }
}

/* ---- exploitation ---- */

static const char *const hotspots[] = {
    "the takeaway on Cowley Road", "a flat above the shop on Magdalen Road",
    "Rose Hill park", "outside the council offices, Cowley Road",
    "the Travelodge by the ring road", "the taxi rank at Gloucester Green",
    "a house on Howard Street"};
static const char *const street_names[] = {"Mo", "Bluey", "Kam", "Rocky", "Zed", "Jay",
                                           "Dee", "Ace"};

typedef struct episode_ctx {
    int child, adult, adult_age;
    const char *place, *vrm;
    char adult_name[64];
    netw *n;
} episode_ctx;

static void pick_adult(synth *S, episode_ctx *c)
{
    netw *n = c->n;
    c->adult = n->adults[rnd(S, (uint32_t)n->nadults)];
    person *a = &S->pp[c->adult];
    c->adult_age = 20 + (int)rnd(S, 20);
    snprintf(c->adult_name, sizeof c->adult_name, "%s",
             chance(S, 0.4) && a->known_as[0] ? a->known_as : a->fore);
    c->vrm = n->vrm[rnd(S, (uint32_t)n->nvrm)];
    c->place = hotspots[(n->hotspot + (int)rnd(S, 2)) % (int)JD_ARRAY_LEN(hotspots)];
}

static void with_adult(synth *S, event_spec *e, episode_ctx *c, bool car, bool phone)
{
    party_add(e, c->adult, chance(S, 0.5) ? "suspect" : "associate");
    if (car && e->nobjs < 4)
        e->objs[e->nobjs++] = (obj){"vehicle", c->vrm, PICK(S, cars), c->adult};
    if (phone && e->nobjs < 4)
        e->objs[e->nobjs++] = (obj){"phone", c->n->phone[rnd(S, 2)], "pay-as-you-go", c->adult};
}

/* One indicator episode for an exploited child on `day`. */
#define NARR(arr) fill(S, T(arr), v, c->adult_age, c->place, c->vrm, c->adult_name, day)
/* An episode of kind 0: missing, found the next night, and a return
 * interview only sometimes. */
static void missing_episode(synth *S, episode_ctx *c, int32_t day)
{
    int v = c->child;
    person *p = &S->pp[v];
    event_spec e;
    e = base(S, p->in_care && chance(S, 0.6) ? A_CARE : A_POLICE, "missing_report", day, v,
             "subject");
    e.minute = 18 * 60 + (int)rnd(S, 300);
    e.narrative = NARR(t_missing);
    e.grade = chance(S, 0.5) ? "low" : chance(S, 0.5) ? "absent" : "medium";
    e.victim = v;
    e.ind[0] = "S01";
    if (e.a == A_CARE)
        e.author = "care_worker";
    emit(S, &e);
    e = base(S, A_POLICE, "missing_return", day + 1, v, "subject");
    e.minute = 2 * 60 + (int)rnd(S, 240);
    e.narrative = NARR(t_return);
    e.victim = v;
    e.ind[0] = "S12";
    if (chance(S, 0.4))
        with_adult(S, &e, c, true, false);
    emit(S, &e);
    if (chance(S, 0.3)) { /* a return interview only sometimes */
        e = base(S, A_YOUTH, "return_interview", day + 2 + (int)rnd(S, 6), v, "subject");
        e.narrative = "Return interview offered; %N would not talk about where she was.";
        e.narrative = fill(S, e.narrative, v, 0, NULL, NULL, NULL, day);
        emit(S, &e);
    }
}

/* An episode of kind 10: a disclosure of an offence, not recorded as a
 * crime; its narrative into *narr. */
static event_spec disclosure(synth *S, episode_ctx *c, int age, int32_t day, const char **narr)
{
    int v = c->child;
    event_spec e;
    static const int who[] = {A_AE, A_SEXH, A_CSC, A_POLICE, A_SCHNURSE};
    int a = who[rnd(S, 5)];
    e = base(S, a,
             a == A_AE       ? "ae_attendance"
             : a == A_SEXH   ? "sexual_health_visit"
             : a == A_CSC    ? "case_note"
             : a == A_POLICE ? "concern_report"
                             : "school_nurse_note",
             day, v, "subject");
    /* the first phrasing (sex with an adult she calls her boyfriend) is an
     * offence by age only under 16; the others (made to have sex with
     * his friends, alcohol given, in exchange for a phone, rape) are
     * offences at any age under 18 */
    uint32_t which = rnd(S, JD_ARRAY_LEN(t_disclosure));
    *narr = fill(S, t_disclosure[which], v, c->adult_age, c->place, c->vrm, c->adult_name, day);
    e.ind[0] = "S02";
    if (age < (which == 0 ? 16 : 18)) {
        e.flags |= F_UNREC;
        if (a == A_POLICE) {
            e.crime = 0;
            e.outcome = "NFA";
        }
    }
    return e;
}

/* An episode of kind 12: a call about the child, often from a parent;
 * its narrative into *narr. */
static event_spec parent_call(synth *S, episode_ctx *c, int age, int32_t day, const char **narr)
{
    int v = c->child;
    person *p = &S->pp[v];
    event_spec e;
    e = base(S, A_CALLS, "call_for_service", day, v, "subject");
    const char *tpl = T(t_parent_call);
    *narr = fill(S, tpl, v, c->adult_age, c->place, c->vrm, c->adult_name, day);
    /* held or kept by adults: false imprisonment (DOMAIN 3 C19, 4.4), an
     * unrecorded crime however the call was graded */
    if ((tpl == t_parent_call[1] || tpl == t_parent_call[2]) && age < 18)
        e.flags |= F_UNREC;
    e.ind[0] = "M02";
    e.grade = chance(S, 0.5) ? "low" : NULL;
    if (p->parent >= 0) /* a parent makes the call */
        party_add(&e, p->parent, "reporter");
    return e;
}

/* A note that blames the child; its narrative into *narr. */
static event_spec blame_note(synth *S, episode_ctx *c, int age, int32_t day, const char **narr)
{
    int v = c->child;
    event_spec e;
    e = base(S, chance(S, 0.6) ? A_CSC : A_POLICE, "case_note", day, v, "subject");
    if (e.a == A_POLICE)
        e.type = "concern_report";
    const char *btpl = T(t_blame);
    *narr = fill(S, btpl, v, c->adult_age, c->place, c->vrm, c->adult_name, day);
    e.flags |= F_BLAME;
    /* "prostituting herself for cigarettes": adults paying for sex with a
     * child (DOMAIN 3 C9), whatever the writer calls it */
    if (btpl == t_blame[2] && age < 18)
        e.flags |= F_UNREC;
    e.ind[0] = "S02";
    return e;
}

static void episode(synth *S, episode_ctx *c, int kind, int32_t day)
{
    int v = c->child;
    person *p = &S->pp[v];
    event_spec e;
    const char *narr;
    int age = age_on(p, day);
    pick_adult(S, c);
    switch (kind) {
    case 0: /* missing and return */
        missing_episode(S, c, day);
        return;
    case 1:
        e = base(S, chance(S, 0.5) ? A_CSC : A_SCHOOL, "case_note", day, v, "subject");
        if (e.a == A_SCHOOL)
            e.type = "welfare_concern";
        const char *bftpl = T(t_boyfriend);
        narr = fill(S, bftpl, v, c->adult_age, c->place, c->vrm, c->adult_name, day);
        e.ind[0] = "S02";
        /* an adult described as her boyfriend, as "seeing" him, or as her
         * relationship with an older male is the wording of DOMAIN 6 L14;
         * the mother's words in quotation marks ('boyfriend') are not the
         * writer's */
        if (bftpl != t_boyfriend[3] && age < 18)
            e.flags |= F_BLAME;
        break;
    case 2:
        e = base(S, p->in_care ? A_CARE : A_SCHOOL, p->in_care ? "case_note" : "welfare_concern",
                 day, v, "subject");
        narr = NARR(t_gifts);
        e.ind[0] = "S04";
        break;
    case 3:
        e = base(S, A_POLICE, chance(S, 0.5) ? "stop_check" : "intelligence", day, v, "subject");
        e.minute = 21 * 60 + (int)rnd(S, 170);
        narr = NARR(t_car);
        e.ind[0] = "S03";
        e.ind[1] = "S05";
        with_adult(S, &e, c, true, chance(S, 0.5));
        e.location = c->place;
        break;
    case 4:
        e = base(S, A_POLICE, "found_with_adult", day, v, "subject");
        e.minute = 22 * 60 + (int)rnd(S, 110);
        narr = NARR(t_found);
        e.ind[0] = "S11";
        e.ind[1] = "S09";
        with_adult(S, &e, c, chance(S, 0.5), false);
        e.location = c->place;
        break;
    case 5:
        e = base(S, A_AE, "ae_attendance", day, v, "subject");
        e.minute = 23 * 60 + (int)rnd(S, 50);
        narr = NARR(t_ae_alcohol);
        e.ind[0] = "M11";
        break;
    case 6:
        e = base(S, A_AE, "ae_attendance", day, v, "subject");
        narr = NARR(t_injury);
        e.ind[0] = "S06";
        break;
    case 7:
        e = base(S, A_SEXH, "sexual_health_visit", day, v, "subject");
        narr = NARR(t_sti);
        e.ind[0] = "M08";
        break;
    case 8:
        e = base(S, A_SEXH, chance(S, 0.5) ? "pregnancy" : "termination", day, v, "subject");
        narr = NARR(t_preg);
        e.ind[0] = "S07";
        break;
    case 9:
        e = base(S, A_SCHOOL, chance(S, 0.7) ? "absence" : "exclusion", day, v, "subject");
        narr = NARR(t_absence);
        e.ind[0] = "M06";
        break;
    case 10: /* a disclosure of an offence, not recorded as a crime */
        e = disclosure(S, c, age, day, &narr);
        break;
    case 11:
        e = base(S, A_POLICE, "crime_report", day, v, "victim");
        narr = NARR(t_withdrawn);
        e.crime = 1;
        e.crime_ref = "CR/withdrawn";
        e.ind[0] = "M07";
        with_adult(S, &e, c, false, false);
        break;
    case 12:
        e = parent_call(S, c, age, day, &narr);
        break;
    default: /* a note that blames the child */
        e = blame_note(S, c, age, day, &narr);
        break;
    }
#undef NARR
    e.narrative = narr;
    e.victim = v;
    emit(S, &e);
}

/* The escalation of one exploited child from `began` to the period end. */
static void exploitation_life(synth *S, int v, netw *n, int32_t began, int32_t stop,
                              double intensity)
{
    episode_ctx c = {.child = v, .n = n};
    /* Early signs across agencies first, then a mix that grows denser. */
    static const int opening[] = {1, 0, 9, 2, 3};
    int32_t day = began;
    for (size_t i = 0; i < JD_ARRAY_LEN(opening) && day < stop; i++) {
        episode(S, &c, opening[i], day);
        day += 7 + (int32_t)rnd(S, 25);
    }
    double gap = 40.0 / intensity;
    while (day < stop) {
        int kind = (int)rnd(S, 14);
        episode(S, &c, kind, day);
        gap = gap > 6 ? gap * 0.97 : 6;
        day += (int32_t)(gap * 0.5) + (int32_t)rnd(S, (uint32_t)gap + 1);
    }
}

static int make_network(synth *S, int nadults, int nchildren, int32_t began, int32_t stop,
                        double intensity)
{
    if (S->nnet >= (int)JD_ARRAY_LEN(S->nets))
        return -1;
    int ni = S->nnet++;
    netw *n = &S->nets[ni];
    memset(n, 0, sizeof *n);
    n->first_child = -1;
    n->hotspot = (int)rnd(S, JD_ARRAY_LEN(hotspots));
    n->nvrm = 1 + (int)rnd(S, 3);
    for (int i = 0; i < n->nvrm; i++)
        make_vrm(S, n->vrm[i]);
    for (int i = 0; i < 2; i++)
        snprintf(n->phone[i], sizeof n->phone[i], "07700 9%05u", rnd(S, 100000));
    /* Adults: some brothers sharing a surname and an address. */
    int hh = make_household(S);
    const char *family = PICK(S, surnames);
    int eth = (int)rnd(S, JD_ARRAY_LEN(ethnicities));
    for (int i = 0; i < nadults && i < 8; i++) {
        bool brother = i < 2 + (nadults > 4);
        int a = make_person(S, true, 'M', brother ? hh : make_household(S),
                            brother ? eth : (int)rnd(S, JD_ARRAY_LEN(ethnicities)),
                            brother ? family : NULL);
        if (a < 0)
            return -1;
        S->pp[a].role = R_NETWORK;
        S->pp[a].network = (int8_t)ni;
        snprintf(S->pp[a].known_as, sizeof S->pp[a].known_as, "%s", street_names[i % 8]);
        n->adults[n->nadults++] = a;
    }
    (void)nchildren;
    (void)began;
    (void)stop;
    (void)intensity;
    return ni;
}

/* Choose a child aged 11-15 on `day` who is not yet exploited or a confounder. */
static int pick_victim(synth *S, int32_t day, int first_child, int nchild)
{
    for (int tries = 0; tries < 10000; tries++) {
        int pi = first_child + (int)rnd(S, (uint32_t)nchild);
        person *p = &S->pp[pi];
        int age = age_on(p, day);
        if (p->is_adult || p->role != R_ORDINARY || p->confounder || age < 11 || age > 15)
            continue;
        if (p->gender != 'F' && !chance(S, 0.15))
            continue;
        return pi;
    }
    return -1;
}

/* ---- the Oxfordshire shape (DOMAIN.md §7): landmarks on fixed days ---- */

static int32_t date_day(const char *ymd)
{
    jd_datetime dt;
    if (jd_norm__datetime(&dt, ymd, strlen(ymd)) != JD_OK)
        return 0;
    return (int32_t)((dt.utc + 3600) / 86400);
}

/* The Oxfordshire landmarks from 2006 on: the pick-ups outside the social
 * services office, the board's minutes, "streetwise" (c: the network's
 * episode, g1 its second child). */
static void oxford_later(synth *S, netw *n, episode_ctx *c, int g1)
{
    for (int i = 0; i < 4; i++) {
        int g = n->children[i % n->nchildren];
        c->child = g;
        pick_adult(S, c);
        event_spec e =
            base(S, A_POLICE, "intelligence", date_day("2006-01-10") + i * 47, g, "subject");
        e.minute = 16 * 60 + 30;
        e.narrative = fill(S, "Girls, including %N, seen being picked up outside the social "
                              "services office on Cowley Road by men in %V.",
                           g, 0, NULL, c->vrm, NULL, e.day);
        e.location = "outside the social services office, Cowley Road";
        e.postcode = "OX4 1FZ";
        with_adult(S, &e, c, true, false);
        e.victim = g;
        e.ind[0] = "S03";
        e.ind[1] = "S05";
        e.landmark = "cowley_pickups";
        emit(S, &e);
    }

    event_spec e = base(S, A_CSC, "concern_report", date_day("2007-06-19"), -1, NULL);
    e.narrative = "Safeguarding board sub-group minutes: a serious concern that there is an "
                  "organised abuse ring within the city; a complex abuse investigation should be "
                  "considered.";
    e.author = "board_subgroup";
    e.landmark = "board_2007";
    emit(S, &e);

    e = base(S, A_CSC, "case_note", date_day("2007-02-08"), g1, "subject");
    e.narrative = fill(S, "Manager spoke to mother: %N is streetwise and loves it.", g1, 0, NULL,
                       NULL, NULL, e.day);
    e.author = "team_manager";
    e.victim = g1;
    e.ind[0] = "S01";
    e.flags = F_BLAME;
    e.landmark = "streetwise";
    emit(S, &e);
}

static void oxford_landmarks(synth *S, netw *n)
{
    int g0 = n->children[0], g1 = n->children[1], g2 = n->children[2 % n->nchildren];
    episode_ctx c = {.child = g0, .n = n};
    pick_adult(S, &c);
    event_spec e = base(S, A_POLICE, "intelligence", date_day("2005-06-14"), g0, "subject");
    e.narrative = "PC's note: I believe a paedophile ring is operating here. Girls from the "
                  "children's home are being groomed by a group of men who give them drink "
                  "and drive them to flats.";
    e.author = "PC";
    e.victim = g0;
    e.ind[0] = "S09";
    /* men driving the girls to flats to abuse them: arranging or facilitating
     * (DOMAIN 3 C4), disclosed by the constable and never recorded */
    e.flags = age_on(&S->pp[g0], date_day("2005-06-14")) < 18 ? F_UNREC : 0;
    e.landmark = "ring_note_2005";
    emit(S, &e);

    /* The A&E disclosure at 14: a child who is 14 on the day. */
    int who = g1;
    for (int i = 0; i < n->nchildren; i++)
        if (age_on(&S->pp[n->children[i]], date_day("2006-03-11")) == 14)
            who = n->children[i];
    c.child = who;
    pick_adult(S, &c);
    e = base(S, A_AE, "ae_attendance", date_day("2006-03-11"), who, "subject");
    e.minute = 23 * 60 + 40;
    e.narrative = "Alcohol poisoning, brought in from a flat. Aged 14. She disclosed she had been "
                  "raped by an older man there. Discharged to care staff.";
    e.victim = who;
    e.ind[0] = "M11";
    e.ind[1] = "S02";
    e.flags = F_UNREC;
    e.landmark = "ae_disclosure_14";
    emit(S, &e);

    e = base(S, A_CALLS, "call_for_service", date_day("2006-09-02"), g2, "subject");
    e.minute = 22 * 60 + 5;
    e.narrative = "Mother calling: her daughter is being held against her will in a flat by "
                  "older men and they will not let her leave.";
    e.grade = "low";
    e.outcome = "advised to call back if not home by morning";
    e.victim = g2;
    e.ind[0] = "M02";
    e.landmark = "held_against_will_call";
    e.flags = F_UNREC; /* false imprisonment (DOMAIN 3 C19, 4.4) */
    if (S->pp[g2].parent >= 0)
        party_add(&e, S->pp[g2].parent, "reporter");
    emit(S, &e);

    /* The 13-year-old closed with no further action. */
    who = g0;
    for (int i = 0; i < n->nchildren; i++)
        if (age_on(&S->pp[n->children[i]], date_day("2005-11-20")) == 13)
            who = n->children[i];
    e = base(S, A_CSC, "strategy_discussion", date_day("2005-11-20"), who, "subject");
    e.narrative = "Strategy discussion: 13 year old associating with older males, sexual activity "
                  "with a man in his twenties reported. Relationship appears consensual. NFA as a "
                  "team around the child is in place.";
    e.outcome = "NFA";
    e.author = "team_manager";
    e.victim = who;
    e.ind[0] = "S02";
    e.flags = F_UNREC | F_BLAME;
    e.landmark = "nfa_13";
    emit(S, &e);

    oxford_later(S, n, &c, g1);
}

/* Police contacts with the six, up to the published numbers: about 450
 * missing reports and 1,561 police contacts. */
static void oxford_volume(synth *S, netw *n, int32_t stop)
{
    for (int guard = 0; S->ox_missing < 450 && guard < 5000; guard++) {
        int g = n->children[guard % n->nchildren];
        episode_ctx c = {.child = g, .n = n};
        episode(S, &c, 0, rand_day(S, S->pp[g].began, stop));
    }
    for (int guard = 0; S->ox_police < 1561 && guard < 5000; guard++) {
        int g = n->children[guard % n->nchildren];
        event_spec e = base(S, A_POLICE, "call_for_service", rand_day(S, S->pp[g].began, stop),
                            g, "subject");
        e.narrative = chance(S, 0.5) ? "Call from the home: young person abusive to staff."
                                     : "Reported seen in town late at night with older youths.";
        if (S->pp[g].parent >= 0 && chance(S, 0.3))
            party_add(&e, S->pp[g].parent, "parent");
        e.victim = g;
        emit(S, &e);
    }
}

/* ---- truth ---- */

/* One-row refs by person, a counting sort of S->sp: person pi's are
 * order[start[pi]..start[pi+1]]. Both NULL when there are none. */
static int sparse_index(const synth *S, uint32_t **startp, uint32_t **orderp)
{
    *startp = *orderp = NULL;
    if (!S->nsp)
        return 0;
    size_t n = (size_t)S->np + 1;
    uint32_t *start = calloc(n, sizeof *start), *fill = malloc(n * sizeof *fill);
    uint32_t *order = malloc(S->nsp * sizeof *order);
    if (!start || !fill || !order) {
        free(start);
        free(fill);
        free(order);
        return -1;
    }
    for (size_t k = 0; k < S->nsp; k++)
        start[S->sp[k].p + 1]++;
    for (int i = 0; i < S->np; i++)
        start[i + 1] += start[i];
    memcpy(fill, start, n * sizeof *fill);
    for (size_t k = 0; k < S->nsp; k++)
        order[fill[S->sp[k].p]++] = (uint32_t)k;
    free(fill);
    *startp = start;
    *orderp = order;
    return 0;
}

static int cmp_ind(const void *a, const void *b)
{
    json_int_t x = json_integer_value(json_array_get(*(json_t *const *)a, 0));
    json_int_t y = json_integer_value(json_array_get(*(json_t *const *)b, 0));
    return x < y ? -1 : x > y;
}

/* First moment the records held 3 distinct indicators from 2 agencies. */
static int64_t first_evidence(const person *p)
{
    size_t n = json_array_size(p->indicators);
    if (n == 0)
        return 0;
    json_t **v = malloc(n * sizeof *v);
    if (!v)
        return 0;
    for (size_t i = 0; i < n; i++)
        v[i] = json_array_get(p->indicators, i);
    qsort(v, n, sizeof *v, cmp_ind);
    const char *ids[64], *ags[16];
    int ni = 0, na = 0;
    int64_t at = 0;
    for (size_t i = 0; i < n && !at; i++) {
        const char *id = json_string_value(json_array_get(v[i], 1));
        const char *ag = json_string_value(json_array_get(v[i], 2));
        bool seen = false;
        for (int k = 0; k < ni; k++)
            seen |= !strcmp(ids[k], id);
        if (!seen && ni < 64)
            ids[ni++] = id;
        seen = false;
        for (int k = 0; k < na; k++)
            seen |= !strcmp(ags[k], ag);
        if (!seen && na < 16)
            ags[na++] = ag;
        if (ni >= 3 && na >= 2)
            at = json_integer_value(json_array_get(v[i], 0));
    }
    free(v);
    return at;
}

static const char *story_group(int k);

static json_t *iso(int64_t t)
{
    char b[32];
    jd_norm__format_uk(b, t);
    return json_string(b);
}

/* The truth's persons (children_only: its children list) as JSON elements,
 * written by hand in the layout json_dump gives them (indent 1, sorted
 * keys): at a million events the tree took most of the time and memory. */
static void write_persons(synth *S, FILE *f, bool children_only, const uint32_t *start,
                          const uint32_t *order)
{
    bool any = false;
    for (int i = 0; i < S->np; i++) {
        person *p = &S->pp[i];
        if (!p->refs_used && !p->nsparse)
            continue;
        int age_end = age_on(p, S->day0 + S->days - 1);
        bool child = !p->is_adult && age_on(p, S->day0) < 18;
        if (children_only) {
            if (child && p->role != R_VICTIM) {
                fprintf(f, "%s\n  {\n   \"confounder\": \"%s\",\n   \"person\": \"T%06d\"\n  }",
                        any ? "," : "",
                        p->story_done ? story_group(p->story)
                                      : confounder_name[p->confounder],
                        i + 1);
                any = true;
            }
            continue;
        }
        char dob[11];
        day_text(dob, p->dob);
        fprintf(f,
                "%s\n  {\n   \"age_at_end\": %d,\n   \"dob\": \"%s\",\n   \"ethnicity\": "
                "\"%s\",\n   \"gender\": \"%c\",",
                any ? "," : "", age_end, dob, ethnicities[p->eth], p->gender == 'F' ? 'F' : 'M');
        any = true;
        if (S->noise) {
            fputs("\n   \"groups\": [", f);
            bool g1 = false;
            for (int g = 0; g < G_N; g++)
                if (p->groups & (1u << g)) {
                    fprintf(f, "%s\n    \"%s\"", g1 ? "," : "", group_name[g]);
                    g1 = true;
                }
            fputs(g1 ? "\n   ]," : "],", f);
        }
        fprintf(f, "\n   \"id\": \"T%06d\",\n   \"is_adult\": %s,\n   \"is_child\": %s,\n"
                   "   \"refs\": [",
                i + 1, p->is_adult || age_end >= 18 ? "true" : "false", child ? "true" : "false");
        bool r1 = false;
        char ref[24];
        for (int ag = 0; ag < A_N; ag++)
            for (int d = 0; d < 2; d++)
                if (p->refs_used & (1u << (ag * 2 + d))) {
                    ref_of(S, ref, ag, i, d);
                    fprintf(f, "%s\n    {\n     \"agency\": \"%s\",\n     \"person_ref\": \"%s\"\n    }",
                            r1 ? "," : "", agency_code[ag], ref);
                    r1 = true;
                }
        for (uint32_t k = start ? start[i] : 0; start && k < start[i + 1]; k++) {
            const sparse_ref *r = &S->sp[order[k]];
            ref_of(S, ref, r->a, (int)(S->sp_base + r->serial), false);
            if (r->kind == K_FULL)
                fprintf(f, "%s\n    {\n     \"agency\": \"%s\",\n     \"person_ref\": \"%s\"\n    }",
                        r1 ? "," : "", agency_code[r->a], ref);
            else
                fprintf(f,
                        "%s\n    {\n     \"agency\": \"%s\",\n     \"kind\": \"%s\",\n"
                        "     \"person_ref\": \"%s\",\n     \"sparse\": true\n    }",
                        r1 ? "," : "", agency_code[r->a], kind_name[r->kind], ref);
            r1 = true;
        }
        fprintf(f, "\n   ],\n   \"role\": \"%s\"", role_name[p->role]);
        if (S->noise && p->twin_of >= 0)
            fprintf(f, ",\n   \"twin_of\": \"T%06d\"", p->twin_of + 1);
        fputs("\n  }", f);
    }
    if (any)
        fputs("\n ", f);
}

static int write_truth(synth *S, const char *dir, jd_error *err)
{
    json_t *root = json_object(), *exploited = json_array(), *networks = json_array();
    char s0[11], s1[11];
    day_text(s0, S->day0);
    day_text(s1, S->day0 + S->days - 1);
    json_object_set_new(root, "period", json_pack("{s:s,s:s}", "start", s0, "end", s1));
    json_t *gen = json_pack("{s:s,s:I,s:s}", "name", "joindots synth", "seed",
                            (json_int_t)S->o.seed, "scenario", S->oxford ? "oxford" : "county");
    if (S->noise)
        json_object_set_new(gen, "identity_noise", json_string("realistic"));
    json_object_set_new(root, "generator", gen);
    for (int i = 0; i < S->np; i++) {
        person *p = &S->pp[i];
        if ((!p->refs_used && !p->nsparse) || p->role != R_VICTIM)
            continue;
        char id[16], began[11], net[16];
        snprintf(id, sizeof id, "T%06d", i + 1);
        day_text(began, p->began);
        snprintf(net, sizeof net, "NET-%02d", p->network + 1);
        int64_t fe = first_evidence(p);
        json_t *x = json_pack("{s:s,s:s,s:o}", "person", id, "began", began, "network",
                              p->network >= 0 ? json_string(net) : json_null());
        if (p->story)
            json_object_set_new(x, "story", json_string(story_group(p->story)));
        json_object_set_new(x, "first_evidence_at", fe ? iso(fe) : json_null());
        json_array_append_new(exploited, x);
    }
    for (int i = 0; i < S->nnet; i++) {
        netw *n = &S->nets[i];
        json_t *ad = json_array(), *ch = json_array(), *vr = json_array();
        for (int k = 0; k < n->nadults; k++)
            json_array_append_new(ad, json_sprintf("T%06d", n->adults[k] + 1));
        for (int k = 0; k < n->nchildren; k++)
            json_array_append_new(ch, json_sprintf("T%06d", n->children[k] + 1));
        for (int k = 0; k < n->nvrm; k++)
            json_array_append_new(vr, json_string(n->vrm[k]));
        json_t *x = json_pack("{s:o,s:o,s:o,s:o}", "id", json_sprintf("NET-%02d", i + 1),
                              "adults", ad, "children", ch, "vehicles", vr);
        json_object_set_new(x, "first_evidence_at",
                            n->first_evidence ? iso(n->first_evidence) : json_null());
        json_array_append_new(networks, x);
    }
    /* persons and children are spliced in where the empty arrays stand */
    json_object_set_new(root, "persons", json_array());
    json_object_set_new(root, "exploited", exploited);
    json_object_set_new(root, "networks", networks);
    json_object_set(root, "unrecorded_crimes", S->unrec);
    json_object_set(root, "left_alone", S->left);
    json_object_set(root, "blaming_language", S->blame);
    json_object_set_new(root, "children", json_array());
    if (S->oxford)
        json_object_set(root, "landmarks", S->landmarks);
    char *text = json_dumps(root, JSON_INDENT(1) | JSON_SORT_KEYS | JSON_ENSURE_ASCII);
    json_decref(root);
    static const char kc[] = "\n \"children\": [", kp[] = "\n \"persons\": [";
    char *c = text ? strstr(text, kc) : NULL, *pe = c ? strstr(c, kp) : NULL;
    uint32_t *start = NULL, *order = NULL;
    if (!pe || sparse_index(S, &start, &order) < 0) {
        free(text);
        return jd_oom(err);
    }
    char path[4096];
    snprintf(path, sizeof path, "%s/truth.json", dir);
    FILE *f = fopen(path, "wb");
    int bad = !f;
    if (f) {
        setvbuf(f, NULL, _IOFBF, 1 << 18);
        c += sizeof kc - 1; /* just after "[" */
        pe += sizeof kp - 1;
        fwrite(text, 1, (size_t)(c - text), f);
        write_persons(S, f, true, NULL, NULL);
        fwrite(c, 1, (size_t)(pe - c), f);
        write_persons(S, f, false, start, order);
        fputs(pe, f); /* json_dump_file ends without a newline: so do we */
        bad = ferror(f) != 0;
        bad |= fclose(f) != 0;
    }
    free(text);
    free(start);
    free(order);
    if (bad)
        return jd_error_set_at(err, JD_EIO, "truth.json", 0, 0, "cannot write");
    return JD_OK;
}

/* ---- files ---- */

static int open_files(synth *S, const char *dir, jd_error *err)
{
    char path[4096];
    for (int a = 0; a < A_N; a++) {
        if (a == A_HOUSING && !S->noise)
            continue;
        snprintf(path, sizeof path, "%s/events_%s.csv", dir, agency_code[a]);
        S->ev[a] = fopen(path, "wb");
        snprintf(path, sizeof path, "%s/persons_%s.csv", dir, agency_code[a]);
        S->pe[a] = fopen(path, "wb");
        if (!S->ev[a] || !S->pe[a])
            return jd_error_set_at(err, JD_EIO, path, 0, 0, "cannot write: %s", strerror(errno));
        setvbuf(S->ev[a], NULL, _IOFBF, 1 << 18);
        setvbuf(S->pe[a], NULL, _IOFBF, 1 << 18);
        const char *const *ec = ev_cols(a), *const *pc = pe_cols(a);
        for (int i = 0; i < 13; i++)
            fprintf(S->ev[a], "%s%s", i ? "," : "", ec[i]);
        fputs(S->o.seed % 2 && a == A_CSC ? "\r\n" : "\n", S->ev[a]);
        for (int i = 0; i < 16; i++)
            fprintf(S->pe[a], "%s%s", i ? "," : "", pc[i]);
        fputc('\n', S->pe[a]);
    }
    snprintf(path, sizeof path, "%s/objects.csv", dir);
    S->ob = fopen(path, "wb");
    if (!S->ob)
        return jd_error_set_at(err, JD_EIO, "objects.csv", 0, 0, "cannot write");
    setvbuf(S->ob, NULL, _IOFBF, 1 << 18);
    fputs("agency,record_id,object_type,value,description,person_ref\n", S->ob);
    return JD_OK;
}

static int close_files(synth *S)
{
    int bad = S->io_error;
    for (int a = 0; a < A_N; a++) {
        if (S->ev[a] && fclose(S->ev[a]) != 0)
            bad = 1;
        if (S->pe[a] && fclose(S->pe[a]) != 0)
            bad = 1;
        S->ev[a] = S->pe[a] = NULL;
    }
    if (S->ob && fclose(S->ob) != 0)
        bad = 1;
    S->ob = NULL;
    return bad;
}

/* ---- the whole county ---- */

static int build_county(synth *S, int nchildren)
{
    int made = 0;
    while (made < nchildren) {
        int hh = make_household(S);
        int eth = (int)rnd(S, JD_ARRAY_LEN(ethnicities));
        const char *fam = PICK(S, surnames);
        int mum = make_person(S, true, 'F', hh, eth, fam);
        if (mum < 0)
            return -1;
        S->pp[mum].role = R_PARENT;
        if (chance(S, 0.5)) {
            int dad = make_person(S, true, 'M', hh, eth, fam);
            if (dad < 0)
                return -1;
            S->pp[dad].role = R_PARENT;
        }
        int kids = 1 + (int)rnd(S, 3);
        for (int k = 0; k < kids && made < nchildren; k++) {
            int c = make_person(S, false, chance(S, 0.5) ? 'F' : 'M', hh, eth,
                                chance(S, 0.1) ? NULL : fam);
            if (c < 0)
                return -1;
            S->pp[c].parent = mum;
            made++;
            if (k == 0 && made < nchildren && chance(S, 0.02)) { /* twins */
                char tsur[32]; /* make_person may move S->pp */
                snprintf(tsur, sizeof tsur, "%s", S->pp[c].sur);
                int t = make_person(S, false, chance(S, 0.5) ? 'F' : 'M', hh, eth, tsur);
                if (t < 0)
                    return -1;
                S->pp[t].dob = S->pp[c].dob;
                S->pp[t].twin_of = c;
                S->pp[t].parent = mum;
                made++;
            }
        }
        if (chance(S, 0.15)) { /* the family moves once */
            int nh = make_household(S);
            int32_t mv = rand_day(S, S->day0, S->day0 + S->days);
            for (int q = mum; q < S->np; q++) {
                S->pp[q].hh2 = nh;
                S->pp[q].move_day = mv;
            }
        }
    }
    return 0;
}

/* ---- households and namesakes (realistic identity noise) ---- */

static const char *pick_name(synth *S, const char *const *arr, size_t n)
{
    /* Common names are common: a fifth of the draws come from the first ten
     * (the commonest forename about 2.5% of draws, the commonest surname 2%). */
    return arr[chance(S, 0.2) ? rnd(S, 10) : rnd(S, (uint32_t)n)];
}

/* Give `pi` the forename and surname of an unrelated person of the same
 * kind and gender, in the same part of town (street and postcode district);
 * children are often born the same year, now and then on the same day. */
static void namesake(synth *S, int pi)
{
    for (int t = 0; pi > 0 && t < 20; t++) {
        int q = (int)rnd(S, (uint32_t)pi);
        person *p = &S->pp[pi], *o = &S->pp[q];
        if (o->is_adult != p->is_adult || o->gender != p->gender || o->hh == p->hh ||
            o->role == R_NETWORK || o->role == R_DECOY)
            continue;
        memcpy(p->fore, o->fore, sizeof p->fore); /* q < pi: never the same person */
        memcpy(p->sur, o->sur, sizeof p->sur);
        if (!p->is_adult) {
            uint32_t u = rnd(S, 100);
            if (u < 8)
                p->dob = o->dob;
            else if (u < 45)
                p->dob = o->dob + (int32_t)rnd(S, 181) - 90;
        }
        household *h = &S->hh[p->hh];
        const household *oh = &S->hh[o->hh];
        if (h->town >= 0 && oh->town >= 0) { /* the same street, another house */
            h->town = oh->town;
            h->street = oh->street;
            postcode_of(h);
        }
        p->groups |= G_NAMESAKE;
        o->groups |= G_NAMESAKE;
        return;
    }
}

/* Twins: the same date of birth, surname and address; half of them get
 * similar or rhyming names. */
static int make_twin(synth *S, int c, int hh, int eth, int mum)
{
    char sur[32]; /* make_person may move S->pp */
    snprintf(sur, sizeof sur, "%s", S->pp[c].sur);
    char g = S->pp[c].gender, tg = chance(S, 0.65) ? g : g == 'F' ? 'M' : 'F';
    int t = make_person(S, false, tg, hh, eth, sur);
    if (t < 0)
        return -1;
    person *a = &S->pp[c], *b = &S->pp[t];
    snprintf(b->fore, sizeof b->fore, "%s", pick_name(S, tg == 'F' ? girls2 : boys2,
                                                       tg == 'F' ? JD_ARRAY_LEN(girls2)
                                                                 : JD_ARRAY_LEN(boys2)));
    if (chance(S, 0.5)) {
        const char *x, *y;
        if (g == tg) {
            const char *const *pr = g == 'F' ? twin_girls[rnd(S, JD_ARRAY_LEN(twin_girls))]
                                             : twin_boys[rnd(S, JD_ARRAY_LEN(twin_boys))];
            x = pr[0];
            y = pr[1];
        } else {
            const char *const *pr = twin_mixed[rnd(S, JD_ARRAY_LEN(twin_mixed))];
            x = g == 'M' ? pr[0] : pr[1];
            y = g == 'M' ? pr[1] : pr[0];
        }
        snprintf(a->fore, sizeof a->fore, "%s", x);
        snprintf(b->fore, sizeof b->fore, "%s", y);
    }
    b->dob = a->dob;
    b->twin_of = c;
    b->parent = mum;
    a->groups |= G_TWIN;
    b->groups |= G_TWIN;
    return t;
}

/* Families: step-families (the children of an earlier relationship keep
 * their father's or their mother's surname, a younger half-sibling has the
 * stepfather's), unmarried parents with different surnames (children with
 * either, or both double-barrelled), sons named after their father, twins,
 * namesakes elsewhere in town, and moves. */
static int build_county_real(synth *S, int nchildren)
{
    int made = 0;
    while (made < nchildren) {
        int hh = make_household(S);
        int eth = (int)rnd(S, JD_ARRAY_LEN(ethnicities));
        int first = S->np;
        char fam[32], dsur[32], prev[32], dbl[32];
        snprintf(fam, sizeof fam, "%s", pick_name(S, surnames2, JD_ARRAY_LEN(surnames2)));
        bool step = chance(S, 0.12), unmarried = !step && chance(S, 0.2);
        int mum = make_person(S, true, 'F', hh, eth, fam);
        if (mum < 0)
            return -1;
        S->pp[mum].role = R_PARENT;
        snprintf(S->pp[mum].fore, sizeof S->pp[mum].fore, "%s",
                 pick_name(S, women2, JD_ARRAY_LEN(women2)));
        if (chance(S, 0.03)) {
            namesake(S, mum);
            snprintf(fam, sizeof fam, "%s", S->pp[mum].sur);
        }
        int dad = -1;
        snprintf(dsur, sizeof dsur, "%s", fam);
        if (step || chance(S, 0.5)) {
            if (step || unmarried)
                snprintf(dsur, sizeof dsur, "%s",
                         pick_name(S, surnames2, JD_ARRAY_LEN(surnames2)));
            dad = make_person(S, true, 'M', hh, eth, dsur);
            if (dad < 0)
                return -1;
            S->pp[dad].role = R_PARENT;
            snprintf(S->pp[dad].fore, sizeof S->pp[dad].fore, "%s",
                     pick_name(S, men2, JD_ARRAY_LEN(men2)));
            if (chance(S, 0.03)) {
                namesake(S, dad);
                snprintf(dsur, sizeof dsur, "%s", S->pp[dad].sur);
            }
        }
        snprintf(prev, sizeof prev, "%s", PICK(S, surnames2));
        snprintf(dbl, sizeof dbl, "%.15s-%.15s", fam, dsur);
        int kids = 1 + (int)rnd(S, step ? 4 : 3), nkid = 0;
        for (int k = 0; k < kids && made < nchildren; k++) {
            const char *cs = fam;
            if (step)
                cs = k == 0 || chance(S, 0.4) ? (chance(S, 0.6) ? prev : fam) : dsur;
            else if (unmarried && dad >= 0) {
                uint32_t u = rnd(S, 100);
                cs = u < 30 ? fam : u < 80 ? dsur : strchr(fam, '-') || strchr(dsur, '-') ? fam
                                                                                           : dbl;
            } else if (chance(S, 0.05))
                cs = PICK(S, surnames2); /* kinship care, a name kept from elsewhere */
            char g = chance(S, 0.5) ? 'F' : 'M';
            int c = make_person(S, false, g, hh, eth, cs);
            if (c < 0)
                return -1;
            person *cp = &S->pp[c];
            cp->parent = mum;
            snprintf(cp->fore, sizeof cp->fore, "%s",
                     g == 'F' ? pick_name(S, girls2, JD_ARRAY_LEN(girls2))
                              : pick_name(S, boys2, JD_ARRAY_LEN(boys2)));
            if (g == 'M' && dad >= 0 && chance(S, 0.04)) { /* named after his father */
                snprintf(cp->fore, sizeof cp->fore, "%s", S->pp[dad].fore);
                cp->groups |= G_NAMESAKE;
                S->pp[dad].groups |= G_NAMESAKE;
            } else if (chance(S, 0.03)) {
                namesake(S, c);
            }
            made++;
            nkid++;
            if (k == 0 && made < nchildren && chance(S, 0.04)) {
                if (make_twin(S, c, hh, eth, mum) < 0)
                    return -1;
                made++;
                nkid++;
            }
        }
        int n = S->np - first;
        S->hh[hh].first = first;
        S->hh[hh].n = n;
        bool moves = chance(S, 0.15);
        int nh = moves ? make_household(S) : -1;
        int32_t mv = moves ? rand_day(S, S->day0, S->day0 + S->days) : -1;
        for (int q = first; q < S->np; q++) {
            person *p = &S->pp[q];
            p->groups |= (uint8_t)((n > 1 ? G_HOUSEHOLD : 0) | (step ? G_STEP : 0) |
                                   (!p->is_adult && nkid > 1 ? G_SIBLING : 0) |
                                   (moves ? G_MOVED : 0));
            if (moves) {
                p->hh2 = nh;
                p->move_day = mv;
            }
        }
    }
    return 0;
}

static const char *const t_housing[] = {
    "Repairs reported: damp and mould in the children's bedroom.",
    "Rent arrears letter sent; tenant agreed a payment plan.",
    "Noise complaint from a neighbour about shouting late at night.",
    "Housing register review: household composition confirmed.",
    "Tenancy audit visit; all occupants seen.",
    "Report of youths gathering in the stairwell; advice given.",
    "Application for a larger property: overcrowding, children sharing a room."};
/* A caller's concern that young children are left alone discloses neglect
 * (C17) by the labelling guide: a third party's allegation counts, at level
 * medium (risk.c). household_life lists it as a left-alone call (the
 * truth's "left_alone", scored apart from the planted exploitation crimes)
 * when a child under 12 is named on the call (scr-off4: the screen's 2,859
 * alerts on it in the 1M county were this line, unlabelled). */
static const char left_alone_call[] = "Caller concerned the children are left alone in the flat.";
static const char *const t_household_call[] = {
    "Neighbour reports shouting and a child crying at the address.",
    left_alone_call,
    "Mother calling for advice: teenager refusing to come home.",
    "Report of a loud argument, children heard in the background.",
    "Caller worried about the family next door, kids out late again."};

/* Contact with a whole household at once: housing records of the tenancy
 * listing its members, calls about the family, domestic incidents with the
 * children present, sibling groups at school. */
static void household_life(synth *S, const household *h)
{
    int adults[4], kids[8], na = 0, nk = 0;
    int32_t end = S->day0 + S->days;
    for (int q = h->first; q < h->first + h->n; q++) {
        if (S->pp[q].is_adult && na < 4)
            adults[na++] = q;
        else if (!S->pp[q].is_adult && nk < 8)
            kids[nk++] = q;
    }
    if (na == 0)
        return;
    int tenant = adults[0];
    event_spec e;
    if (chance(S, 0.35)) {
        int n = 1 + (int)rnd(S, 3);
        for (int i = 0; i < n; i++) {
            int32_t day = rand_day(S, S->day0, end);
            e = base(S, A_HOUSING, "other", day, tenant, "subject");
            e.narrative = T(t_housing);
            for (int k = 1; k < na; k++)
                party_add(&e, adults[k], "associate");
            for (int k = 0; k < nk; k++)
                if (S->pp[kids[k]].dob <= day)
                    party_add(&e, kids[k], "associate");
            emit(S, &e);
        }
    }
    if (chance(S, 0.2)) {
        int n = 1 + (int)rnd(S, 2);
        for (int i = 0; i < n; i++) {
            int32_t day = rand_day(S, S->day0, end);
            e = base(S, A_CALLS, "call_for_service", day, -1, NULL);
            e.narrative = T(t_household_call);
            e.postcode = home_of(S, &S->pp[tenant], day)->pc;
            if (chance(S, 0.6))
                party_add(&e, adults[rnd(S, (uint32_t)na)], "reporter");
            for (int k = 0; k < nk; k++)
                if (S->pp[kids[k]].dob <= day && chance(S, 0.7)) {
                    party_add(&e, kids[k], "subject");
                    if (e.narrative == left_alone_call && age_on(&S->pp[kids[k]], day) < 12)
                        e.flags |= F_LEFT;
                }
            if (e.nparties)
                emit(S, &e);
        }
    }
    if (na >= 2 && chance(S, 0.08)) {
        int32_t day = rand_day(S, S->day0, end);
        e = base(S, A_POLICE, "call_for_service", day, adults[0], "victim");
        e.narrative = "Domestic incident: verbal argument between the adults, children present. "
                      "No offences disclosed.";
        party_add(&e, adults[1], "suspect");
        for (int k = 0; k < nk; k++)
            if (S->pp[kids[k]].dob <= day)
                party_add(&e, kids[k], "witness");
        emit(S, &e);
    }
    if (nk >= 2 && chance(S, 0.15)) {
        int32_t day = rand_day(S, S->day0, end);
        e = base(S, A_SCHOOL, "welfare_concern", day, -1, NULL);
        e.narrative = "Siblings arriving late and hungry most mornings; family support offered.";
        e.postcode = home_of(S, &S->pp[kids[0]], day)->pc;
        for (int k = 0; k < nk; k++) {
            int age = age_on(&S->pp[kids[k]], day);
            if (age >= 5 && age <= 16)
                party_add(&e, kids[k], "subject");
        }
        if (e.nparties >= 2)
            emit(S, &e);
    }
}

/* ---- confounder stories (--confounders stories) ----
 *
 * Children who are not exploited but whose records carry what a naive
 * screen scores (missing, injuries, cars, hotels, older people, cash, many
 * agencies), in the words and situations of the stories written blind to
 * the rules (tests/data/confounders/stories.md, part A). Each story is a
 * sequence of records relative to a first day when the child has about the
 * story's age; %N is the child, %M the story's adult, %S a sibling or twin,
 * %K the child's age, %A the adult's age. The stories run on their own
 * random stream after the county is written, so the rest of the county is
 * the same bytes as without them. */


typedef struct story_rec {
    int16_t day;
    uint8_t a;
    const char *type, *text;
    const char *with;   /* another person in the record: the story's adult in this role,
                           "sibling" the sibling or twin, "driver" the adult as associate
                           or witness; NULL none */
    const char *role;   /* the child's role (NULL: subject) */
    const char *grade;
    const char *ind[2]; /* true stories: indicators the record evidences (truth) */
} story_rec;

typedef struct story {
    const char *group; /* confounder group; for a true story, its name */
    char gender;
    int age;            /* the child's age on day 0 */
    int adult_age;      /* -1: no adult of the story */
    const story_rec *rec;
    size_t nrec;
    bool exploited; /* part B: true exploitation in plain words */
} story;

static const story_rec st_nan[] = {
    {0, A_CARE, "missing_report", "%N not back from school 16:00, phone off. Carers rang nan at 16:40 - she's not there yet. Reported missing to police 17:30 as per protocol.", NULL, NULL, "low", {NULL, NULL}},
    {0, A_POLICE, "missing_return", "18:10 nan (Mrs %M, Gorsey Bank) rang to say %N has just arrived on the 15 bus. Officer attended, %N safe and well, eating tea, no injuries, no concerns. Carer collecting.", "reporter", NULL, NULL, {NULL, NULL}},
    {3, A_CSC, "return_interview", "Return interview by advocate. %N went straight from school to her nan's on the bus, alone, because she 'missed her'. Nobody else involved, no one gave her anything, she was not anywhere else. Says she'd ring next time but thought she'd be told no. Safe throughout.", NULL, NULL, NULL, {NULL, NULL}},
    {21, A_CARE, "case_note", "Away from placement 17:00-20:30, whereabouts known: nan rang at 17:15 to say %N was with her. Not reported missing. Brought back by nan's neighbour in his car as nan doesn't drive (neighbour known to SW).", NULL, NULL, NULL, {NULL, NULL}},
    {35, A_POLICE, "missing_report", "%N reported missing from foster placement 18:30, second time this month. Carers believe she is at her grandmother's.", NULL, NULL, "low", {NULL, NULL}},
    {35, A_POLICE, "missing_return", "Second missing this month. Located at maternal grandmother's, Gorsey Bank, 21:40, where she had been since 18:00. Grandmother unaware she had not told carers. Safe and well. Risk: low.", "carer", NULL, NULL, {NULL, NULL}},
    {38, A_CSC, "return_interview", "Return interview: again at nan's, took the bus, nobody else involved, watched telly and had chips. %N wants to live with nan. To be raised at LAC review; connected-carer assessment requested.", NULL, NULL, NULL, {NULL, NULL}},
    {52, A_CARE, "missing_report", "%N not back by 19:00, took the bus to Gorsey Bank again. Reported per protocol.", NULL, NULL, "low", {NULL, NULL}},
    {53, A_POLICE, "missing_return", "Found at her grandmother's address in Gorsey Bank, safe and well, nan rang us. No concerns.", "reporter", NULL, NULL, {NULL, NULL}},
    {55, A_CSC, "return_interview", "Return interview: at nan's all evening, nobody else there, went by bus. Safe. Wants more contact with nan.", NULL, NULL, NULL, {NULL, NULL}},
    {60, A_CSC, "strategy_discussion", "LAC review: four episodes since Sept, all to grandmother, all confirmed by grandmother and police. No exploitation indicators. Plan: weekly overnight contact at nan's, viability assessment of nan as carer.", NULL, NULL, NULL, {NULL, NULL}},
};
static const story_rec st_sport[] = {
    {0, A_AE, "ae_attendance", "%KM, R ring finger caught in opponent's shirt in rugby tackle at school fixture. Teacher brought him, dad met them here. XR: # base proximal phalanx. Buddy strap, hand clinic.", NULL, NULL, NULL, {NULL, NULL}},
    {40, A_SCHNURSE, "school_nurse_note", "%N seen in PE changing: bruises both shins and L thigh, various ages. %N says 'it's rugby, Miss', PE teacher confirms he was in a ruck-heavy game Weds. Consistent. No concerns.", NULL, NULL, NULL, {NULL, NULL}},
    {55, A_AE, "ae_attendance", "%KM, clash of heads with another player in Sunday league match, brief LOC <10 sec witnessed by dad and coach. GCS 15 on arrival. Head injury advice, no sport 2 wks.", NULL, NULL, NULL, {NULL, NULL}},
    {56, A_SCHOOL, "case_note", "Dad emailed: %N has concussion from football Sunday, no PE for 2 weeks please. Nurse informed.", NULL, NULL, NULL, {NULL, NULL}},
    {90, A_GP, "gp_note", "Black eye L, elbowed in the face going up for a header on Sat, dad present at the game. No other injuries. Reassured.", NULL, NULL, NULL, {NULL, NULL}},
};
static const story_rec st_pet[] = {
    {0, A_AE, "ae_attendance", "%KF bitten on R forearm by family dog (Staffie x, 1 yr) when she tried to take its toy. Mum witnessed. Two puncture wounds, irrigated, co-amoxiclav. Dog advice leaflet.", NULL, NULL, NULL, {NULL, NULL}},
    {150, A_AE, "ae_attendance", "%KF fell ~1m from garden wall when the dog jumped up at her, mum saw it from kitchen window. Grazed chin, bitten lip (own teeth). Cleaned. Consistent story from child and mum.", NULL, NULL, NULL, {NULL, NULL}},
    {200, A_AE, "ae_attendance", "%KF, second dog bite this year, L cheek, 1.5cm lac, while lying on the floor next to the dog. Mum very upset, dog going to a rescue tomorrow. Steristrips. Safeguarding checklist: mechanism consistent, no concerns, HV informed.", NULL, NULL, NULL, {NULL, NULL}},
    {202, A_SCHNURSE, "school_nurse_note", "HV/school nurse liaison: dog has been rehomed. %N back at school, cheek healing. No concerns.", NULL, NULL, NULL, {NULL, NULL}},
};
static const story_rec st_phone[] = {
    {0, A_POLICE, "crime_report", "Theft snatch. IP (%K) on phone at Bramley Rd stop, youth on bike snatched it. No injury. Crime recorded. Find My shows it in Hollinwade then off.", NULL, "victim", NULL, {NULL, NULL}},
    {60, A_SCHOOL, "case_note", "%N's phone taken from his bag during football practice. Changing room CCTV checked, nothing. Mum says she's given him her old phone to use for now, so he has two SIMs floating around till the insurance pays.", NULL, NULL, NULL, {NULL, NULL}},
    {130, A_POLICE, "crime_report", "Robbery. IP (%K) approached by 2 males on bikes, demanded his phone, he handed it over. No injury, no weapon seen. Crime recorded. Third phone loss this year per mum - victim support referral.", NULL, "victim", NULL, {NULL, NULL}},
    {131, A_SCHOOL, "case_note", "%N a bit shaken after the robbery, has a new phone from mum's contract. Offered time with the pastoral lead. No other concerns.", NULL, NULL, NULL, {NULL, NULL}},
};
static const story_rec st_sameage[] = {
    {0, A_SCHOOL, "case_note", "%N and Josh (both Y10, same form) spoken to about PDA in the corridor - holding hands and kissing. Both giggled. No concerns.", NULL, NULL, NULL, {NULL, NULL}},
    {45, A_SEXH, "sexual_health_visit", "%KF, C-card registration. Boyfriend Josh is 15, same school year, together 6 months. No age gap, no gifts, not met online, no missing, no pressure. Condoms and advice.", NULL, NULL, NULL, {NULL, NULL}},
    {90, A_CALLS, "missing_report", "CALLER mum: daughter (%K) not home, due 21:00, now 22:00. 22:15 update: she's at boyfriend Josh's (15), his mum rang, walking her home now. Closed.", NULL, NULL, NULL, {NULL, NULL}},
    {91, A_SCHNURSE, "school_nurse_note", "%N asked about the pill. Relationship with Josh (same age) sounds caring and equal. Referred to clinic; discussed waiting, consent and how to say no.", NULL, NULL, NULL, {NULL, NULL}},
};
static const story_rec st_profs[] = {
    {0, A_SCHOOL, "case_note", "%N arrived on the council taxi with his passenger assistant as usual, a bit unsettled after the driver changed. New driver (Ashmere Cars, DBS checked by transport team) introduced by PA. Settled by break.", "professional", NULL, NULL, {NULL, NULL}},
    {10, A_GP, "gp_note", "Med review with paeds letter: methylphenidate increased. Mum reports more irritable in evenings, poor sleep. Continue, review 4 wks.", NULL, NULL, NULL, {NULL, NULL}},
    {14, A_CSC, "case_note", "CIN review: mum's mental health improving, CPN weekly. %N's respite weekend with foster carers went well. Young carers worker seeing %N fortnightly. Plan continues.", NULL, NULL, NULL, {NULL, NULL}},
    {20, A_SCHOOL, "welfare_concern", "%N more aggressive this week, threw a chair; linked by mum and paeds to dose change. Sensory breaks increased. EHCP for autism and ADHD in place.", NULL, NULL, NULL, {NULL, NULL}},
    {25, A_CARE, "case_note", "Respite weekend: %N loved the farm park. Staff drove him home Sunday 17:00, handed to mum. No concerns.", NULL, NULL, NULL, {NULL, NULL}},
    {30, A_AE, "ae_attendance", "%KM, cut to forehead from headbutting the wall during a meltdown at home, witnessed by mum. Known ASD/ADHD, recent med change. Glued. Paeds informed.", NULL, NULL, NULL, {NULL, NULL}},
};
static const story_rec st_sibling[] = {
    {0, A_POLICE, "case_note", "Visit re %S. Younger sister %N (%K) at home with mum, doing homework. No concerns for %N.", "sibling", "witness", NULL, {NULL, NULL}},
    {20, A_CSC, "assessment", "Sibling assessment for %N: happy, attending, close to mum, no contact with any of %S's associates, no online concerns. Mum knows who to call if anyone approaches %N. No further action for %N.", NULL, NULL, NULL, {NULL, NULL}},
    {40, A_SCHOOL, "case_note", "%N upset in class - worried about her sister. Offered ELSA sessions. No concerns about %N's own safety.", NULL, NULL, NULL, {NULL, NULL}},
    {90, A_POLICE, "intelligence", "Intel review of the family address: address linked only through %S. Other occupants mum and sister %N (%K) - no concerns.", "sibling", "witness", NULL, {NULL, NULL}},
};
static const story_rec st_twins[] = {
    {0, A_POLICE, "stop_check", "Minibus stopped for a brake light, driver Mr %M (%A), town academy coach, with 6 U16 players on the way back from a match, incl. %N (%K). Coach DBS and club details checked. No concerns.", "driver", NULL, NULL, {NULL, NULL}},
    {14, A_CALLS, "missing_report", "CALLER mum: %S (%K) not home. 19:20 update: it's %N who's out - at football training, %S is upstairs with headphones on. Mum embarrassed. Closed.", "sibling", NULL, NULL, {NULL, NULL}},
    {15, A_SCHOOL, "case_note", "Note: the incident log from yesterday has the twins' names swapped. %N was at training with the coach; %S was at home. Corrected on both files.", "sibling", NULL, NULL, {NULL, NULL}},
    {60, A_GP, "gp_note", "%N (not %S - checked DOB and photo ID) seen for hamstring strain from football.", NULL, NULL, NULL, {NULL, NULL}},
};
static const story_rec st_taxi[] = {
    {0, A_SCHOOL, "case_note", "Gate duty: %N (Y8) got into a Castle Cabs car at 15:20. Checked with office - her dad is a PH driver with Castle Cabs and collects her Mon/Weds/Fri. On contact list.", NULL, NULL, NULL, {NULL, NULL}},
    {30, A_SCHOOL, "welfare_concern", "%N collected by a different Castle Cabs driver today (Mr %M). Office rang dad: he's on an airport job and asked his colleague; dad had emailed this morning, email found. %N knows Mr %M as 'Uncle Sam' from dad's work. Added to list at dad's request.", "associate", NULL, NULL, {NULL, NULL}},
    {31, A_POLICE, "intelligence", "Not intel - cleared: the report of a 'girl getting into taxis at St Anne's' relates to a PH driver collecting his own daughter. Licence and vehicle checked with licensing, all in order.", NULL, NULL, NULL, {NULL, NULL}},
    {90, A_CSC, "case_note", "Early help closed: family needed help with childcare after mum's hours changed; now resolved. No concerns.", NULL, NULL, NULL, {NULL, NULL}},
};
static const story_rec st_hotel[] = {
    {0, A_POLICE, "case_note", "PCSO saw female in school uniform in the lobby of the Castle hotel 17:30. Spoke to reception: girl is %N (%K), daughter of duty manager Mrs %M, waits there daily for a lift home. Mum confirmed. No concerns.", NULL, NULL, NULL, {NULL, NULL}},
    {20, A_SCHOOL, "case_note", "Hotel key card found in %N's blazer during lost property sort. %N: it's her staff card for the Saturday reception job at mum's hotel. Mum confirmed, contract for Saturday 9-1. Returned.", NULL, NULL, NULL, {NULL, NULL}},
    {21, A_HOUSING, "case_note", "Tenancy check at mum's flat: all fine; household Mrs %M and %N (%K). Mum works shifts at the Castle hotel.", "parent", NULL, NULL, {NULL, NULL}},
    {60, A_SCHOOL, "case_note", "%N doing hospitality BTEC taster, talks about mum's hotel a lot, wants to do events management. Great attitude.", NULL, NULL, NULL, {NULL, NULL}},
};
static const story_rec st_carer[] = {
    {0, A_SCHOOL, "absence", "%N absent again, 4th Monday. Mum rang: she had a bad MS flare and %N stayed to help her get up and take her meds. Young carers referral made.", NULL, NULL, NULL, {NULL, NULL}},
    {15, A_POLICE, "case_note", "Welfare check after call from neighbour re %K yo 'out at 11pm most nights'. %N was cycling back from the 24hr pharmacy with mum's prescription and 20 pounds change. Mum confirmed by phone. Advised. Referral to young carers for extra support.", NULL, NULL, NULL, {NULL, NULL}},
    {30, A_YOUTH, "case_note", "Young carers group: %N loved the climbing wall. Talks about shopping and cooking for mum, has a budget in a notebook. Respite break being arranged.", NULL, NULL, NULL, {NULL, NULL}},
    {60, A_CSC, "case_note", "Carers assessment: care package for mum increased to mornings, so %N can get to school. Attendance improving.", NULL, NULL, NULL, {NULL, NULL}},
};
static const story_rec st_older_peer[] = {
    {0, A_GP, "gp_note", "%KF, pill review. Has been with %M (%A) since they were in Y11 at the same school, now both at Kestleford College. No concerns on Spotting the Signs: school-year peers, no gifts, no pressure, no missing.", NULL, NULL, NULL, {NULL, NULL}},
    {40, A_POLICE, "stop_check", "Vehicle stop 22:40, Ford Fiesta, driver %M (%A), passenger %N (%K), both college students, driving home from the cinema. Documents OK. No concerns.", "driver", NULL, NULL, {NULL, NULL}},
    {41, A_SCHOOL, "case_note", "College tutor: %N and %M are a couple in the same tutor group, both doing well. No concerns.", NULL, NULL, NULL, {NULL, NULL}},
    {80, A_SEXH, "sexual_health_visit", "%KF, chlamydia screen, negative. Partner same college year, together two years.", NULL, NULL, NULL, {NULL, NULL}},
};
static const story_rec st_takeaway[] = {
    {0, A_SCHOOL, "case_note", "%N has new Air Max - says he's saved up from his Saturday job at the Golden Dragon. Dad confirmed: family friends, work permit from the council, 5-9pm Saturdays.", NULL, NULL, NULL, {NULL, NULL}},
    {10, A_POLICE, "stop_check", "21:30 car stopped on Station Rd, driver %M (%A), passenger %N (%K). %N works at the family's takeaway, getting a lift home as usual. Dad phoned, confirmed. No concerns.", "driver", NULL, NULL, {NULL, NULL}},
    {11, A_CSC, "case_note", "Check following police stop: child employment permit in place (education welfare confirms), hours within limits, parents happy. No concerns.", NULL, NULL, NULL, {NULL, NULL}},
    {50, A_YOUTH, "case_note", "%N talking about saving for a moped from his takeaway money. Proud of himself.", NULL, NULL, NULL, {NULL, NULL}},
};


/* Part B: true exploitation written in plain words (no "CSE", "grooming",
 * "older boyfriend"...): found from what the adults do, not from jargon. */
static const story_rec st_sienna[] = {
    {0, A_SCHOOL, "case_note", "%N tired and quiet in maths, said she was up late. A man in a blue car waited for her at the gate after school - she said it's her friend's cousin.", NULL, NULL, NULL, {"S03", "M01"}},
    {12, A_CALLS, "call_for_service", "CALLER mum: %N (%K) not home, it's midnight, she says she's at a friend's but won't say who. Mum says a man about 30 called %M keeps giving her lifts and bought her a phone.", NULL, NULL, NULL, {"S04", "M02"}},
    {13, A_POLICE, "missing_return", "%N home 02:30, dropped at the end of the road by a car. Smelt of drink. Says she was at '%M's mate's flat' in Hollinwade, there were other men there, 'older'. Wouldn't say more.", NULL, NULL, NULL, {"S12", "S09"}},
    {30, A_AE, "ae_attendance", "%KF, very drunk, brought in by ambulance from Tannery Row at 01:00. A man who gave his name as %M called the ambulance and left. Pt tearful, said 'they kept giving me vodka' and she 'didn't want to go in the bedroom'.", NULL, NULL, NULL, {"M11", "S04"}},
    {45, A_GP, "gp_note", "%K yo asking for the pill. Says she is 'seeing someone', won't give his age, 'he's older'. Has been sleeping with him at his mate's flat.", NULL, NULL, NULL, {"S02", "M08"}},
    {50, A_SCHOOL, "absence", "%N absent 6 days out of 10. Seen getting into the same blue car at the bus stop in school time.", NULL, NULL, NULL, {"M06", "S03"}},
};
static const story_rec st_kai[] = {
    {0, A_YOUTH, "case_note", "%N flashing 50 pound notes, says a man called %M at the snooker hall gives him money 'for helping out'. %M is in his 40s.", NULL, NULL, NULL, {"S04", NULL}},
    {20, A_POLICE, "stop_check", "%N stopped at Brannock station with a rucksack; inside, 30 small bags of white powder. Says a man gave it him to drop off and he'd get 100 pounds. Won't name him.", NULL, NULL, NULL, {"S09", NULL}},
    {21, A_CARE, "case_note", "%N back after 3 days away, very quiet, won't eat, flinches when staff come near. New trainers and a second phone.", NULL, NULL, NULL, {"S12", "S04"}},
    {40, A_SCHOOL, "case_note", "%N told his mentor %M 'makes him do stuff' at a flat and filmed it on his phone, and said if he stops coming %M will send it to everyone. %N then said he was joking.", NULL, NULL, NULL, {"M07", "S09"}},
    {41, A_POLICE, "case_note", "Mentor's report passed to us: child says an adult made him perform sexual acts, filmed it, and is threatening to share it. Also carrying drugs to Brannock for the same man.", NULL, NULL, NULL, {"S02", NULL}},
};
static const story_rec st_mia[] = {
    {0, A_CARE, "case_note", "%N up late messaging on her tablet, hides the screen. Says it's a lad called Jay from her game, he's 15.", NULL, NULL, NULL, {"M04", "M03"}},
    {15, A_CARE, "case_note", "%N has a phone we didn't give her. Says Jay posted it to her 'so they can talk properly'.", NULL, NULL, NULL, {"S04", "M03"}},
    {22, A_CARE, "missing_report", "%N not back from the retail park, 18:00. Reported to police. Friend says %N went to meet Jay and got into a silver car with a man, not a boy.", NULL, NULL, NULL, {"S01", "S03"}},
    {23, A_POLICE, "found_with_adult", "%N found 23:30 at 5 Larch Grove, occupant %M (%A). %N had sent him photos of herself without clothes on; he'd told her he was 15. %N taken home to carers.", "suspect", NULL, NULL, {"S11", "S08"}},
    {25, A_CSC, "strategy_discussion", "%N says %M touched her at his house and told her not to tell, and that she must not answer the door to her carers if she goes back.", NULL, NULL, NULL, {"S08", NULL}},
};
static const story_rec st_lacey[] = {
    {0, A_SCHOOL, "case_note", "%N (%K, moderate LD) very excited about her 'new friends' from the bus station who 'take her to parties'.", NULL, NULL, NULL, {"S09", NULL}},
    {10, A_CALLS, "call_for_service", "CALLER dad: %N not home, texted 'at a party dont worry'. Dad says she doesn't understand danger.", NULL, NULL, NULL, {"S01", NULL}},
    {11, A_POLICE, "missing_return", "%N home 04:00, brought by a taxi nobody booked at home. Has 40 pounds and says 'the men gave it me after'. Clothes on inside out.", NULL, NULL, NULL, {"S03", "S04"}},
    {20, A_SEXH, "sexual_health_visit", "%KF with LD attends with dad. Says men at 'the party house' do 'sex stuff' with her and then her friend gives her money for her phone. She says they're her friends.", NULL, NULL, NULL, {"S02", "M08"}},
    {21, A_CSC, "referral", "Referral: a %K-year-old with a learning disability taken to a house where several men have sex with her and someone gives her money afterwards. Same 'friends' seen with other girls at the bus station.", NULL, NULL, NULL, {"S09", "S05"}},
};
#define STORY(g, sex, age, aage, arr) {g, sex, age, aage, arr, JD_ARRAY_LEN(arr), false}
#define TRUE_STORY(g, sex, age, aage, arr) {g, sex, age, aage, arr, JD_ARRAY_LEN(arr), true}
static const story stories[] = {
    STORY("in_care_missing_to_family", 'F', 14, 68, st_nan),
    STORY("sport_injuries", 'M', 13, -1, st_sport),
    STORY("pet_injuries", 'F', 6, -1, st_pet),
    STORY("phone_stolen", 'M', 15, -1, st_phone),
    STORY("same_age_relationship", 'F', 15, -1, st_sameage),
    STORY("many_professionals", 'M', 12, 45, st_profs),
    STORY("sibling_of_victim", 'F', 11, -1, st_sibling),
    STORY("twins", 'M', 15, 47, st_twins),
    STORY("parent_taxi_driver", 'F', 13, 40, st_taxi),
    STORY("parent_works_at_hotel", 'F', 15, 42, st_hotel),
    STORY("young_carer", 'M', 14, -1, st_carer),
    STORY("older_peer_partner", 'F', 17, 18, st_older_peer),
    STORY("weekend_job_takeaway", 'M', 15, 22, st_takeaway),
    TRUE_STORY("plain_words_friends_cousin", 'F', 14, 31, st_sienna),
    TRUE_STORY("plain_words_snooker_hall", 'M', 15, 44, st_kai),
    TRUE_STORY("plain_words_lad_from_the_game", 'F', 13, 26, st_mia),
    TRUE_STORY("plain_words_bus_station_friends", 'F', 16, 35, st_lacey),
};
#undef STORY
#undef TRUE_STORY
enum { ST_SIBLING = 6, ST_TWINS = 7, ST_TRUE0 = 13, ST_N = (int)JD_ARRAY_LEN(stories) };

/* truth.json's confounder group of a story (person.story = index + 1) */
static const char *story_group(int k)
{
    return stories[k - 1].group;
}

/* Can the child be about the story's age during the period? */
static bool story_fits(const synth *S, const person *p, int k)
{
    int32_t d0 = p->dob + (int32_t)(365.25 * stories[k].age);
    return d0 + 200 >= S->day0 && d0 + 210 <= S->day0 + S->days;
}

/* Choose the story children (about 1.5% of the county's children per story,
 * of the story's sex; siblings of victims and twins from the families that
 * have them) and make each story's adult. Runs on the story stream. */
static int assign_stories(synth *S, int np_county)
{
    for (int i = 0; i < np_county; i++) {
        person *p = &S->pp[i];
        if (p->is_adult || p->role != R_ORDINARY || p->confounder || p->story)
            continue;
        int st = -1;
        bool sib = false;
        for (int k = 0; k < S->nnet && !sib; k++)
            for (int c = 0; c < S->nets[k].nchildren; c++) {
                const person *v = &S->pp[S->nets[k].children[c]];
                if (v->hh == p->hh && S->nets[k].children[c] != i) {
                    sib = true;
                    p->story_other = S->nets[k].children[c];
                }
            }
        if (sib && chance(S, 0.8))
            st = ST_SIBLING;
        else if (p->twin_of >= 0 && !S->pp[p->twin_of].story &&
                 S->pp[p->twin_of].role == R_ORDINARY && story_fits(S, p, ST_TWINS) &&
                 chance(S, 0.9))
            st = ST_TWINS;
        else if (chance(S, 0.003)) { /* true stories: about 1 child in 330 */
            int fit[ST_N], nfit = 0;
            for (int k = ST_TRUE0; k < ST_N; k++)
                if (stories[k].gender == p->gender && story_fits(S, p, k))
                    fit[nfit++] = k;
            st = nfit ? fit[rnd(S, (uint32_t)nfit)] : -1;
        } else if (chance(S, 0.25)) {
            int fit[ST_N], nfit = 0;
            for (int k = 0; k < ST_TRUE0; k++)
                if (k != ST_SIBLING && k != ST_TWINS && stories[k].gender == p->gender &&
                    story_fits(S, p, k))
                    fit[nfit++] = k;
            st = nfit ? fit[rnd(S, (uint32_t)nfit)] : -1;
        }
        if (st < 0)
            continue;
        if (st == ST_TWINS)
            p->story_other = p->twin_of;
        p->story = (uint8_t)(st + 1);
        if (stories[st].exploited) { /* a victim of no network, in the truth's exploited */
            p->role = R_VICTIM;
            p->indicators = json_array();
            if (!p->indicators)
                return -1;
        }
        p->story_adult = -1;
        if (stories[st].adult_age > 0) {
            int a = make_person(S, true, st == 0 || st == 9 ? 'F' : 'M', p->hh,
                                (int)rnd(S, JD_ARRAY_LEN(ethnicities)), NULL);
            if (a < 0)
                return -1;
            p = &S->pp[i]; /* make_person may move S->pp */
            S->pp[a].dob = S->day0 - (int32_t)(365.25 * (stories[st].adult_age - 2)) -
                           (int32_t)rnd(S, 365);
            p->story_adult = a;
        }
    }
    return 0;
}

/* The story's records for child pi, from a day when the child is about the
 * story's age (none if that day is outside the period). */
static void story_life(synth *S, int pi)
{
    const story *st = &stories[S->pp[pi].story - 1];
    int32_t end = S->day0 + S->days;
    int32_t d0 = S->pp[pi].dob + (int32_t)(365.25 * st->age) + (int32_t)rnd(S, 200);
    if (d0 < S->day0)
        d0 = S->day0 + (int32_t)rnd(S, 200);
    if (d0 + 210 > end || age_on(&S->pp[pi], d0) > st->age + 2) {
        if (st->exploited) { /* not written after all: an ordinary child */
            S->pp[pi].role = R_ORDINARY;
            json_decref(S->pp[pi].indicators);
            S->pp[pi].indicators = NULL;
        }
        return;
    }
    S->pp[pi].began = d0;
    int adult = S->pp[pi].story_adult, other = S->pp[pi].story_other;
    char aname[64] = "", oname[32] = "";
    if (adult >= 0)
        snprintf(aname, sizeof aname, "%s %s", S->pp[adult].fore, S->pp[adult].sur);
    if (other >= 0)
        snprintf(oname, sizeof oname, "%s", S->pp[other].fore);
    for (size_t r = 0; r < st->nrec; r++) {
        const story_rec *x = &st->rec[r];
        int32_t day = d0 + x->day;
        event_spec e = base(S, x->a, x->type, day, pi, x->role ? x->role : "subject");
        int aage = adult >= 0 ? age_on(&S->pp[adult], day) : 40;
        snprintf(S->story_other, sizeof S->story_other, "%s", oname);
        e.narrative = fill(S, x->text, pi, aage, NULL, NULL, aname, day);
        e.grade = x->grade;
        if (!strcmp(x->type, "crime_report")) {
            e.crime = 1;
            e.crime_ref = "CR/story";
        }
        if (!strcmp(x->type, "missing_return"))
            e.minute = 18 * 60 + (int)rnd(S, 240);
        if (st->exploited) {
            e.victim = pi;
            e.ind[0] = x->ind[0];
            e.ind[1] = x->ind[1];
        }
        if (x->with && !strcmp(x->with, "sibling") && other >= 0)
            party_add(&e, other, "subject");
        else if (x->with && !strcmp(x->with, "driver") && adult >= 0)
            party_add(&e, adult, chance(S, 0.5) ? "associate" : "witness");
        else if (x->with && adult >= 0)
            party_add(&e, adult, x->with);
        emit(S, &e);
    }
    S->story_other[0] = '\0';
    S->pp[pi].story_done = 1;
}

/* S's options checked and the scenario's flags set; the start day into *st. */
static int check_options(synth *S, const char *outdir, jd_datetime *st, jd_error *err)
{
    if (!outdir || S->o.years < 1 || S->o.years > 40 || S->o.networks < 0 ||
        S->o.networks > 12 || S->o.children < 0 || S->o.children > 5000000 ||
        S->o.events < 0 || S->o.events > 100000000 ||
        (S->o.identity_noise != JD_SYNTH_NOISE_REALISTIC &&
         S->o.identity_noise != JD_SYNTH_NOISE_NONE) ||
        (S->o.confounders != JD_SYNTH_CONFOUNDERS_BASIC &&
         S->o.confounders != JD_SYNTH_CONFOUNDERS_STORIES))
        return jd_error_set(err, JD_EINVALID,
                            "options out of range (years 1-40, networks 0-12, children 0-5000000, "
                            "identity noise realistic or none)");
    S->oxford = S->o.scenario && !strcmp(S->o.scenario, "oxford");
    S->noise = S->o.identity_noise == JD_SYNTH_NOISE_REALISTIC;
    S->stories = S->o.confounders == JD_SYNTH_CONFOUNDERS_STORIES;
    if (S->o.scenario && !S->oxford && strcmp(S->o.scenario, "county"))
        return jd_error_set(err, JD_EINVALID, "unknown scenario (county or oxford)");
    if (!S->o.start || jd_norm__datetime(st, S->o.start, strlen(S->o.start)) != JD_OK)
        return jd_error_set(err, JD_EINVALID, "start must be a date YYYY-MM-DD");
    return JD_OK;
}

/* The exploitation networks, their adults and the children they exploit
 * (picked among the county's np_county people); -1 when out of memory. */
static int add_networks(synth *S, int first_child, int np_county, int32_t end)
{
    /* Exploitation networks. */
    int nnets = S->oxford ? 1 : S->o.networks;
    for (int k = 0; k < nnets; k++) {
        int nad = S->oxford ? 7 : 2 + (int)rnd(S, 4);
        int nch = S->oxford ? 6 : 2 + (int)rnd(S, 4);
        int32_t began = S->oxford ? date_day("2004-09-01")
                                  : rand_day(S, S->day0, S->day0 + S->days * 6 / 10);
        int32_t stop = S->oxford ? date_day("2011-06-30")
                                 : began + 365 + (int32_t)rnd(S, 365 * 3);
        if (stop > end)
            stop = end;
        int ni = make_network(S, nad, nch, began, stop, 1.0);
        if (ni < 0)
            return -1;
        netw *n = &S->nets[ni];
        for (int c = 0; c < nch; c++) {
            int32_t b = began + (int32_t)rnd(S, 240);
            int v = pick_victim(S, b, first_child, np_county);
            if (v < 0)
                break;
            person *p = &S->pp[v];
            p->role = R_VICTIM;
            p->network = (int8_t)ni;
            p->began = b;
            p->in_care = S->oxford ? c < 5 : chance(S, 0.6);
            p->indicators = json_array();
            if (S->oxford)
                p->gender = 'F';
            n->children[n->nchildren++] = v;
        }
    }
    return 0;
}

/* Three decoy professionals into decoys[]; -1 when out of memory. */
static int add_decoys(synth *S, int decoys[3])
{
    for (int d = 0; d < 3; d++) {
        decoys[d] = make_person(S, true, d == 0 ? 'F' : 'M', make_household(S),
                                (int)rnd(S, JD_ARRAY_LEN(ethnicities)), NULL);
        if (decoys[d] < 0)
            return -1;
        S->pp[decoys[d]].role = R_DECOY;
    }
    return 0;
}

/* Every event of the county, the networks and the stories, in the order
 * that keeps a seed's bundle byte for byte the same. */
static void write_lives(synth *S, int np_county, const int decoys[3], int32_t end)
{
    for (int i = 0; i < np_county; i++) {
        ordinary_life(S, i);
        if (S->pp[i].confounder)
            confounder_life(S, i);
        if (S->pp[i].in_care && S->pp[i].role != R_VICTIM && chance(S, 0.5)) {
            event_spec e = base(S, A_CSC, "placement_change", rand_day(S, S->day0, end), i,
                                "subject");
            e.narrative = "Placement started at a children's home.";
            emit(S, &e);
        }
    }
    for (int h = 0; S->noise && h < S->nhh; h++)
        if (S->hh[h].first >= 0)
            household_life(S, &S->hh[h]);
    for (int d = 0; d < 3; d++) {
        int kids[60], nk = 0;
        int want = 20 + (int)rnd(S, 40);
        for (int t = 0; t < 1000 && nk < want; t++) {
            int c = (int)rnd(S, (uint32_t)np_county);
            if (!S->pp[c].is_adult)
                kids[nk++] = c;
        }
        decoy_contacts(S, decoys[d], kids, nk);
    }
    for (int k = 0; k < S->nnet; k++) {
        netw *n = &S->nets[k];
        int32_t stop = S->oxford ? date_day("2011-06-30") : end;
        for (int c = 0; c < n->nchildren; c++) {
            person *p = &S->pp[n->children[c]];
            int32_t my_stop = S->oxford ? stop
                                        : p->began + 365 + (int32_t)rnd(S, 365 * 2);
            if (my_stop > end)
                my_stop = end;
            exploitation_life(S, n->children[c], n, p->began, my_stop, S->oxford ? 0.7 : 1.0);
        }
        if (S->oxford) {
            oxford_landmarks(S, n);
            oxford_volume(S, n, stop);
        }
    }
    if (S->stories) { /* after everything else: the county's bytes come first, unchanged */
        S->r = S->story_rng;
        for (int i = 0; i < np_county; i++)
            if (S->pp[i].story)
                story_life(S, i);
    }
}

/* The people written (with a ref or a sparse row), children and exploited. */
static void count_people(synth *S)
{
    S->st.people = 0;
    for (int i = 0; i < S->np; i++) {
        bool seen = S->pp[i].refs_used || S->pp[i].nsparse;
        if (seen)
            S->st.people++;
        if (!S->pp[i].is_adult && seen)
            S->st.children++;
        if (S->pp[i].role == R_VICTIM)
            S->st.exploited++;
    }
    S->st.networks = S->nnet;
}

int jd_synth_write(const char *outdir, const jd_synth_opts *opts, jd_synth_stats *stats,
                   jd_error *err)
{
    jd_synth_opts def = JD_SYNTH_OPTS_INIT;
    synth *S = calloc(1, sizeof *S);
    if (!S)
        return jd_oom(err);
    S->o = opts ? *opts : def;
    jd_datetime st;
    int rc = check_options(S, outdir, &st, err);
    if (rc < 0)
        goto out;
    S->day0 = (int32_t)((st.utc + 3600) / 86400);
    S->days = (int32_t)(S->o.years * 365.25);
    int nchildren = S->o.children;
    /* About 4.7 events per child, the family's included; 5.2 with the
     * household events of realistic identity noise (both measured). */
    if (S->o.events > 0)
        nchildren = (int)((double)S->o.events / (S->noise ? 5.2 : 4.7));
    if (nchildren < 50)
        nchildren = 50;
    jd_rng__seed(&S->r, S->o.seed);
    S->hh = malloc(sizeof *S->hh * (size_t)(nchildren * 2 + 512));
    S->unrec = json_array();
    S->left = json_array();
    S->blame = json_array();
    S->landmarks = json_object();
    if (!S->hh || !S->unrec || !S->left || !S->blame || !S->landmarks) {
        rc = jd_oom(err);
        goto out;
    }
    if (mkdir(outdir, 0755) != 0 && errno != EEXIST) {
        rc = jd_error_set_at(err, JD_EIO, outdir, 0, 0, "cannot create: %s", strerror(errno));
        goto out;
    }
    if ((S->noise ? build_county_real(S, nchildren) : build_county(S, nchildren)) < 0) {
        rc = jd_oom(err);
        goto out;
    }
    int first_child = 0, np_county = S->np;
    /* Vulnerable children who are not exploited. */
    for (int i = 0; i < np_county; i++)
        if (!S->pp[i].is_adult && chance(S, 0.12)) {
            S->pp[i].confounder = (uint8_t)(1 + rnd(S, C_N - 1));
            S->pp[i].in_care = S->pp[i].confounder == C_CARE_FAMILY;
        }
    int32_t end = S->day0 + S->days;
    int decoys[3];
    if (add_networks(S, first_child, np_county, end) < 0 || add_decoys(S, decoys) < 0) {
        rc = jd_oom(err);
        goto out;
    }
    if (S->stories) {
        jd_rng county = S->r;
        jd_rng__seed(&S->r, S->o.seed ^ 0x5703135ull);
        int arc = assign_stories(S, np_county);
        S->story_rng = S->r;
        S->r = county;
        if (arc < 0) {
            rc = jd_oom(err);
            goto out;
        }
    }
    S->sp_base = (uint32_t)S->np + 1000u; /* every person exists by now */
    if ((rc = open_files(S, outdir, err)) < 0)
        goto out;
    write_lives(S, np_county, decoys, end);
    if (close_files(S)) {
        rc = jd_error_set(err, JD_EIO, "cannot write the bundle");
        goto out;
    }
    if ((rc = write_truth(S, outdir, err)) < 0)
        goto out;
    count_people(S);
    if (stats)
        *stats = S->st;
out:
    close_files(S);
    for (int i = 0; S->pp && i < S->np; i++)
        json_decref(S->pp[i].indicators);
    free(S->pp);
    free(S->hh);
    free(S->sp);
    json_decref(S->unrec);
    json_decref(S->left);
    json_decref(S->blame);
    json_decref(S->landmarks);
    free(S);
    return rc;
}
