/*
 * Word families by meaning for the wording model (model.h, jd_sm__lex_*):
 * the core senses of DOMAIN.md §6's rows and of the labelling guide's
 * definitions, each with its written forms (every inflection listed, not
 * stemmed: Snowball folds "willingly" into "will") and two-word frames
 * ("own accord", "free will"). Written from the guide and the rows'
 * meanings, never from the corpora's notes. A family is one sense, shared
 * by the slugs that need it (choice: lifestyle_choice and own_accord), so
 * the model learns one weight per slug and sense over every writer's forms:
 * a writer's "revelling" weighs with another's "enjoys".
 */
#include "screen/model.h"

#include <string.h>

static const struct {
    const char *name;
    const char *words; /* space-separated; '+' joins a two-word frame */
} lex[] = {
    {"volition", "willing willingly willingness voluntary voluntarily freely readily gladly happily "
                 "eager eagerly keen keenly unforced unprompted unpressured wanted wanting wants "
                 "own+accord own+volition free+will own+steam own+choosing own+back own+terms"},
    {"choice", "choice choices choose chooses chose choosing chosen decide decides decided deciding "
               "decision decisions opt opts opted opting elect elects elected prefer prefers "
               "preferred preference picks picked picking"},
    {"consent", "consent consents consented consenting consensual agree agrees agreed agreeing "
                "agreement permission permitted allowed allowing acquiesce acquiesced complicit "
                "participant participated participating went+along said+yes objected objection "
                "resisted protested unwilling"},
    {"pleasure", "enjoy enjoys enjoyed enjoying enjoyment likes loves loved relish relishes "
                 "relished relishing revel revels revelled revelling reveling thrive thrives "
                 "thrived thriving delight delights delighted buzz thrill thrills thrilled "
                 "excitement exciting excited flattered flattery spoilt spoiled treats treated "
                 "attention gifts presents pleasure"},
    {"competence", "streetwise streetsmart savvy worldly mature maturity wise canny shrewd sussed "
                   "clued sharp tough capable aware knowing knows headstrong wilful willful "
                   "own+mind handle+herself handle+himself look+after take+care full+well"},
    {"self_risk", "risky risking reckless recklessly dangerous endanger endangers endangering "
                  "endangered hazardous chances gamble gambling harm+s own+safety own+risk "
                  "herself+at himself+at exposing+herself exposing+himself"},
    {"lifestyle", "lifestyle lifestyles life path chaotic behaviour behaviours behavior behaviors "
                  "fast+life high+life party+girl way+of"},
    {"trade", "exchange exchanged exchanging exchanges trade trades traded trading swap swapped "
              "swapping barter bartered payment pay pays paid paying earn earns earned favours "
              "favors debt debts owe owes owed in+return in+kind pay+off"},
    {"sex_work", "prostitute prostitutes prostituting prostituted prostitution escort escorting "
                 "escorts punter punters client clients hooker hooking soliciting solicit "
                 "streetwalking brothel working+girl sex+work sex+worker selling+sex "
                 "selling+herself selling+himself sells touting renter renters hustler hustling "
                 "rent+boy"},
    {"sexual_trait", "promiscuous promiscuity easy loose available availability reputation "
                     "partners precocious slag slut tart sleeps+around sleeping+around "
                     "sexually+active sexually+experienced bed+hopping puts+herself gets+around"},
    {"relationship", "boyfriend boyfriends girlfriend relationship relationships dating courting "
                     "lover lovers affair romance romantic romantically couple item fling "
                     "going+out in+love seeing+him seeing+each"},
    {"seeking", "contacting contacted messaging messaged texting texted seeking seeks sought "
                "approaching approached initiating initiated initiates pursuing pursued chasing "
                "chased adding friending flirting flirts flirted snapchatting reaching+out "
                "reached+out looking+for in+touch"},
    {"blame", "fault blame blamed responsible responsibility deserved deserves deserve invited "
              "inviting provoked provoking provocative encouraged encouraging egged asking+for "
              "asked+for brought+it brings+it own+doing own+making known+better led+them "
              "led+him"},
    {"escape", "absconded absconds abscond absconding absconder awol bolted bolting escaped escape "
               "escapes fled fleeing legged scarpered runner runaway walkabout ran+off ran+away "
               "took+off"},
    {"recruitment", "recruiting recruits recruited recruit recruiter recruitment introducing "
                    "introduces introduced introduce procuring procure enlist roped other+girls "
                    "younger+girls her+friends rope+in go+between"},
    {"disengagement", "refused refuses refusing refusal refuse engage engaging engagement "
                      "disengaged disengaging disengage noncompliant uncooperative reluctant "
                      "reluctance resistant resisting resistance avoidant avoids avoiding avoided "
                      "declined declines declining evasive hostile guarded ignoring ignores ignored "
                      "stonewalls obstructive uncommunicative non+compliant shuts+down "
                      "hard+to"},
    {"uncontrolled", "uncontrollable unmanageable unruly wild feral defiant ungovernable "
                     "unboundaried riot amok of+control beyond+control parental+control "
                     "law+unto rings+round"},
    {"experiment", "experimenting experiment experimented experimentation exploring explore "
                   "explored exploration curious curiosity discovering discovery sexuality "
                   "awakening trying+things trying+out"},
    {"sex_act", "performed performs performing intimate intimacy oral had+sex having+sex has+sex "
                "slept+with sleeping+with sleeps+with hooked+up hooking+up sexual+relationship "
                "sexual+activity"},
    /* the writer's stance: naming the abuse, or reporting another's words */
    {"reframe", "groomed grooming exploited exploitation exploiting exploiter coerced coercion "
                "coercive manipulated manipulation victim abused abuse abuser abusers duress "
                "trafficked targeted power+imbalance cannot+consent victim+blaming"},
    {"reported", "says said states stated reports reported describes described claims claimed "
                 "told tells calls called according+to her+words his+words"},
};

size_t jd_sm__lex_count(void)
{
    return JD_ARRAY_LEN(lex);
}

const char *jd_sm__lex_name(size_t i)
{
    return i < JD_ARRAY_LEN(lex) ? lex[i].name : "";
}

int jd_sm__lex_build(jd_strmap *map)
{
    for (size_t i = 0; i < JD_ARRAY_LEN(lex); i++) {
        const char *p = lex[i].words;
        while (*p) {
            size_t n = strcspn(p, " ");
            char w[64];
            size_t k = n < sizeof w ? n : sizeof w - 1;
            memcpy(w, p, k);
            for (size_t j = 0; j < k; j++)
                w[j] = w[j] == '+' ? ' ' : w[j]; /* a frame: "own accord" */
            bool added;
            uint32_t *v = jd_strmap_put(map, w, k, 0, &added);
            if (!v)
                return JD_ENOMEM;
            *v |= 1u << i;
            p += n;
            while (*p == ' ')
                p++;
        }
    }
    return JD_OK;
}
