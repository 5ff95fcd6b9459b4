#!/usr/bin/env python3
"""Per-statement diagnosis of the extractor against gold: each gold statement with what newskg
extracted and why it matched or not, using the shared scorer's own matching.

    scripts/diag.py GOLD_DIR ARTICLES_DIR [id...]

Environment: B = the newskg binary (default target/release/newskg under CARGO_TARGET_DIR or
~/.cache/newskg/target), NEWSKG_SHARED = the shared directory (default ../shared)."""
import json, os, subprocess, sys
here = os.path.dirname(os.path.abspath(__file__))
shared = os.environ.get('NEWSKG_SHARED', os.path.join(here, '..', '..', 'shared'))
scorer = os.path.join(shared, 'eval', 'score.py')
src = open(scorer).read().replace('\nmain()', '\n')
score = {}
exec(compile(src, 'score', 'exec'), score)
target = os.environ.get('CARGO_TARGET_DIR', os.path.expanduser('~/.cache/newskg/target'))
B = os.environ.get('B', os.path.join(target, 'release', 'newskg'))
gold_dir, art_dir = sys.argv[1], sys.argv[2]
only = sys.argv[3:]
for fn in sorted(os.listdir(gold_dir)):
    if not fn.endswith('.json'): continue
    sid = fn[:-5]
    if only and sid not in only: continue
    gold = json.load(open(os.path.join(gold_dir, fn)))
    out = subprocess.run([B, 'extract', '-q', os.path.join(art_dir, sid + '.txt')], capture_output=True, text=True).stdout
    d = json.loads(out)
    xs = d if isinstance(d, list) else [d]
    rows = []
    for x in xs:
        ents = {e['id']: e for e in x['entities']}
        times = {t['id']: t for t in x.get('times', [])}
        for s in x['statements']:
            e = ents.get(s.get('speaker'), {})
            t = times.get(s.get('time'), {})
            rows.append(dict(speakerLabel=e.get('name_ar', ''), speakerLabelEn=e.get('name_en', '') or '',
                             quote=s['content']['text'], date=t.get('value'), verb=s['verb']['text'] if s.get('verb') else '',
                             stance=s.get('stance') or '', topics=' '.join(s.get('topics', [])), art=x['article']['id'],
                             ttext=t.get('text', '') if t else '' ))
    print(f'##### {sid}  pubdate={xs[0]["article"].get("published")}')
    used = set()
    for st in gold['statements']:
        hit = None
        for i, r in enumerate(rows):
            if i not in used and score['quote_match'](st['quote_start'], r['quote']):
                hit = i; break
        opt = ' (optional)' if st.get('optional') else ''
        if hit is None:
            print(f'  MISS{opt}: [{st["speaker_en"]}] {st["speech_verb"]} | {st["quote_start"]}')
            continue
        used.add(hit); r = rows[hit]
        sp = score['speaker_ok'](st, gold, r)
        dk = st.get('date') is None or score['date_ok'](st['date'], r['date'])
        gs = st.get('stance'); os_ = r['stance']
        stok = (not gs) or gs == (os_ or None) or (gs=='neutral' and os_=='')
        flags = ('' if sp else ' SPEAKER') + ('' if dk else ' DATE') + ('' if stok else ' STANCE')
        print(f'  {"ok  " if not flags else "BAD "}{flags}{opt}: gold[{st["speaker_en"]}|{st.get("date")}|{gs}|{st.get("date_basis","")}] out[{r["speakerLabel"]}/{r["speakerLabelEn"]}|{r["date"]} "{r["ttext"]}"|{os_}] v={r["verb"]} | {st["quote_start"][:60]}')
    for i, r in enumerate(rows):
        if i not in used:
            print(f'  EXTRA: [{r["speakerLabel"]}] {r["verb"]} | {r["quote"][:90]}')
