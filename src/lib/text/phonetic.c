/*
 * Double Metaphone. The name is copied, upper-cased, into a stack buffer
 * padded with PAD spaces, as the reference pads its string: several rules
 * look up to five bytes past the end and some of them test for a space
 * there ("Bach" codes its "ch" as K because a space follows it). Every
 * look-up goes through ch() and at(), which answer "no" outside the padded
 * buffer, so no rule can read past it.
 *
 * The rules below follow the reference C implementation one for one, in
 * its order, with its two intended behaviours where the C++ original
 * differs only by accident: an alternate of " " adds nothing to the
 * alternate code, and a look-up before the start of the name never
 * matches. Known differences from other ports, all deliberate:
 * - Apache commons-codec appends a space to the alternate of a final "j"
 *   ("raj" -> RJ / "R "), and tests "ier" rather than "ier " after "g";
 * - the Latin-1 bytes for C-cedilla and N-tilde are not coded: input is
 *   UTF-8 (where those bytes lead other letters) with accents already
 *   stripped by names.c, which makes them plain "c" and "n".
 * Codes are cut at append time rather than at the end, which gives the
 * same result because codes only ever grow.
 */
#include "text/phonetic.h"

#include <stdbool.h>
#include <string.h>

#define PAD 5

typedef struct dm {
    char s[JD_PHON_IN_MAX + PAD];
    int len, last; /* of the name, without the padding */
    bool slavo;    /* Slavic or Germanic: W, K, CZ or WITZ anywhere */
    char p[JD_PHON_MAX + 1], a[JD_PHON_MAX + 1];
    size_t pn, an, max;
} dm;

static char ch(const dm *d, int i)
{
    return i >= 0 && i < d->len + PAD ? d->s[i] : '\0';
}

static bool vowel(const dm *d, int i)
{
    char c = ch(d, i);
    return c == 'A' || c == 'E' || c == 'I' || c == 'O' || c == 'U' || c == 'Y';
}

/* Does any of the '|'-separated alternatives, all of one length, start at
 * position `at`? */
static bool at(const dm *d, int pos, const char *alts)
{
    size_t n = strcspn(alts, "|");
    if (pos < 0 || (size_t)pos + n > (size_t)d->len + PAD)
        return false;
    for (const char *p = alts;; p += n + 1) {
        if (!memcmp(d->s + pos, p, n))
            return true;
        if (p[n] != '|')
            return false;
    }
}

static void put(char *out, size_t *n, size_t max, const char *s)
{
    while (*s && *n < max)
        out[(*n)++] = *s++;
}

/* `primary` to the primary code and `alt` to the alternate one. */
static void add2(dm *d, const char *primary, const char *alt)
{
    put(d->p, &d->pn, d->max, primary);
    put(d->a, &d->an, d->max, alt);
}

static void add(dm *d, const char *both)
{
    add2(d, both, both);
}

static int code_c(dm *d, int i)
{
    /* various Germanic: "bacher", "macher", but not "-ache", "-achi" */
    if (i > 1 && !vowel(d, i - 2) && at(d, i - 1, "ACH") && ch(d, i + 2) != 'I' &&
        (ch(d, i + 2) != 'E' || at(d, i - 2, "BACHER|MACHER"))) {
        add(d, "K");
        return i + 2;
    }
    if (i == 0 && at(d, i, "CAESAR")) {
        add(d, "S");
        return i + 2;
    }
    if (at(d, i, "CHIA")) { /* Italian "chianti" */
        add(d, "K");
        return i + 2;
    }
    if (at(d, i, "CH")) {
        if (i > 0 && at(d, i, "CHAE")) { /* "michael" */
            add2(d, "K", "X");
            return i + 2;
        }
        /* Greek roots: "chemistry", "chorus", but not "chore" */
        if (i == 0 && (at(d, i + 1, "HARAC|HARIS") || at(d, i + 1, "HOR|HYM|HIA|HEM")) &&
            !at(d, 0, "CHORE")) {
            add(d, "K");
            return i + 2;
        }
        /* Germanic, Greek or otherwise "kh": "architect", "orchestra",
         * "wachtler", "wechsler", but not "arch" or "tichner" */
        if (at(d, 0, "VAN |VON ") || at(d, 0, "SCH") || at(d, i - 2, "ORCHES|ARCHIT|ORCHID") ||
            at(d, i + 2, "T|S") ||
            ((at(d, i - 1, "A|O|U|E") || i == 0) && at(d, i + 2, "L|R|N|M|B|H|F|V|W| ")))
            add(d, "K");
        else if (i > 0)
            add2(d, at(d, 0, "MC") ? "K" : "X", "K"); /* "McHugh" */
        else
            add(d, "X");
        return i + 2;
    }
    if (at(d, i, "CZ") && !at(d, i - 2, "WICZ")) { /* "czerny" */
        add2(d, "S", "X");
        return i + 2;
    }
    if (at(d, i + 1, "CIA")) { /* "focaccia" */
        add(d, "X");
        return i + 3;
    }
    if (at(d, i, "CC") && !(i == 1 && ch(d, 0) == 'M')) {   /* not "McClellan" */
        if (at(d, i + 2, "I|E|H") && !at(d, i + 2, "HU")) { /* "bellocchio", not "bacchus" */
            /* "accident", "accede", "succeed"; else Italian "bacci" */
            if ((i == 1 && ch(d, i - 1) == 'A') || at(d, i - 1, "UCCEE|UCCES"))
                add(d, "KS");
            else
                add(d, "X");
            return i + 3;
        }
        add(d, "K"); /* Pierce's rule */
        return i + 2;
    }
    if (at(d, i, "CK|CG|CQ")) {
        add(d, "K");
        return i + 2;
    }
    if (at(d, i, "CI|CE|CY")) { /* Italian or English */
        if (at(d, i, "CIO|CIE|CIA"))
            add2(d, "S", "X");
        else
            add(d, "S");
        return i + 2;
    }
    add(d, "K");
    if (at(d, i + 1, " C| Q| G")) /* "mac caffrey", "mac gregor" */
        return i + 3;
    if (at(d, i + 1, "C|K|Q") && !at(d, i + 1, "CE|CI"))
        return i + 2;
    return i + 1;
}

static int code_d(dm *d, int i)
{
    if (at(d, i, "DG")) {
        if (at(d, i + 2, "I|E|Y")) { /* "edge" */
            add(d, "J");
            return i + 3;
        }
        add(d, "TK"); /* "edgar" */
        return i + 2;
    }
    add(d, "T");
    return at(d, i, "DT|DD") ? i + 2 : i + 1;
}

static int code_gh(dm *d, int i)
{
    if (i > 0 && !vowel(d, i - 1)) {
        add(d, "K");
        return i + 2;
    }
    if (i == 0) { /* "ghislane", "ghiradelli" */
        add(d, ch(d, i + 2) == 'I' ? "J" : "K");
        return i + 2;
    }
    /* Parker's rule, refined: "hugh", "bough", "broughton" are silent */
    if ((i > 1 && at(d, i - 2, "B|H|D")) || (i > 2 && at(d, i - 3, "B|H|D")) ||
        (i > 3 && at(d, i - 4, "B|H")))
        return i + 2;
    /* "laugh", "McLaughlin", "cough", "gough", "rough", "tough" */
    if (i > 2 && ch(d, i - 1) == 'U' && at(d, i - 3, "C|G|L|R|T"))
        add(d, "F");
    else if (ch(d, i - 1) != 'I')
        add(d, "K");
    return i + 2;
}

static int code_g(dm *d, int i)
{
    if (ch(d, i + 1) == 'H')
        return code_gh(d, i);
    if (ch(d, i + 1) == 'N') {
        if (i == 1 && vowel(d, 0) && !d->slavo)
            add2(d, "KN", "N");
        else if (!at(d, i + 2, "EY") && !d->slavo) /* not "cagney" */
            add2(d, "N", "KN");
        else
            add(d, "KN");
        return i + 2;
    }
    if (at(d, i + 1, "LI") && !d->slavo) { /* "tagliaro" */
        add2(d, "KL", "L");
        return i + 2;
    }
    /* -ges-, -gep-, -gel-, -gie- at the start */
    if (i == 0 && (ch(d, i + 1) == 'Y' || at(d, i + 1, "ES|EP|EB|EL|EY|IB|IL|IN|IE|EI|ER"))) {
        add2(d, "K", "J");
        return i + 2;
    }
    /* -ger-, -gy- */
    if ((at(d, i + 1, "ER") || ch(d, i + 1) == 'Y') && !at(d, 0, "DANGER|RANGER|MANGER") &&
        !at(d, i - 1, "E|I") && !at(d, i - 1, "RGY|OGY")) {
        add2(d, "K", "J");
        return i + 2;
    }
    /* Italian "biaggi" */
    if (at(d, i + 1, "E|I|Y") || at(d, i - 1, "AGGI|OGGI")) {
        if (at(d, 0, "VAN |VON ") || at(d, 0, "SCH") || at(d, i + 1, "ET"))
            add(d, "K"); /* obviously Germanic */
        else if (at(d, i + 1, "IER "))
            add(d, "J"); /* always soft with a French ending */
        else
            add2(d, "J", "K");
        return i + 2;
    }
    add(d, "K");
    return ch(d, i + 1) == 'G' ? i + 2 : i + 1;
}

static int code_j(dm *d, int i)
{
    /* obviously Spanish: "jose", "san jacinto" */
    if (at(d, i, "JOSE") || at(d, 0, "SAN ")) {
        if ((i == 0 && ch(d, i + 4) == ' ') || at(d, 0, "SAN "))
            add(d, "H");
        else
            add2(d, "J", "H");
        return i + 1;
    }
    if (i == 0)
        add2(d, "J", "A"); /* Yankelovich / Jankelowicz */
    else if (vowel(d, i - 1) && !d->slavo && (ch(d, i + 1) == 'A' || ch(d, i + 1) == 'O'))
        add2(d, "J", "H"); /* Spanish "bajador" */
    else if (i == d->last)
        add2(d, "J", "");
    else if (!at(d, i + 1, "L|T|K|S|N|M|B|Z") && !at(d, i - 1, "S|K|L"))
        add(d, "J");
    return ch(d, i + 1) == 'J' ? i + 2 : i + 1;
}

static int code_l(dm *d, int i)
{
    if (ch(d, i + 1) != 'L') {
        add(d, "L");
        return i + 1;
    }
    /* Spanish "cabrillo", "gallegos": no L in the alternate */
    if ((i == d->len - 3 && at(d, i - 1, "ILLO|ILLA|ALLE")) ||
        ((at(d, d->last - 1, "AS|OS") || at(d, d->last, "A|O")) && at(d, i - 1, "ALLE")))
        add2(d, "L", "");
    else
        add(d, "L");
    return i + 2;
}

static int code_s(dm *d, int i)
{
    if (at(d, i - 1, "ISL|YSL")) /* "island", "isle", "carlisle", "carlysle" */
        return i + 1;
    if (i == 0 && at(d, i, "SUGAR")) {
        add2(d, "X", "S");
        return i + 1;
    }
    if (at(d, i, "SH")) {
        add(d, at(d, i + 1, "HEIM|HOEK|HOLM|HOLZ") ? "S" : "X"); /* Germanic */
        return i + 2;
    }
    if (at(d, i, "SIO|SIA") || at(d, i, "SIAN")) { /* Italian and Armenian */
        if (d->slavo)
            add(d, "S");
        else
            add2(d, "S", "X");
        return i + 3;
    }
    /* German and anglicised: "smith" meets "schmidt", "snider" "schneider";
     * Slavic -sz- (though Hungarian says "s") */
    if ((i == 0 && at(d, i + 1, "M|N|L|W")) || at(d, i + 1, "Z")) {
        add2(d, "S", "X");
        return at(d, i + 1, "Z") ? i + 2 : i + 1;
    }
    if (at(d, i, "SC")) {
        if (ch(d, i + 2) == 'H') {                   /* Schlesinger's rule */
            if (at(d, i + 3, "OO|ER|EN|UY|ED|EM")) { /* Dutch "school", "schooner" */
                if (at(d, i + 3, "ER|EN"))
                    add2(d, "X", "SK"); /* "schermerhorn", "schenker" */
                else
                    add(d, "SK");
            } else if (i == 0 && !vowel(d, 3) && ch(d, 3) != 'W') {
                add2(d, "X", "S");
            } else {
                add(d, "X");
            }
            return i + 3;
        }
        add(d, at(d, i + 2, "I|E|Y") ? "S" : "SK");
        return i + 3;
    }
    if (i == d->last && at(d, i - 2, "AI|OI")) /* French "resnais", "artois" */
        add2(d, "", "S");
    else
        add(d, "S");
    return at(d, i + 1, "S|Z") ? i + 2 : i + 1;
}

static int code_t(dm *d, int i)
{
    if (at(d, i, "TION") || at(d, i, "TIA|TCH")) {
        add(d, "X");
        return i + 3;
    }
    if (at(d, i, "TH") || at(d, i, "TTH")) {
        /* "thomas", "thames", or Germanic */
        if (at(d, i + 2, "OM|AM") || at(d, 0, "VAN |VON ") || at(d, 0, "SCH"))
            add(d, "T");
        else
            add2(d, "0", "T");
        return i + 2;
    }
    add(d, "T");
    return at(d, i + 1, "T|D") ? i + 2 : i + 1;
}

static int code_w(dm *d, int i)
{
    if (at(d, i, "WR")) { /* also inside a name */
        add(d, "R");
        return i + 2;
    }
    /* "Wasserman" meets "Vasserman", "Uomo" "Womo"; no return: the rules
     * below still apply (as in the reference) */
    if (i == 0 && (vowel(d, i + 1) || at(d, i, "WH")))
        add2(d, "A", vowel(d, i + 1) ? "F" : "A");
    /* "Arnow" meets "Arnoff" */
    if ((i == d->last && vowel(d, i - 1)) || at(d, i - 1, "EWSKI|EWSKY|OWSKI|OWSKY") ||
        at(d, 0, "SCH")) {
        add2(d, "", "F");
        return i + 1;
    }
    if (at(d, i, "WICZ|WITZ")) { /* Polish "filipowicz" */
        add2(d, "TS", "FX");
        return i + 4;
    }
    return i + 1;
}

static int code_x(dm *d, int i)
{
    /* French "breaux" */
    if (!(i == d->last && (at(d, i - 3, "IAU|EAU") || at(d, i - 2, "AU|OU"))))
        add(d, "KS");
    return at(d, i + 1, "C|X") ? i + 2 : i + 1;
}

static int code_z(dm *d, int i)
{
    if (ch(d, i + 1) == 'H') { /* Chinese pinyin "zhao" */
        add(d, "J");
        return i + 2;
    }
    if (at(d, i + 1, "ZO|ZI|ZA") || (d->slavo && i > 0 && ch(d, i - 1) != 'T'))
        add2(d, "S", "TS");
    else
        add(d, "S");
    return ch(d, i + 1) == 'Z' ? i + 2 : i + 1;
}

/* One letter that codes as `code` and absorbs a doubled `twin`. */
static int simple(dm *d, int i, const char *code, char twin)
{
    add(d, code);
    return ch(d, i + 1) == twin ? i + 2 : i + 1;
}

size_t jd_phon__double_metaphone_n(const char *in, size_t len, size_t maxlen,
                                   char primary[JD_PHON_MAX + 1], char alternate[JD_PHON_MAX + 1])
{
    dm d;
    d.pn = d.an = 0;
    d.max = maxlen < 1 ? 1 : maxlen > JD_PHON_MAX ? JD_PHON_MAX : maxlen;
    if (!in)
        len = 0;
    d.len = (int)(len > JD_PHON_IN_MAX ? JD_PHON_IN_MAX : len);
    d.last = d.len - 1;
    for (int k = 0; k < d.len; k++) {
        char c = in[k];
        d.s[k] = c >= 'a' && c <= 'z' ? (char)(c - 'a' + 'A') : c;
    }
    memset(d.s + d.len, ' ', PAD);
    d.slavo = false;
    for (int k = 0; k < d.len && !d.slavo; k++)
        d.slavo = d.s[k] == 'W' || d.s[k] == 'K' || at(&d, k, "CZ");
    /* ("WITZ" holds a W, so it needs no test of its own.) */

    int i = 0;
    if (at(&d, 0, "GN|KN|PN|WR|PS")) /* silent at the start */
        i = 1;
    if (ch(&d, 0) == 'X') { /* "Xavier": Z, which codes as S */
        add(&d, "S");
        i = 1;
    }
    while ((d.pn < d.max || d.an < d.max) && i < d.len) {
        switch (d.s[i]) {
        case 'A':
        case 'E':
        case 'I':
        case 'O':
        case 'U':
        case 'Y':
            if (i == 0) /* every initial vowel codes as A */
                add(&d, "A");
            i++;
            break;
        case 'B':
            i = simple(&d, i, "P", 'B'); /* "-mb" as in "dumb" was skipped by M */
            break;
        case 'C':
            i = code_c(&d, i);
            break;
        case 'D':
            i = code_d(&d, i);
            break;
        case 'F':
            i = simple(&d, i, "F", 'F');
            break;
        case 'G':
            i = code_g(&d, i);
            break;
        case 'H': /* kept only first or between vowels, and before a vowel */
            if ((i == 0 || vowel(&d, i - 1)) && vowel(&d, i + 1)) {
                add(&d, "H");
                i += 2;
            } else {
                i++;
            }
            break;
        case 'J':
            i = code_j(&d, i);
            break;
        case 'K':
            i = simple(&d, i, "K", 'K');
            break;
        case 'L':
            i = code_l(&d, i);
            break;
        case 'M': /* "dumb", "thumb", "plumber" */
            add(&d, "M");
            i += (at(&d, i - 1, "UMB") && (i + 1 == d.last || at(&d, i + 2, "ER"))) ||
                         ch(&d, i + 1) == 'M'
                     ? 2
                     : 1;
            break;
        case 'N':
            i = simple(&d, i, "N", 'N');
            break;
        case 'P':
            if (ch(&d, i + 1) == 'H') {
                add(&d, "F");
                i += 2;
            } else {
                add(&d, "P"); /* "campbell", "raspberry" */
                i += at(&d, i + 1, "P|B") ? 2 : 1;
            }
            break;
        case 'Q':
            i = simple(&d, i, "K", 'Q');
            break;
        case 'R':
            /* French "rogier", but not "hochmeier" */
            if (i == d.last && !d.slavo && at(&d, i - 2, "IE") && !at(&d, i - 4, "ME|MA"))
                add2(&d, "", "R");
            else
                add(&d, "R");
            i += ch(&d, i + 1) == 'R' ? 2 : 1;
            break;
        case 'S':
            i = code_s(&d, i);
            break;
        case 'T':
            i = code_t(&d, i);
            break;
        case 'V':
            i = simple(&d, i, "F", 'V');
            break;
        case 'W':
            i = code_w(&d, i);
            break;
        case 'X':
            i = code_x(&d, i);
            break;
        case 'Z':
            i = code_z(&d, i);
            break;
        default: /* spaces, digits, bytes of other scripts */
            i++;
            break;
        }
    }
    memcpy(primary, d.p, d.pn);
    primary[d.pn] = '\0';
    memcpy(alternate, d.a, d.an);
    alternate[d.an] = '\0';
    return d.pn;
}

size_t jd_phon__double_metaphone(const char *in, size_t len, char primary[JD_PHON_MAX + 1],
                                 char alternate[JD_PHON_MAX + 1])
{
    return jd_phon__double_metaphone_n(in, len, JD_PHON_LEN, primary, alternate);
}
