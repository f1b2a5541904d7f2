#!/usr/bin/env python3
"""Writes a small synthetic bundle for the web tests: one girl, Zara Quill,
with N events across three agencies (the child's page is timed on her),
narratives that carry script and SQL text (shown as text, never run), and
an adult known only to the police. Usage: make_web_bundle.py DIR [N]"""
import csv, os, sys

out = sys.argv[1]
n = int(sys.argv[2]) if len(sys.argv) > 2 else 2000
os.makedirs(out, exist_ok=True)
ev_cols = ['agency', 'record_id', 'event_type', 'occurred_at', 'reported_at', 'location',
           'postcode', 'narrative', 'crime_recorded', 'crime_ref', 'outcome', 'author_role',
           'risk_grade']
pe_cols = ['agency', 'record_id', 'person_ref', 'role', 'surname', 'forenames', 'dob', 'gender',
           'postcode', 'ethnicity']
kinds = [('csc', 'case_note', 'C-ZQ1', 'social_worker'),
         ('police', 'missing_report', 'N-ZQ1', 'PC'),
         ('school', 'absence', 'S-ZQ1', 'teacher')]
XSS = '<script>window.__xss=1</script><img src=x onerror="window.__xss=2"> Zara said she was fine.'
SQL = "Robert'); DROP TABLE event;-- and \" OR 1=1 -- were written in the note."
with open(os.path.join(out, 'events.csv'), 'w', newline='') as fe, \
        open(os.path.join(out, 'persons.csv'), 'w', newline='') as fp:
    we, wp = csv.writer(fe), csv.writer(fp)
    we.writerow(ev_cols)
    wp.writerow(pe_cols)
    for i in range(n):
        ag, et, ref, author = kinds[i % 3]
        day = 1 + (i // 3) % 28
        month = 1 + (i // 84) % 12
        year = 2003 + i // 1008
        rid = 'ZQ%s%05d' % (ag[0].upper(), i)
        if i == 0:
            text = XSS
        elif i == 1:
            text = SQL
        elif i % 50 == 7:
            text = 'Zara was picked up by an older male in a car and came back with a new phone.'
        elif i % 50 == 11:
            text = 'Zara is prostituting herself and is streetwise.'
        else:
            text = 'Routine contact %d with Zara at home; no concerns noted.' % i
        we.writerow([ag, rid, et, '%04d-%02d-%02dT10:%02d' % (year, month, day, i % 60), '',
                     'Home', 'OX4 2ZZ', text, '', '', '', author, 'medium' if et == 'missing_report' else ''])
        wp.writerow([ag, rid, ref, 'subject', 'Quill', 'Zara', '1996-03-14', 'F', 'OX4 2ZZ', ''])
        if i % 50 == 7 and ag == 'police':
            wp.writerow([ag, rid, 'N-VV9', 'suspect', 'Vole', 'Victor', '1970-01-02', 'M', 'OX4 9ZZ', ''])
    # The adult in police records only (a practitioner in csc may not see him).
    for k in range(3):
        rid = 'ZQV%02d' % k
        we.writerow(['police', rid, 'intelligence', '2004-0%d-10T22:00' % (k + 1), '',
                     'Cowley Road', 'OX4 1ZZ', 'Victor Vole seen with Zara Quill in a blue car.',
                     '', '', '', 'PC', ''])
        wp.writerow(['police', rid, 'N-VV9', 'suspect', 'Vole', 'Victor', '1970-01-02', 'M', 'OX4 9ZZ', ''])
        wp.writerow(['police', rid, 'N-ZQ1', 'subject', 'Quill', 'Zara', '1996-03-14', 'F', 'OX4 2ZZ', ''])
