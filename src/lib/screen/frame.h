/*
 * Who a word names in a note (issue 14, long notes): the people a note
 * speaks of and the pronouns that point at them, resolved once per note in
 * one linear pass (frame.c) and read by every decision (offences, wording,
 * indicators) through screen.c's frame_* readers.
 *
 * screen.c describes each token by its kind (a pronoun by gender and case,
 * the first person, the child named, another person named, a verb of
 * speech) and whether it is inside quotation marks; jd_frame__resolve
 * writes per token whom it names: the child, another person, or unknown
 * (left to the older rules). What it decides:
 *   - a pronoun of the other gender than the note's child_gender is never
 *     the child ("she was sexually exploited when she was 14" in a note
 *     about a boy is his mother's account of herself);
 *   - inside the child's own quoted words ("Maddie said 'I'm scared for
 *     her, he makes her do stuff'"), "I", "me", "my" are the child and
 *     "she", "her" (the child's gender) someone else when the quotation is
 *     direct speech (it has "I", "me" or "my"); inside another
 *     person's quoted words ("Mum said 'he hit me'") "I" and "me" are that
 *     person. The speaker is the person named before the verb of speech
 *     that introduces the quotation in its sentence;
 *   - a chain of the child's gender's pronouns that starts at an adult
 *     woman named as her sentence's first person ("Mrs Dawn HEATON had a
 *     bleeding nose; her partner Wayne (41) had left") is hers from the
 *     next clause on (not in her own: "a woman has been buying her
 *     alcohol", nor after the child: "Jess told Miss Cole her fella is
 *     22"), until the child is named, another person is, or a sentence
 *     passes with no such pronoun.
 */
#ifndef JD_SCREEN_FRAME_H
#define JD_SCREEN_FRAME_H

#include <stddef.h>
#include <stdint.h>

/* JD_FR_WOMAN: another person too, an adult woman by the chain below; kept
 * apart because only wording reads it (offences fell on it: a woman who
 * reports or witnesses the act on the child, dev held-out .818/.847 ->
 * .816/.835). */
enum { JD_FR_UNKNOWN = 0, JD_FR_CHILD = 1, JD_FR_OTHER = 2, JD_FR_WOMAN = 3 };

enum {
    JD_FK_WORD = 0,
    JD_FK_SHE,    /* she, she's */
    JD_FK_HER,    /* her, herself (object or possessive) */
    JD_FK_HE,     /* he, he's */
    JD_FK_HIM,    /* him, himself */
    JD_FK_FIRST,  /* I, me, my, myself */
    JD_FK_CHILD,  /* the child's name, a word for the child ("the YP", "daughter") */
    JD_FK_OTHER,  /* another person named: "mum", "her friend", "Lola" */
    JD_FK_REPORT, /* a verb of speech: said, says, told, texted, shouted */
    JD_FK_PUNCT,  /* punctuation */
    JD_FK_WOMAN   /* an adult woman named: "Mrs HEATON", "Ms Dawn Reid", "a woman" */
};

/* What else a token is for the reference resolver (jd_frame__antecedents):
 * a person word that is no kind above ("a man", "the driver", "men"), an
 * adult by its word or age, plural, a possessor ("mum's"), an object pronoun
 * ("hit her", "at him"), "they"/"them". */
enum {
    JD_FF_PERSON = 1,
    JD_FF_ADULT = 2,
    JD_FF_PLURAL = 4,
    JD_FF_POSS = 8,
    JD_FF_OBJ = 16,
    JD_FF_THEY = 32,
    JD_FF_SUBJ = 64 /* its sentence's first mention, not after a preposition */
};

typedef struct jd_frame_tok {
    uint32_t sent;  /* sentence number */
    uint32_t clause; /* clause number (over the note, like sent) */
    uint8_t kind;   /* JD_FK_* */
    uint8_t quoted; /* inside quotation marks */
    uint8_t gender; /* of a person word: 'F', 'M' or 0 (either, or not a person) */
    uint8_t flags;  /* JD_FF_* */
} jd_frame_tok;

/* Writes who[i] (JD_FR_*) for each of the n tokens; child_gender 'F', 'M'
 * or 0 (unknown: no pronoun is decided by gender). Linear in n. */
void jd_frame__resolve(const jd_frame_tok *t, size_t n, char child_gender, uint8_t *who);

/* The note's people and whom each third-person pronoun refers to (issue 14,
 * scr-coref): a discourse model of the mentions (the child, another person
 * named or by a person word, a woman, an adult), and for each pronoun
 * (she, her, he, him, they, them) a mention before it (pick in frame.c),
 * never one of its own clause's earlier mentions ("Jason hit her": not
 * Jason), and the search stops at the first mention on the other side of a
 * quotation. A pronoun of the child's gender stays the child's (ante 0)
 * unless its own sentence opens with another person of that gender as the
 * subject, not a possessor ("Kelly's mum has scratches; states Jason threw a
 * plate at her": mum); a mention of the child, or a non-subject pronoun of
 * her gender, in between keeps it the child's. A pronoun of the other gender,
 * or "they", takes the nearest mention of its gender (or number) in its
 * sentence or the two before it, a possessor too ("mum's partner shouting at
 * her" about a boy: mum). A resolved pronoun is a mention
 * of its referent in turn (a chain). Writes ante[i] = 1 + the token of the
 * mention token i refers to (the first of its chain), 0 when i is no
 * pronoun or nothing compatible is near. Linear in n (a ring of the last 16
 * mentions). */
void jd_frame__antecedents(const jd_frame_tok *t, size_t n, char child_gender, uint32_t *ante);

/* What the mention at token m is: JD_FR_CHILD (the child named or a word for
 * the child), JD_FR_OTHER (another person named, a woman, an adult by its
 * word), or JD_FR_UNKNOWN (a pronoun left unresolved, "a girl"). */
int jd_frame__mention_who(const jd_frame_tok *t, size_t m);

#endif
