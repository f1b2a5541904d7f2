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
