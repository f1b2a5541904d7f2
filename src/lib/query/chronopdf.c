/*
 * A child's chronology as a PDF for a strategy meeting or court (issue 18),
 * drawn with libharu (Debian's libhpdf): a small, well-kept C library that
 * writes PDF directly, with the 14 standard fonts, so no font files and no
 * browser are needed on the server and the same bytes come out every time.
 *
 * Layout: A4 landscape. A cover page (the child, who asked, when, why, the
 * filters, the redaction, the summary), then one row per event: date, age,
 * source (agency and record id), type, and the text wrapped, with the signs
 * found named under it; significant events have a red bar and "Significant".
 * "Page N of M" is written on every page once all are laid out.
 *
 * Text: the standard fonts speak WinAnsi (CP1252); UTF-8 is converted, and
 * a character that has no CP1252 form becomes '?'. Redaction replaces a
 * chosen third party's name (and each part of it of 3 letters or more that
 * is not also part of the child's name) with "[redacted]", in the text and
 * in the list of people, case-insensitively.
 */
#include "util/internal.h"

#include <joindots/child.h>

#include <ctype.h>
#include <hpdf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PAGE_W 842.0f
#define PAGE_H 595.0f
#define MARGIN 36.0f
#define FONT_SIZE 8.5f
#define LEAD 10.5f

/* column x positions and widths */
static const float COL_X[] = {MARGIN + 6, MARGIN + 62, MARGIN + 88, MARGIN + 196, MARGIN + 286};
#define TEXT_W (PAGE_W - MARGIN - COL_X[4])

typedef struct prow {
    char date[11];
    int age;
    char *source; /* "Police IR06-004717" (cp1252) */
    char *type;   /* cp1252 */
    char *text;   /* narrative, redacted, cp1252 */
    char *signs;  /* "Signs: ..." or "" */
    char *people; /* "Others: ..." or "" */
    bool significant;
} prow;

typedef struct pctx {
    const jd_chrono_pdf_opts *o;
    prow *rows;
    size_t n, cap;
    jd_arena ar;
    jd_error *err;
    int rc;
} pctx;

/* UTF-8 to CP1252; characters it cannot show become '?'. */
static char *to_cp1252(jd_arena *ar, const char *s)
{
    size_t n = strlen(s ? s : "");
    char *o = jd_arena_alloc(ar, n + 1);
    if (!o)
        return NULL;
    size_t k = 0;
    const unsigned char *p = (const unsigned char *)(s ? s : "");
    while (*p) {
        unsigned cp;
        size_t l;
        if (*p < 0x80) {
            cp = *p;
            l = 1;
        } else if ((*p & 0xE0) == 0xC0 && (p[1] & 0xC0) == 0x80) {
            cp = ((p[0] & 0x1Fu) << 6) | (p[1] & 0x3Fu);
            l = 2;
        } else if ((*p & 0xF0) == 0xE0 && (p[1] & 0xC0) == 0x80 && (p[2] & 0xC0) == 0x80) {
            cp = ((p[0] & 0x0Fu) << 12) | ((p[1] & 0x3Fu) << 6) | (p[2] & 0x3Fu);
            l = 3;
        } else {
            cp = '?';
            l = 1;
            while (p[l] && (p[l] & 0xC0) == 0x80 && l < 4)
                l++;
        }
        p += l;
        char c;
        if (cp < 0x20)
            c = ' ';
        else if (cp < 0x7F || (cp >= 0xA0 && cp <= 0xFF))
            c = (char)cp;
        else
            switch (cp) {
            case 0x2018:
                c = (char)0x91;
                break;
            case 0x2019:
                c = (char)0x92;
                break;
            case 0x201C:
                c = (char)0x93;
                break;
            case 0x201D:
                c = (char)0x94;
                break;
            case 0x2013:
                c = (char)0x96;
                break;
            case 0x2014:
                c = (char)0x97;
                break;
            case 0x2026:
                c = (char)0x85;
                break;
            case 0x20AC:
                c = (char)0x80;
                break;
            default:
                c = '?';
            }
        o[k++] = c;
    }
    o[k] = '\0';
    return o;
}

/* Is `w` (n bytes) a part of the child's own name? */
static bool in_name(const char *name, const char *w, size_t n)
{
    for (const char *p = name ? name : ""; *p;) {
        size_t k = strcspn(p, " -");
        if (k == n && !strncasecmp(p, w, n))
            return true;
        p += k;
        p += strspn(p, " -");
    }
    return false;
}

/* Replace each case-insensitive, whole-word occurrence of needle in *s. */
static int redact_word(jd_arena *ar, char **s, const char *needle, size_t nl)
{
    if (nl == 0)
        return 0;
    jd_buf b = JD_BUF_INIT(1 << 20);
    const char *p = *s;
    bool changed = false;
    while (*p) {
        const char *hit = NULL;
        for (const char *q = p; *q; q++)
            if (!strncasecmp(q, needle, nl) && (q == *s || !isalnum((unsigned char)q[-1])) &&
                !isalnum((unsigned char)q[nl])) {
                hit = q;
                break;
            }
        if (!hit) {
            if (jd_buf_adds(&b, p) < 0)
                goto oom;
            break;
        }
        if (jd_buf_add(&b, p, (size_t)(hit - p)) < 0 || jd_buf_adds(&b, "[redacted]") < 0)
            goto oom;
        changed = true;
        p = hit + nl;
    }
    if (changed) {
        char *n = jd_arena_strdup(ar, jd_buf_cstr(&b));
        if (!n)
            goto oom;
        *s = n;
    }
    jd_buf_dispose(&b);
    return 0;
oom:
    jd_buf_dispose(&b);
    return JD_ENOMEM;
}

static int redact_name(jd_arena *ar, char **s, const char *who, const char *child)
{
    int rc = redact_word(ar, s, who, strlen(who));
    for (const char *p = who; !rc && *p;) {
        size_t k = strcspn(p, " -");
        if (k >= 3 && !in_name(child, p, k)) {
            char w[64];
            if (k < sizeof w) {
                memcpy(w, p, k);
                w[k] = '\0';
                rc = redact_word(ar, s, w, k);
            }
        }
        p += k;
        p += strspn(p, " -");
    }
    return rc;
}

/* Does a word of `a` (3 letters or more, not part of the child's name) equal
 * a word of `b`? Agencies spell one person several ways ("Wayne Hussain",
 * "Wayen Hussain"): sharing a forename or a surname with a chosen person is
 * taken as that person, erring towards redacting. */
static bool share_word(const char *a, const char *b, const char *child)
{
    for (const char *p = a; *p;) {
        size_t k = strcspn(p, " -");
        if (k >= 3 && !in_name(child, p, k))
            for (const char *q = b; *q;) {
                size_t l = strcspn(q, " -");
                if (l == k && !strncasecmp(p, q, k))
                    return true;
                q += l;
                q += strspn(q, " -");
            }
        p += k;
        p += strspn(p, " -");
    }
    return false;
}

static bool chosen(const jd_chrono_pdf_opts *o, const char *name)
{
    if (!name || !*name)
        return false;
    if (o->redact_all)
        return true;
    for (size_t i = 0; i < o->n_redact; i++)
        if (o->redact[i] &&
            (!strcasecmp(o->redact[i], name) || share_word(name, o->redact[i], o->name)))
            return true;
    return false;
}

static int on_row(const jd_chrono_row *r, void *payload)
{
    pctx *x = payload;
    const jd_chrono_event *ev = r->ev;
    if (x->n >= JD_CHRONO_PDF_MAX_EVENTS)
        return jd_error_set(x->err, JD_ELIMIT,
                            "an export holds at most %d events; narrow the "
                            "filters",
                            JD_CHRONO_PDF_MAX_EVENTS);
    if (jd_grow((void **)&x->rows, &x->cap, x->n + 1, sizeof *x->rows) < 0)
        return jd_oom(x->err);
    prow *p = &x->rows[x->n];
    memset(p, 0, sizeof *p);
    jd_uk_date(p->date, ev->occurred_at);
    p->age = r->age;
    p->significant = r->significant;
    char type[64];
    jd_event_type_label(type, sizeof type, ev->event_type);
    jd_buf b = JD_BUF_INIT(1 << 16);
    char *text = jd_arena_strdup(&x->ar, ev->narrative ? ev->narrative : "");
    int rc = text ? 0 : JD_ENOMEM;
    /* redaction of the chosen third parties named in this event or chosen by name */
    for (size_t i = 0; !rc && i < ev->n_parties; i++)
        if (chosen(x->o, ev->parties[i].name))
            rc = redact_name(&x->ar, &text, ev->parties[i].name, x->o->name);
    for (size_t i = 0; !rc && i < x->o->n_redact; i++)
        if (x->o->redact[i] && *x->o->redact[i])
            rc = redact_name(&x->ar, &text, x->o->redact[i], x->o->name);
    if (!rc && ev->outcome && *ev->outcome)
        rc = jd_buf_printf(&b, " Outcome: %s.", ev->outcome);
    char *full = NULL;
    if (!rc && (full = jd_arena_alloc(&x->ar, strlen(text) + b.len + 1))) {
        strcpy(full, text);
        strcat(full, jd_buf_cstr(&b));
    } else if (!rc) {
        rc = JD_ENOMEM;
    }
    jd_buf_reset(&b);
    for (size_t i = 0, n = 0; !rc && i < r->n_findings; i++) {
        const jd_finding *f = &r->findings[i];
        if (f->rule[0] == 'L')
            continue;
        size_t k = strcspn(f->name, ";:(");
        while (k && f->name[k - 1] == ' ')
            k--;
        rc = jd_buf_printf(&b, "%s%.*s", n++ ? "; " : "Signs: ", (int)k, f->name);
    }
    char *signs = rc ? NULL : jd_arena_strdup(&x->ar, jd_buf_cstr(&b));
    jd_buf_reset(&b);
    for (size_t i = 0, n = 0; !rc && i < ev->n_parties; i++) {
        const jd_chrono_party *pt = &ev->parties[i];
        const char *nm = chosen(x->o, pt->name)  ? "[redacted]"
                         : pt->name && *pt->name ? pt->name
                                                 : "unnamed";
        rc = jd_buf_printf(&b, "%s%s (%s)", n++ ? "; " : "Others: ", nm, pt->role);
    }
    char *people = rc ? NULL : jd_arena_strdup(&x->ar, jd_buf_cstr(&b));
    char src[160];
    snprintf(src, sizeof src, "%s|%s", jd_agency_label(ev->agency), ev->record_id);
    jd_buf_dispose(&b);
    if (rc || !signs || !people)
        return jd_oom(x->err);
    p->source = to_cp1252(&x->ar, src);
    p->type = to_cp1252(&x->ar, type);
    p->text = to_cp1252(&x->ar, full);
    p->signs = to_cp1252(&x->ar, signs);
    p->people = to_cp1252(&x->ar, people);
    if (!p->source || !p->type || !p->text || !p->signs || !p->people)
        return jd_oom(x->err);
    x->n++;
    return 0;
}

/* ---- drawing ---- */

typedef struct draw {
    HPDF_Doc pdf;
    HPDF_Font font, bold;
    HPDF_Page *pages;
    size_t np, capp;
    HPDF_Page page;
    float y;
    bool failed;
} draw;

static void on_hpdf_error(HPDF_STATUS error_no, HPDF_STATUS detail_no, void *user_data)
{
    (void)error_no;
    (void)detail_no;
    ((draw *)user_data)->failed = true;
}

static float width(HPDF_Font f, float size, const char *s, size_t n)
{
    HPDF_TextWidth tw = HPDF_Font_TextWidth(f, (const HPDF_BYTE *)s, (HPDF_UINT)n);
    return (float)tw.width * size / 1000.0f;
}

/* Wrap s into lines of at most w points; calls line() for each (or counts). */
typedef void (*line_fn)(draw *d, HPDF_Font f, float x, float y, const char *s, size_t n);

static void put(draw *d, HPDF_Font f, float x, float y, const char *s, size_t n)
{
    char buf[1024];
    if (n >= sizeof buf)
        n = sizeof buf - 1;
    memcpy(buf, s, n);
    buf[n] = '\0';
    HPDF_Page_BeginText(d->page);
    HPDF_Page_SetFontAndSize(d->page, f, FONT_SIZE);
    HPDF_Page_TextOut(d->page, x, y, buf);
    HPDF_Page_EndText(d->page);
}

static int wrap(draw *d, HPDF_Font f, float x, float y, float w, const char *s, line_fn fn)
{
    int lines = 0;
    while (*s) {
        while (*s == ' ')
            s++;
        if (!*s)
            break;
        size_t best = 0, i = 0;
        for (;;) {
            size_t j = i;
            while (s[j] && s[j] != ' ')
                j++;
            if (width(f, FONT_SIZE, s, j) > w && best)
                break;
            best = j;
            if (width(f, FONT_SIZE, s, j) > w) { /* one word wider than the column */
                best = 1;
                while (s[best] && width(f, FONT_SIZE, s, best + 1) <= w)
                    best++;
                break;
            }
            if (!s[j])
                break;
            i = j + 1;
        }
        if (fn)
            fn(d, f, x, y - (float)lines * LEAD, s, best);
        lines++;
        s += best;
    }
    return lines;
}

static void new_page(draw *d, const jd_chrono_pdf_opts *o, bool table)
{
    d->page = HPDF_AddPage(d->pdf);
    HPDF_Page_SetSize(d->page, HPDF_PAGE_SIZE_A4, HPDF_PAGE_LANDSCAPE);
    if (jd_grow((void **)&d->pages, &d->capp, d->np + 1, sizeof *d->pages) < 0) {
        d->failed = true;
        return;
    }
    d->pages[d->np++] = d->page;
    d->y = PAGE_H - MARGIN;
    char head[300];
    snprintf(head, sizeof head, "OFFICIAL-SENSITIVE   Multi-agency chronology of %s", o->name);
    put(d, d->bold, MARGIN, d->y, head, strlen(head));
    d->y -= 16;
    if (!table)
        return;
    static const char *const cols[] = {"Date", "Age", "Source (agency, record)", "Type",
                                       "What was recorded"};
    for (int i = 0; i < 5; i++)
        put(d, d->bold, COL_X[i], d->y, cols[i], strlen(cols[i]));
    d->y -= 4;
    HPDF_Page_SetLineWidth(d->page, 0.5f);
    HPDF_Page_MoveTo(d->page, MARGIN, d->y);
    HPDF_Page_LineTo(d->page, PAGE_W - MARGIN, d->y);
    HPDF_Page_Stroke(d->page);
    d->y -= LEAD;
}

static void cover_line(draw *d, const char *label, const char *value, jd_arena *ar)
{
    char *v = to_cp1252(ar, value ? value : "");
    if (!v) {
        d->failed = true;
        return;
    }
    put(d, d->bold, MARGIN, d->y, label, strlen(label));
    int n = wrap(d, d->font, MARGIN + 130, d->y, PAGE_W - 2 * MARGIN - 130, v, put);
    d->y -= (float)(n ? n : 1) * LEAD + 4;
}

static void cover(draw *d, const jd_chrono_pdf_opts *o, const jd_chrono_filter *f, size_t n,
                  jd_arena *ar)
{
    new_page(d, o, false);
    d->y -= 20;
    HPDF_Page_BeginText(d->page);
    HPDF_Page_SetFontAndSize(d->page, d->bold, 20);
    char *t = to_cp1252(ar, o->name ? o->name : "");
    HPDF_Page_TextOut(d->page, MARGIN, d->y, t ? t : "");
    HPDF_Page_EndText(d->page);
    d->y -= 26;
    char when[40], born[64] = "unknown", events[64], red[600] = "none";
    jd_uk_date(when, o->at);
    char iso[32];
    jd_time_format(iso, o->at);
    snprintf(when + 10, sizeof when - 10, " %.5s", iso + 11);
    if (o->dob && strlen(o->dob) >= 10) {
        int64_t b;
        if (jd_time_parse(&b, o->dob, 0) == JD_OK)
            jd_uk_date(born, b);
    }
    snprintf(events, sizeof events, "%zu%s", n, f->significant ? " (significant events only)" : "");
    if (o->redact_all)
        snprintf(red, sizeof red, "every other person named in the child's events");
    else if (o->n_redact) /* never their names: that would undo it */
        snprintf(red, sizeof red, "%zu %s chosen by the user, wherever named", o->n_redact,
                 o->n_redact == 1 ? "person" : "people");
    char by[200];
    snprintf(by, sizeof by, "%s (%s%s%s)", o->by ? o->by : "", o->role ? o->role : "",
             o->agency && *o->agency ? ", " : "", o->agency ? o->agency : "");
    cover_line(d, "Date of birth", born, ar);
    cover_line(d, "Prepared for", by, ar);
    cover_line(d, "On", when, ar);
    cover_line(d, "Why", o->reason, ar);
    cover_line(d, "Filters", o->filters && *o->filters ? o->filters : "none: every event", ar);
    cover_line(d, "Events listed", events, ar);
    cover_line(d, "Redacted", red, ar);
    cover_line(d, "Sources",
               "each event gives the agency that recorded it and its record id. "
               "Dates are UK dates; ages are the child's age on the day.",
               ar);
    d->y -= 8;
    if (o->n_summary) {
        put(d, d->bold, MARGIN, d->y, "Summary", 7);
        d->y -= LEAD + 2;
        for (size_t i = 0; i < o->n_summary; i++) {
            char *s = to_cp1252(ar, o->summary[i]);
            if (!s) {
                d->failed = true;
                return;
            }
            int k = wrap(d, d->font, MARGIN, d->y, PAGE_W - 2 * MARGIN, s, put);
            d->y -= (float)k * LEAD + 3;
        }
    }
    d->y -= 8;
    static const char note[] = "This export is recorded in the audit log with the name of the "
                               "person who made it and the reason given. Share it only with "
                               "those who need it.";
    wrap(d, d->font, MARGIN, d->y, PAGE_W - 2 * MARGIN, note, put);
}

static void row(draw *d, const jd_chrono_pdf_opts *o, const prow *r)
{
    float w = TEXT_W;
    int lt = wrap(d, d->font, 0, 0, w, r->text, NULL);
    int ls = *r->signs ? wrap(d, d->font, 0, 0, w, r->signs, NULL) : 0;
    int lp = *r->people ? wrap(d, d->font, 0, 0, w, r->people, NULL) : 0;
    int lines = lt + ls + lp;
    if (lines < 2)
        lines = 2;
    float h = (float)lines * LEAD + 4;
    if (d->y - h < MARGIN + 14)
        new_page(d, o, true);
    float y = d->y;
    if (r->significant) {
        HPDF_Page_SetRGBFill(d->page, 0.70f, 0.15f, 0.12f);
        HPDF_Page_Rectangle(d->page, MARGIN, y - h + LEAD, 3, h - 2);
        HPDF_Page_Fill(d->page);
        HPDF_Page_SetRGBFill(d->page, 0, 0, 0);
    }
    put(d, d->font, COL_X[0], y, r->date, strlen(r->date));
    char age[16] = "";
    if (r->age >= 0)
        snprintf(age, sizeof age, "%d", r->age);
    put(d, d->font, COL_X[1], y, age, strlen(age));
    size_t bar = strcspn(r->source, "|");
    put(d, d->font, COL_X[2], y, r->source, bar);
    if (r->source[bar])
        put(d, d->font, COL_X[2], y - LEAD, r->source + bar + 1, strlen(r->source + bar + 1));
    wrap(d, d->font, COL_X[3], y, COL_X[4] - COL_X[3] - 6, r->type, put);
    if (r->significant)
        put(d, d->bold, COL_X[3],
            y - LEAD * (float)(wrap(d, d->font, 0, 0, COL_X[4] - COL_X[3] - 6, r->type, NULL)),
            "Significant", 11);
    wrap(d, d->font, COL_X[4], y, w, r->text, put);
    if (ls)
        wrap(d, d->bold, COL_X[4], y - (float)lt * LEAD, w, r->signs, put);
    if (lp)
        wrap(d, d->font, COL_X[4], y - (float)(lt + ls) * LEAD, w, r->people, put);
    d->y -= h;
    HPDF_Page_SetGrayStroke(d->page, 0.8f);
    HPDF_Page_MoveTo(d->page, MARGIN, d->y + LEAD - 2);
    HPDF_Page_LineTo(d->page, PAGE_W - MARGIN, d->y + LEAD - 2);
    HPDF_Page_Stroke(d->page);
    HPDF_Page_SetGrayStroke(d->page, 0);
}

int jd_chrono_pdf(unsigned char **out, size_t *len, int *pages, jd_store *s, jd_screener *scr,
                  const char *person, const jd_chrono_filter *f, const jd_chrono_pdf_opts *o,
                  jd_error *err)
{
    if (!out || !len || !pages || !s || !person || !f || !o)
        return jd_error_set(err, JD_EINVALID, "bad argument");
    pctx x = {.o = o, .err = err};
    jd_arena_init(&x.ar, 64 * 1024);
    draw d = {0};
    int rc = JD_OK;
    jd_chrono_filter page = *f;
    page.newest_first = f->newest_first;
    page.limit = JD_CHRONO_MAX_LIMIT;
    size_t total = 0;
    /* every match, a page of the query at a time, in the order asked for */
    for (page.offset = 0;; page.offset += page.limit) {
        size_t before = x.n;
        rc = jd_chrono_query(s, scr, person, o->dob, &page, on_row, &x, &total, err);
        if (rc == JD_ENOTFOUND) {
            rc = JD_OK;
            break;
        }
        if (rc < 0)
            goto out;
        if (f->newest_first) /* a page arrives oldest first */
            for (size_t a = before, b = x.n ? x.n - 1 : 0; a < b; a++, b--) {
                prow t = x.rows[a];
                x.rows[a] = x.rows[b];
                x.rows[b] = t;
            }
        if (page.offset + page.limit >= total)
            break;
        if (total > JD_CHRONO_PDF_MAX_EVENTS) {
            rc = jd_error_set(err, JD_ELIMIT,
                              "an export holds at most %d events; narrow the "
                              "filters",
                              JD_CHRONO_PDF_MAX_EVENTS);
            goto out;
        }
    }
    d.pdf = HPDF_New(on_hpdf_error, &d);
    if (!d.pdf) {
        rc = jd_error_set(err, JD_ENOMEM, "the PDF could not be started");
        goto out;
    }
    HPDF_SetCompressionMode(d.pdf, HPDF_COMP_ALL);
    d.font = HPDF_GetFont(d.pdf, "Helvetica", "WinAnsiEncoding");
    d.bold = HPDF_GetFont(d.pdf, "Helvetica-Bold", "WinAnsiEncoding");
    HPDF_SetInfoAttr(d.pdf, HPDF_INFO_CREATOR, "joindots");
    HPDF_SetInfoAttr(d.pdf, HPDF_INFO_TITLE, "Multi-agency chronology");
    cover(&d, o, f, x.n, &x.ar);
    if (x.n)
        new_page(&d, o, true);
    else
        put(&d, d.font, MARGIN, MARGIN + 40, "No event matches the filters.", 29);
    for (size_t i = 0; i < x.n && !d.failed; i++)
        row(&d, o, &x.rows[i]);
    for (size_t i = 0; i < d.np && !d.failed; i++) {
        char foot[64];
        snprintf(foot, sizeof foot, "Page %zu of %zu", i + 1, d.np);
        d.page = d.pages[i];
        put(&d, d.font, PAGE_W - MARGIN - 70, MARGIN - 14, foot, strlen(foot));
    }
    if (d.failed || HPDF_SaveToStream(d.pdf) != HPDF_OK) {
        rc = jd_error_set(err, JD_ENOMEM, "the PDF could not be written");
        goto out;
    }
    HPDF_UINT32 size = HPDF_GetStreamSize(d.pdf);
    unsigned char *buf = malloc(size ? size : 1);
    if (!buf) {
        rc = jd_oom(err);
        goto out;
    }
    HPDF_UINT32 got = size;
    HPDF_STATUS st = HPDF_ReadFromStream(d.pdf, buf, &got);
    if ((st != HPDF_OK && st != HPDF_STREAM_EOF) || got != size) {
        free(buf);
        rc = jd_error_set(err, JD_ENOMEM, "the PDF could not be read back");
        goto out;
    }
    *out = buf;
    *len = got;
    *pages = (int)d.np;
    rc = JD_OK;
out:
    if (d.pdf)
        HPDF_Free(d.pdf);
    free(d.pages);
    free(x.rows);
    jd_arena_free(&x.ar);
    return rc;
}
