/* Common misspellings of the words that disclose an offence, written by
 * family (the act, the injury, the threat, the image, the drug, the body, the
 * missing child), each checked to be no English word itself. */
#include "screen/misspell.h"

const char *const jd_screen_misspell[][2] = {
    /* sexual acts and their words */
    {"touchd", "touched"}, {"tuched", "touched"}, {"toched", "touched"},
    {"touchin", "touching"}, {"tuching", "touching"}, {"sexualy", "sexually"},
    {"sexully", "sexually"}, {"sexuly", "sexually"}, {"sexualli", "sexually"},
    {"sexuall", "sexual"}, {"seksual", "sexual"}, {"sexx", "sex"}, {"seks", "sex"},
    {"sleepin", "sleeping"}, {"slepping", "sleeping"}, {"sleped", "slept"},
    {"raiped", "raped"}, {"rapeing", "raping"}, {"groomd", "groomed"},
    {"groomin", "grooming"}, {"grommed", "groomed"}, {"gromed", "groomed"},
    {"exploted", "exploited"}, {"explioted", "exploited"}, {"exploitd", "exploited"},
    {"explotation", "exploitation"}, {"exploitaton", "exploitation"},
    {"abussed", "abused"}, {"abuesd", "abused"}, {"abussing", "abusing"},
    {"assualted", "assaulted"}, {"assulted", "assaulted"}, {"asaulted", "assaulted"},
    {"assalted", "assaulted"}, {"assualt", "assault"}, {"assult", "assault"},
    {"molestd", "molested"}, {"fingerd", "fingered"}, {"forcd", "forced"},
    {"forsed", "forced"}, {"inapropriate", "inappropriate"},
    {"inappropiate", "inappropriate"}, {"innapropriate", "inappropriate"},
    {"inapropriately", "inappropriately"}, {"innapropriately", "inappropriately"},
    {"inappropiately", "inappropriately"}, {"indesent", "indecent"},
    {"indecant", "indecent"}, {"explisit", "explicit"}, {"privites", "privates"},
    {"privats", "privates"}, {"breats", "breasts"}, {"pregnent", "pregnant"},
    {"pregant", "pregnant"}, {"pregnat", "pregnant"}, {"prostitue", "prostitute"},
    {"prosititute", "prostitute"}, {"prostition", "prostitution"},
    {"prostituion", "prostitution"}, {"prostitition", "prostitution"},
    {"pimpd", "pimped"}, {"pimpin", "pimping"}, {"escourt", "escort"},
    {"escourting", "escorting"}, {"conscent", "consent"},
    /* images and messages */
    {"nudez", "nudes"}, {"nudess", "nudes"}, {"noodz", "nudes"}, {"phots", "photos"},
    {"fotos", "photos"}, {"vidz", "videos"}, {"messeges", "messages"},
    {"messags", "messages"}, {"mesages", "messages"}, {"messeged", "messaged"},
    {"snapchated", "snapchatted"},
    /* blows and injuries */
    {"punchd", "punched"}, {"punshed", "punched"}, {"puched", "punched"},
    {"kickd", "kicked"}, {"slaped", "slapped"}, {"slappd", "slapped"},
    {"strangld", "strangled"}, {"strangeled", "strangled"}, {"stragled", "strangled"},
    {"bruse", "bruise"}, {"bruize", "bruise"}, {"brusing", "bruising"},
    {"bruseing", "bruising"}, {"brused", "bruised"}, {"injurys", "injuries"},
    /* threats, harassment, keeping and moving */
    {"threatend", "threatened"}, {"threatned", "threatened"}, {"thretened", "threatened"},
    {"threatning", "threatening"}, {"thretening", "threatening"}, {"harrass", "harass"},
    {"harrassing", "harassing"}, {"harrassed", "harassed"}, {"harrasment", "harassment"},
    {"harrassment", "harassment"}, {"harasment", "harassment"}, {"lockd", "locked"},
    {"kidnaped", "kidnapped"}, {"kidnappd", "kidnapped"}, {"trafficed", "trafficked"},
    {"traficked", "trafficked"}, {"trafiked", "trafficked"}, {"trafficing", "trafficking"},
    {"traficking", "trafficking"},
    /* drink and drugs */
    {"drugz", "drugs"}, {"drugd", "drugged"}, {"druged", "drugged"}, {"spikd", "spiked"},
    {"alchohol", "alcohol"}, {"alcahol", "alcohol"}, {"achohol", "alcohol"},
    {"canabis", "cannabis"}, {"cannibis", "cannabis"}, {"cocain", "cocaine"},
    {"herion", "heroin"}, {"ketamin", "ketamine"}, {"unconcious", "unconscious"},
    {"unconsious", "unconscious"},
    /* Scots and northern forms of the words around a message or an age */
    {"aboot", "about"}, {"yere", "youre"},
    /* missing */
    {"mising", "missing"}, {"absconed", "absconded"}, {"abscounded", "absconded"},
};

const size_t jd_screen_nmisspell = sizeof jd_screen_misspell / sizeof jd_screen_misspell[0];
