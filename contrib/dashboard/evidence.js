/*
 * contrib/dashboard/evidence.js - the evidence view of one signal, from its
 * lineage (the "lineage" field of GET /api/signals/{id}, written by
 * eng_explain_json).
 *
 * DSEvidence.render(container, lineage) shows, when present: the method,
 * parameters, statistic and boundary; the plan and rule-set hashes; every
 * contributing event (source/epoch/seq, event time, kind, how it was
 * linked) with, for text-derived ones, the sentence and the matched span in
 * a <mark>, the concept, rule id and line and the context decisions; the
 * audit entries and the checkpoint that seals them; and the whole lineage
 * as raw JSON, so nothing present is ever hidden.
 *
 * Defensive by design: the lineage's exact field names are another
 * module's choice, so each part is looked up under the names it may have,
 * and a part that is missing is simply not shown. Span offsets (begin/end)
 * are UTF-8 byte offsets, relative to the sentence, or to the text when a
 * sentence start (sent_begin) is given; a span that does not fit is looked
 * up by its text instead, and failing that the sentence is shown unmarked
 * with the offsets.
 *
 * Not here: fetching (app.js), charts (chart.js).
 */
(function (global) {
    'use strict';

    var SHOW_EVENTS = 5; /* contributing events shown before "Show more" */
    var enc = new TextEncoder();
    var dec = new TextDecoder('utf-8', { fatal: true });

    function h(name, attrs, kids) {
        var e = document.createElement(name);
        Object.keys(attrs || {}).forEach(function (k) {
            if (k === 'text') e.textContent = attrs[k];
            else e.setAttribute(k, attrs[k]);
        });
        [].concat(kids || []).forEach(function (c) {
            if (c === null || c === undefined) return;
            e.appendChild(typeof c === 'object' ? c
                          : document.createTextNode(String(c)));
        });
        return e;
    }

    function isObj(v) {
        return v !== null && typeof v === 'object' && !Array.isArray(v);
    }

    /* The first of keys present (not null/undefined) in o. */
    function pick(o, keys) {
        if (!isObj(o)) return undefined;
        for (var i = 0; i < keys.length; i++)
            if (o[keys[i]] !== undefined && o[keys[i]] !== null)
                return o[keys[i]];
        return undefined;
    }

    function scalar(v) {
        if (typeof v === 'boolean') return v ? 'yes' : 'no';
        if (typeof v === 'number')
            return Number.isInteger(v) ? String(v) : v.toPrecision(6)
                .replace(/\.?0+$/, '');
        return String(v);
    }

    /* A <dl> of o's fields (keys in order; skip listed keys): scalars as
     * text, lists of scalars joined, objects as a nested <dl> (depth 2). */
    function kv(o, skip, depth) {
        var d = h('dl', { class: 'kv' });
        Object.keys(o || {}).forEach(function (k) {
            var v = o[k], dd;
            if ((skip || []).indexOf(k) >= 0 || v === null || v === '') return;
            if (Array.isArray(v)) {
                if (!v.length || v.some(function (x) {
                    return typeof x === 'object'; })) return;
                dd = h('dd', { text: v.map(scalar).join(', ') });
            } else if (isObj(v)) {
                var sub = (depth || 0) < 1 ? kv(v, null, (depth || 0) + 1)
                    : null;
                if (!sub) return;
                dd = h('dd', {}, [sub]);
            } else {
                dd = h('dd', { text: scalar(v) });
            }
            d.appendChild(h('div', {}, [h('dt', { text: k.replace(/_/g, ' ') }),
                                        dd]));
        });
        return d.childNodes.length ? d : null;
    }

    function slice(bytes, b, e) {
        return dec.decode(bytes.subarray(b, e));
    }

    /* [before, match, after] of sentence for the span, or null. Tried in
     * order: span_begin/span_end (relative to the sentence), begin/end
     * minus sent_begin, begin/end as they are; a span text given (match,
     * or "text" next to a sentence) picks the candidate that yields it,
     * or is searched for in the sentence. */
    function spanParts(sentence, m) {
        var bytes = enc.encode(sentence);
        var b = pick(m, ['begin', 'start']);
        var e = pick(m, ['end', 'stop']);
        var sb = pick(m, ['sent_begin', 'sentence_begin', 'sentence_start']);
        var want = pick(m, ['match', 'matched', 'span_text', 'surface',
                            'text_span']);
        if (want === undefined && typeof m.text === 'string' &&
            m.text !== sentence && m.text.length <= sentence.length)
            want = m.text;
        var cands = [];
        if (isFinite(m.span_begin) && isFinite(m.span_end))
            cands.push([m.span_begin, m.span_end]);
        if (isObj(m.span)) {
            cands.push([pick(m.span, ['begin', 'start']),
                        pick(m.span, ['end', 'stop'])]);
            want = want || pick(m.span, ['text', 'match']);
        } else if (typeof m.span === 'string') {
            want = want || m.span;
        }
        if (isFinite(b) && isFinite(e)) {
            if (isFinite(sb)) cands.push([b - sb, e - sb]);
            cands.push([b, e]);
        }
        var fits = [];
        cands.forEach(function (c) {
            if (!isFinite(c[0]) || !isFinite(c[1]) || c[0] < 0 ||
                c[1] <= c[0] || c[1] > bytes.length) return;
            try {
                fits.push([slice(bytes, 0, c[0]), slice(bytes, c[0], c[1]),
                           slice(bytes, c[1], bytes.length)]);
            } catch (x) { /* not on a character boundary */ }
        });
        if (want) {
            var exact = fits.find(function (p) { return p[1] === want; });
            if (exact) return exact;
            var i = sentence.toLowerCase().indexOf(String(want).toLowerCase());
            if (i >= 0)
                return [sentence.slice(0, i),
                        sentence.slice(i, i + String(want).length),
                        sentence.slice(i + String(want).length)];
        }
        return fits[0] || null;
    }

    /* The sentence of mention m (or cut out of the event's text). */
    function sentenceOf(m, ev) {
        var s = pick(m, ['sentence', 'sentence_text', 'sent_text', 'snippet']);
        if (isObj(s)) s = pick(s, ['text', 'value']);
        if (typeof s === 'string') return { text: s, rel: false };
        var t = pick(m, ['note_text', 'full_text', 'text', 'note']);
        if (typeof t !== 'string') return null;
        var sb = pick(m, ['sent_begin', 'sentence_begin']);
        var se = pick(m, ['sent_end', 'sentence_end']);
        var bytes = enc.encode(t);
        if (isFinite(sb) && isFinite(se) && sb >= 0 && se <= bytes.length &&
            se > sb) {
            try { return { text: slice(bytes, sb, se), rel: false }; }
            catch (x) { /* fall through: whole text */ }
        }
        return { text: t, rel: true };
    }

    function quote(m, ev) {
        var s = sentenceOf(m, ev);
        if (!s) {
            var err = pick(m, ['text_error', 'missing']);
            return err ? h('p', { class: 'note', text: 'Text not shown: ' +
                                  err }) : null;
        }
        var mm = m;
        if (s.rel) { /* offsets index the whole text here */
            mm = Object.assign({}, m);
            delete mm.sent_begin; delete mm.sentence_begin;
        }
        var p = spanParts(s.text, mm);
        var bq = h('blockquote', { class: 'sentence' });
        if (p) {
            bq.appendChild(document.createTextNode(p[0]));
            bq.appendChild(h('mark', { text: p[1] }));
            bq.appendChild(document.createTextNode(p[2]));
        } else {
            bq.textContent = s.text;
            bq.appendChild(h('span', { class: 'note', text: ' (span ' +
                pick(m, ['begin']) + '–' + pick(m, ['end']) +
                ' not located in this sentence)' }));
        }
        return bq;
    }

    /* The context decisions: an object of flags, or a list of decisions
     * (strings or objects); an empty list with no flags is "affirmed". */
    function contextList(c, flags) {
        if (typeof c === 'string') {
            try { c = JSON.parse(c); } catch (x) { return h('p', { text: c }); }
        }
        var ul = h('ul', { class: 'context' });
        (Array.isArray(flags) ? flags : []).forEach(function (f) {
            ul.appendChild(h('li', { class: 'flag-on', text: String(f) }));
        });
        if (Array.isArray(c)) {
            c.forEach(function (d) {
                ul.appendChild(h('li', {}, [isObj(d) ? kvInline(d)
                                            : String(d)]));
            });
        } else if (isObj(c)) {
            Object.keys(c).forEach(function (k) {
                var v = c[k];
                if (isObj(v) || Array.isArray(v)) {
                    if (Object.keys(v).length === 0) return;
                    ul.appendChild(h('li', {}, [k + ': ', h('code', {
                        text: JSON.stringify(v) })]));
                } else {
                    ul.appendChild(h('li', { class: v === true ? 'flag-on'
                                             : '' },
                                     [k.replace(/_/g, ' ') + ': ' +
                                      scalar(v)]));
                }
            });
        } else if (c !== undefined && c !== null) {
            ul.appendChild(h('li', { text: JSON.stringify(c) }));
        }
        if (!ul.childNodes.length && (c !== undefined || flags !== undefined))
            ul.appendChild(h('li', { text: 'none: affirmed, current, about ' +
                                     'the patient (no negation, history, ' +
                                     'family or hypothetical trigger)' }));
        return ul;
    }

    function kvInline(o) {
        return Object.keys(o).map(function (k) {
            return k + ' ' + (typeof o[k] === 'object' ? JSON.stringify(o[k])
                              : scalar(o[k]));
        }).join(', ');
    }

    function mentionView(m, ev) {
        var box = h('div', { class: 'mention' });
        var q = quote(m, ev);
        if (q) box.appendChild(q);
        var rule = pick(m, ['rule', 'rule_id']);
        var line = pick(m, ['rule_line', 'line']);
        var file = pick(m, ['rule_file', 'file']);
        var bits = [];
        var code = pick(m, ['code']), label = pick(m, ['label', 'term']);
        if (code || label) bits.push(['Concept', [code, label].filter(Boolean)
                                      .join(' ') + (m.system ? ' (' +
                                      m.system + ')' : '')]);
        if (rule || line) bits.push(['Rule', (file ? file + ' ' : '') +
                                     (rule || '') + (line ? ' line ' + line
                                                     : '')]);
        var rs = pick(m, ['rules', 'rules_sha256', 'ruleset']);
        if (rs) bits.push(['Rule-set hash', String(rs)]);
        var d = h('dl', { class: 'kv' });
        bits.forEach(function (b) {
            d.appendChild(h('div', {}, [h('dt', { text: b[0] }),
                                        h('dd', {}, [h('code', {
                                            text: b[1] })])]));
        });
        box.appendChild(d);
        var ctx = contextList(pick(m, ['context', 'decisions']),
                              pick(m, ['flag_names']));
        if (ctx && ctx.childNodes.length) {
            box.appendChild(h('p', { class: 'small-head',
                                     text: 'Context decisions' }));
            box.appendChild(ctx);
        }
        return box;
    }

    function eventHead(ev) {
        var src = [pick(ev, ['source']), pick(ev, ['epoch']),
                   pick(ev, ['seq'])].filter(function (v) {
                       return v !== undefined; }).join(' / ');
        var t = pick(ev, ['time']);
        if (!t && isFinite(ev.ts)) t = new Date(ev.ts).toISOString();
        var parts = [src && 'event ' + src, t, pick(ev, ['kind']),
                     pick(ev, ['link', 'linked_by', 'how']) &&
                     'linked by ' + pick(ev, ['link', 'linked_by', 'how']),
                     pick(ev, ['role']) === 'comp_event' ? 'comparator' : null]
            .filter(Boolean);
        return h('p', { class: 'event-head', text: parts.join(' · ') });
    }

    function mentionsOf(ev) {
        var ms = pick(ev, ['mentions']);
        if (Array.isArray(ms)) return ms.filter(isObj);
        var m = pick(ev, ['mention']);
        if (isObj(m)) return [m];
        if (pick(ev, ['sentence', 'sentence_text']) !== undefined) return [ev];
        return [];
    }

    /* The contributing events: under one of these names, or the first
     * array of objects carrying a seq. */
    function eventsOf(L) {
        var v = pick(L, ['events', 'contributions', 'contributing',
                         'contributing_events', 'evidence']);
        if (Array.isArray(v)) return v;
        if (isObj(L.cell) && Array.isArray(L.cell.events)) return L.cell.events;
        var found = null;
        Object.keys(L).some(function (k) {
            var a = L[k];
            if (Array.isArray(a) && a.length && isObj(a[0]) && 'seq' in a[0] &&
                k !== 'audit') { found = a; return true; }
            return false;
        });
        return found || [];
    }

    function auditView(L) {
        var a = pick(L, ['audit', 'audit_entries']);
        var entries = Array.isArray(a) ? a : isObj(a) && Array.isArray(a.entries)
            ? a.entries : [];
        var cps = [];
        var top = pick(L, ['checkpoint', 'sealed_by', 'seal']) ||
            (isObj(a) ? pick(a, ['checkpoint']) : undefined);
        if (isObj(top)) cps.push(top);
        var box = h('div', {});
        if (entries.length) {
            var t = h('table', { class: 'audit' });
            t.appendChild(h('caption', { text: 'Audit entries covering this ' +
                                         'signal (' + entries.length + ')' }));
            var cols = ['seq', 'kind', 'subject', 'time', 'entry_hash',
                        'checkpoint'];
            var hr = h('tr');
            cols.forEach(function (c) {
                hr.appendChild(h('th', { scope: 'col', text: c.replace('_', ' ') }));
            });
            t.appendChild(h('thead', {}, [hr]));
            var tb = h('tbody');
            entries.forEach(function (e) {
                if (!isObj(e)) return;
                var r = h('tr');
                cols.forEach(function (c) {
                    var v = e[c];
                    if (c === 'time' && v === undefined && isFinite(e.ts))
                        v = new Date(e.ts).toISOString();
                    if (c === 'checkpoint' && isObj(v)) {
                        if (!cps.some(function (x) { return x.n === v.n; }))
                            cps.push(v);
                        v = '#' + pick(v, ['n', 'id']);
                    }
                    if (c === 'entry_hash' && typeof v === 'string')
                        v = v.slice(0, 12) + '…';
                    r.appendChild(h(c === 'seq' ? 'th' : 'td',
                                    c === 'seq' ? { scope: 'row' } : {},
                                    [v === undefined ? '' : scalar(v)]));
                });
                tb.appendChild(r);
            });
            t.appendChild(tb);
            box.appendChild(h('div', { class: 'table-wrap' }, [t]));
        }
        cps.forEach(function (cp) {
            box.appendChild(h('p', { class: 'small-head', text: 'Sealed by ' +
                                     'checkpoint #' + pick(cp, ['n', 'id']) }));
            var d = kv(cp);
            if (d) box.appendChild(d);
        });
        if (!entries.length && !cps.length && a !== undefined)
            box.appendChild(h('pre', { text: JSON.stringify(a, null, 2) }));
        return box.childNodes.length ? box : null;
    }

    function section(title, body) {
        if (!body) return null;
        return h('section', { class: 'ev-part' }, [h('h4', { text: title }),
                                                    body]);
    }

    function render(container, L) {
        container.textContent = '';
        if (typeof L === 'string') {
            try { L = JSON.parse(L); } catch (x) { /* shown raw below */ }
        }
        if (!isObj(L)) {
            container.appendChild(h('p', { class: 'note', text: L === undefined
                ? 'This signal has no lineage in the store.'
                : 'Lineage: ' + String(L) }));
            return;
        }
        var method = kv(L, ['signal', 'id', 'time_ms', 'params', 'parameters', 'cell',
                            'plan', 'rules', 'ruleset', 'plans', 'trigger',
                            'audit', 'contributions', 'events']);
        if (typeof L.plan === 'string' || typeof L.rules === 'string' ||
            typeof L.plans === 'string') {
            method = method || h('dl', { class: 'kv' });
            [['plan', L.plan], ['rule-set hash', L.rules],
             ['plan-set hash', L.plans]].forEach(function (p) {
                if (typeof p[1] !== 'string') return;
                method.appendChild(h('div', {}, [h('dt', { text: p[0] }),
                    h('dd', {}, [h('code', { text: p[1] || '(none)' })])]));
            });
        }
        var parts = [];
        var params = pick(L, ['params', 'parameters']);
        parts.push(section('Method and boundary', method));
        if (isObj(params)) parts.push(section('Parameters', kv(params)));
        [['cell', 'Cell'], ['trigger', 'Triggering event'], ['plan', 'Plan'],
         ['rules', 'Rule set'], ['ruleset', 'Rule set'], ['plans', 'Plan set']]
            .forEach(function (k) {
                if (isObj(L[k[0]])) parts.push(section(k[1], kv(L[k[0]])));
            });
        var evs = eventsOf(L);
        if (evs.length) {
            var box = h('div', {});
            var ol = h('ol', { class: 'events' });
            box.appendChild(ol);
            evs.forEach(function (ev, i) {
                if (!isObj(ev)) return;
                if (i === SHOW_EVENTS) { /* the rest behind a disclosure */
                    var more = h('details', { class: 'more-events' }, [
                        h('summary', { text: 'Show the other ' +
                                       (evs.length - SHOW_EVENTS) +
                                       ' contributing events' })]);
                    ol = h('ol', { class: 'events', start: SHOW_EVENTS + 1 });
                    more.appendChild(ol);
                    box.appendChild(more);
                }
                var li = h('li', {}, [eventHead(ev)]);
                mentionsOf(ev).forEach(function (m) {
                    li.appendChild(mentionView(m, ev));
                });
                ol.appendChild(li);
            });
            parts.push(section('Contributing events (' + evs.length + ')',
                               box));
        }
        parts.push(section('Audit trail', auditView(L)));
        parts.forEach(function (p) { if (p) container.appendChild(p); });
        var raw = h('details', { class: 'raw' }, [
            h('summary', { text: 'Raw lineage (JSON)' }),
            h('pre', { text: JSON.stringify(L, null, 2) })]);
        container.appendChild(raw);
    }

    global.DSEvidence = { render: render, spanParts: spanParts };
})(window);
