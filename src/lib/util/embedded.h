/* Data files compiled into the library (see embedded_data in meson.build). */
#ifndef JD_EMBEDDED_H
#define JD_EMBEDDED_H
#include <stddef.h>
/* Declarations are added here as catalogues land, e.g.:
 * extern const char jd_data_name_variants[]; extern const size_t jd_data_name_variants_len; */
/* Default forename variants (data/names/variants.tsv). */
extern const char jd_data_name_variants[];
extern const size_t jd_data_name_variants_len;
/* The rules catalogue (data/rules/catalogue.json). */
extern const char jd_data_rules_catalogue[];
extern const size_t jd_data_rules_catalogue_len;
extern const char jd_data_rules_screen[];
extern const size_t jd_data_rules_screen_len;
/* The screen's learnt models, joined at load (screen.c builtin_model):
 * data/rules/screen_model_ind.json (indicators), _off.json (offences),
 * _lang.json (victim-blaming wording). */
extern const char jd_data_rules_screen_model_ind[];
extern const size_t jd_data_rules_screen_model_ind_len;
extern const char jd_data_rules_screen_model_off[];
extern const size_t jd_data_rules_screen_model_off_len;
extern const char jd_data_rules_screen_model_lang[];
extern const size_t jd_data_rules_screen_model_lang_len;
/* The risk walk's policy (data/rules/risk.json). */
extern const char jd_data_rules_risk[];
extern const size_t jd_data_rules_risk_len;
/* The escalation ladder and rules (data/escalation/ladder.json). */
extern const char jd_data_escalation_ladder[];
extern const size_t jd_data_escalation_ladder_len;
/* The demo bundle (data/demo). */
extern const char jd_data_demo_events_csc[];
extern const size_t jd_data_demo_events_csc_len;
extern const char jd_data_demo_events_health[];
extern const size_t jd_data_demo_events_health_len;
extern const char jd_data_demo_events_police[];
extern const size_t jd_data_demo_events_police_len;
extern const char jd_data_demo_objects_police[];
extern const size_t jd_data_demo_objects_police_len;
extern const char jd_data_demo_persons_other[];
extern const size_t jd_data_demo_persons_other_len;
extern const char jd_data_demo_persons_police[];
extern const size_t jd_data_demo_persons_police_len;
#endif
