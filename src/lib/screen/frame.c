/* Who a word names in a note: see frame.h. */
#include "screen/frame.h"

#include <stdbool.h>
#include <string.h>

/* The speaker of the quotation that starts at token a: the person named
 * before the verb of speech that introduces it in its sentence ("Maddie said
 * '...'", "Mum told me: '...'"), at most five words before it; JD_FK_WORD when
 * there is none or it is a pronoun (whose own reference is another matter). */
static int speaker_of(const jd_frame_tok *t, size_t a, char g)
{
    size_t j = a, words = 0, back = 0;
    bool report = false;
    while (j-- > 0 && t[j].sent == t[a].sent && !t[j].quoted) {
        if (t[j].kind == JD_FK_PUNCT)
            continue;
        if (!report) {
            /* the nearest verb of speech before it in its sentence, at most
             * 30 words back (bounded: linear in the note): "said to staff
             * '...'", "said that her friend's dad came in and '...'" */
            report = t[j].kind == JD_FK_REPORT;
            if (!report && ++back > 30)
                break;
            continue;
        }
        if (++words > 12)
            break;
        if (words > 3 && (t[j].kind == JD_FK_WORD || t[j].kind == JD_FK_FIRST))
            continue; /* "Amelia (12) came home from a sleepover and said" */
        switch (t[j].kind) {
        case JD_FK_CHILD:
            return JD_FK_CHILD;
        case JD_FK_OTHER:
            return JD_FK_OTHER;
        case JD_FK_SHE:
            return g == 'M' ? JD_FK_OTHER : JD_FK_WORD;
        case JD_FK_HE:
            return g == 'F' ? JD_FK_OTHER : JD_FK_WORD;
        case JD_FK_WORD:
            continue; /* "Maddie then said", "Mum has told" */
        default:
            return JD_FK_WORD;
        }
    }
    return JD_FK_WORD;
}

void jd_frame__resolve(const jd_frame_tok *t, size_t n, char g, uint8_t *who)
{
    if (g != 'F' && g != 'M')
        g = 0;
    int speaker = JD_FK_WORD; /* of the quotation the current token is in */
    bool woman = false;       /* the chain of "she", "her" is an adult woman's */
    uint32_t chain_sent = 0;  /* the sentence of the chain's last link */
    uint32_t woman_clause = 0; /* the clause where the woman is named */
    uint32_t child_sent = UINT32_MAX; /* the last sentence that names the child */
    bool direct = false;      /* that quotation has "I", "me" or "my": direct speech */
    for (size_t i = 0; i < n; i++) {
        const jd_frame_tok *k = &t[i];
        if (k->quoted && (i == 0 || !t[i - 1].quoted || t[i - 1].sent != k->sent)) {
            speaker = speaker_of(t, i, g);
            direct = false; /* the quotation's words, once: linear */
            for (size_t j = i; j < n && t[j].quoted && t[j].sent == k->sent && !direct; j++)
                direct = t[j].kind == JD_FK_FIRST;
        } else if (!k->quoted)
            speaker = JD_FK_WORD;
        uint8_t w = JD_FR_UNKNOWN;
        bool she = k->kind == JD_FK_SHE || k->kind == JD_FK_HER;
        bool he = k->kind == JD_FK_HE || k->kind == JD_FK_HIM;
        if ((g == 'M' && she) || (g == 'F' && he))
            w = JD_FR_OTHER;
        else if (k->quoted && speaker == JD_FK_CHILD)
            /* in her own words she is "I"; a quotation without "I" may be her
             * words told in the third person ('feels "nobody likes her"') */
            w = k->kind == JD_FK_FIRST                 ? JD_FR_CHILD
                : direct && ((g == 'F' && she) || (g == 'M' && he)) ? JD_FR_OTHER
                                                                   : JD_FR_UNKNOWN;
        else if (k->quoted && speaker == JD_FK_OTHER && k->kind == JD_FK_FIRST)
            w = JD_FR_OTHER;
        /* the last compatible mention: a woman named starts a chain of the
         * girl's pronouns outside quotations; the child or another person
         * named ends it, and so does a sentence without a link */
        if (!k->quoted && g != 'M') {
            if (woman && k->sent > chain_sent + 1)
                woman = false;
            if (k->kind == JD_FK_WOMAN) {
                woman = child_sent != k->sent; /* her sentence's first person */
                chain_sent = k->sent;
                woman_clause = k->clause;
            } else if (k->kind == JD_FK_CHILD) {
                woman = false;
                child_sent = k->sent;
            } else if (k->kind == JD_FK_OTHER && !(woman && k->clause == woman_clause)) {
                woman = false; /* not "the occupant, Mrs HEATON": her apposition */
            } else if (woman && she && k->clause != woman_clause) {
                w = JD_FR_WOMAN;
                chain_sent = k->sent;
            }
        }
        who[i] = w;
    }
}

static bool is_pronoun(const jd_frame_tok *k)
{
    return k->kind == JD_FK_SHE || k->kind == JD_FK_HER || k->kind == JD_FK_HE ||
           k->kind == JD_FK_HIM || (k->flags & JD_FF_THEY);
}

static bool is_mention(const jd_frame_tok *k)
{
    return k->kind == JD_FK_CHILD || k->kind == JD_FK_OTHER || k->kind == JD_FK_WOMAN ||
           (k->flags & JD_FF_PERSON);
}

/* A mention's gender: a pronoun's own, the child's for the child, a woman's. */
static char mention_gender(const jd_frame_tok *k, char g)
{
    switch (k->kind) {
    case JD_FK_SHE:
    case JD_FK_HER:
        return 'F';
    case JD_FK_HE:
    case JD_FK_HIM:
        return 'M';
    case JD_FK_CHILD:
        return g;
    case JD_FK_WOMAN:
        return k->gender == 'F' ? 'F' : 0; /* not "missing", which stems like "miss" */
    default:
        return (char)k->gender;
    }
}

int jd_frame__mention_who(const jd_frame_tok *t, size_t m)
{
    const jd_frame_tok *k = &t[m];
    if (k->kind == JD_FK_CHILD)
        return JD_FR_CHILD;
    if (k->kind == JD_FK_OTHER || k->kind == JD_FK_WOMAN || (k->flags & JD_FF_ADULT))
        return JD_FR_OTHER;
    return JD_FR_UNKNOWN;
}

enum { RING = 16 };

/* The roots of the mentions its own clause names before the object pronoun
 * at i: never its referent ("the man ... He touched him": not the man). */
static size_t own_clause(const jd_frame_tok *t, size_t i, const uint32_t *ring,
                         const uint32_t *root, size_t nr, size_t head, uint32_t *own)
{
    size_t nown = 0;
    for (size_t q = 0; q < nr && q < RING && (t[i].flags & JD_FF_OBJ); q++) {
        size_t at = (head + RING - 1 - q) % RING;
        if (t[ring[at] - 1].clause != t[i].clause)
            break;
        /* not a possessor ("mum's partner shouting at her") nor another
         * object ("shouting at her ... would kill her") */
        if (!(t[ring[at] - 1].flags & (JD_FF_POSS | JD_FF_OBJ)))
            own[nown++] = root[at];
    }
    return nown;
}

/* The referent of the pronoun at i among the ring's mentions (newest
 * first): ring[q] holds 1 + a mention's token, root[q] its chain's first
 * mention. A pronoun of the child's gender is the child's unless its own
 * sentence opens with another person of that gender as its subject
 * ("Kelly's mum has scratches; states Jason threw a plate at her"); a
 * mention of the child or a pronoun of its gender between them keeps it the
 * child's. A pronoun of the other gender, or "they", takes the nearest
 * mention of its gender or number in its sentence or the two before,
 * possessors too ("mum's partner shouting at her" about a boy). A mention
 * of either gender ("her friend", "someone", a name) is taken by neither. */
static uint32_t pick(const jd_frame_tok *t, size_t i, char g, const uint32_t *ring,
                     const uint32_t *root, size_t nr, size_t head)
{
    const jd_frame_tok *p = &t[i];
    char pg = mention_gender(p, g);
    bool plural = (p->flags & JD_FF_THEY) != 0;
    bool own_gender = !plural && (!g || pg == g);
    uint32_t own[RING];
    size_t nown = own_clause(t, i, ring, root, nr, head, own);
    for (size_t q = 0; q < nr && q < RING; q++) {
        size_t at = (head + RING - 1 - q) % RING;
        const jd_frame_tok *m = &t[ring[at] - 1];
        if (m->sent + (own_gender ? 0 : 2) < p->sent || m->quoted != p->quoted)
            break;
        bool same = false;
        for (size_t o = 0; o < nown && !same; o++)
            same = own[o] == root[at];
        if (same)
            continue;
        char mg = mention_gender(m, g);
        if (own_gender) {
            if (m->kind == JD_FK_CHILD || ((m->kind == JD_FK_SHE || m->kind == JD_FK_HER ||
                                            m->kind == JD_FK_HE || m->kind == JD_FK_HIM) &&
                                           mg == pg && !(m->flags & JD_FF_SUBJ)))
                return 0; /* the child since */
            if (mg == pg && (m->flags & JD_FF_SUBJ) && !(m->flags & JD_FF_POSS))
                return root[at];
            continue;
        }
        if (((m->flags & (JD_FF_PLURAL | JD_FF_THEY)) != 0) != plural)
            continue;
        if (plural || mg == pg)
            return root[at];
    }
    return 0;
}

void jd_frame__antecedents(const jd_frame_tok *t, size_t n, char g, uint32_t *ante)
{
    if (g != 'F' && g != 'M')
        g = 0;
    uint32_t ring[RING], root[RING];
    size_t nr = 0, head = 0;
    for (size_t i = 0; i < n; i++) {
        const jd_frame_tok *k = &t[i];
        ante[i] = 0;
        uint32_t r = (uint32_t)i + 1;
        if (is_pronoun(k)) {
            if (k->kind == JD_FK_HER && !(k->flags & JD_FF_OBJ))
                continue; /* "her" before a noun: a possessive, no mention */
            uint32_t a = pick(t, i, g, ring, root, nr, head);
            ante[i] = a;
            if (a)
                r = a;
        } else if (!is_mention(k))
            continue;
        ring[head] = (uint32_t)i + 1;
        root[head] = r;
        head = (head + 1) % RING;
        nr++;
    }
}
