/*
 * contrib/dashboard/app.js - the regulator dashboard: the signal list (live
 * through the SSE stream /api/stream), filters, a signal's detail (charts of
 * its cell's series, the evidence from its lineage), engine health and the
 * audit verification status. API: README.md, "HTTP API and dashboard" (read-only GET).
 *
 * Facts a reader needs:
 * - Token: with [http] token_file set, every API path but /healthz needs
 *   `Authorization: Bearer T`. The page takes T from the URL fragment
 *   (#token=T, removed from the address bar at once and kept in
 *   sessionStorage) or asks for it after a 401. EventSource cannot send
 *   headers, so the stream URL carries ?access_token=T when a token is set
 *   (works only where the server accepts it there).
 * - Live rows: a new signal from the stream is added at the top (if it
 *   passes the filters), marked "New" until opened, and announced in the
 *   aria-live region. On every (re)connect the list is topped up with
 *   /api/signals?after_id=<newest known>, so nothing is lost in between.
 * - Lineage (eng_explain_json) is rendered defensively: known parts get
 *   their own view, everything is also shown as raw JSON. Span offsets are
 *   UTF-8 byte offsets into the sentence, or into the text when a sentence
 *   start (sent_begin) is given.
 *
 * Not here: changing anything (alerts are acknowledged with the CLI
 * `devsurv alert ack|close`), charts (chart.js).
 */
(function () {
    'use strict';

    var FIELDS = ['plan', 'device', 'event', 'method', 'source', 'status'];
    var S = {
        token: '', signals: {}, filters: {}, selected: null, es: null,
        lastHealth: 0, newCount: 0, values: {}
    };
    FIELDS.forEach(function (f) { S.values[f] = {}; });

    var $ = function (id) { return document.getElementById(id); };

    function h(name, attrs, kids) {
        var e = document.createElement(name);
        Object.keys(attrs || {}).forEach(function (k) {
            if (k === 'text') e.textContent = attrs[k];
            else e.setAttribute(k, attrs[k]);
        });
        [].concat(kids || []).forEach(function (c) {
            if (c === null || c === undefined) return;
            e.appendChild(typeof c === 'string' || typeof c === 'number'
                          ? document.createTextNode(String(c)) : c);
        });
        return e;
    }

    /* ---- formatting ---------------------------------------------------- */

    function fmtTime(ts, long) {
        if (!isFinite(ts)) return '';
        var s = new Date(ts).toISOString();
        return long ? s.slice(0, 16).replace('T', ' ') + ' UTC'
                    : s.slice(0, 10);
    }
    function fmtNum(v, d) {
        if (typeof v !== 'number' || !isFinite(v)) return v == null ? '' : String(v);
        return Number.isInteger(v) && d === undefined ? String(v)
            : v.toFixed(d === undefined ? 3 : d);
    }
    function sigTs(s) {
        return isFinite(s.ts) ? s.ts : Date.parse(s.time);
    }
    function short(hash) {
        return typeof hash === 'string' && hash.length > 16
            ? hash.slice(0, 12) + '…' : String(hash == null ? '' : hash);
    }
    function ago(sec) {
        return sec < 120 ? Math.round(sec) + ' s ago'
            : sec < 7200 ? Math.round(sec / 60) + ' min ago'
            : sec < 172800 ? Math.round(sec / 3600) + ' h ago'
            : Math.round(sec / 86400) + ' days ago';
    }
    /* An API time: Unix ms or an RFC 3339 string. */
    function anyTime(t) {
        return typeof t === 'number' ? fmtTime(t, true) : String(t || '');
    }
    function alertStatus(s) {
        return s.alert && s.alert.status ? s.alert.status : 'none';
    }

    /* ---- API ----------------------------------------------------------- */

    function api(path) {
        var headers = { Accept: 'application/json' };
        if (S.token) headers.Authorization = 'Bearer ' + S.token;
        return fetch(path, { headers: headers, cache: 'no-store' })
            .then(function (r) {
                if (r.status === 401) {
                    askToken();
                    throw new Error('access token required');
                }
                return r.json().catch(function () { return {}; })
                    .then(function (j) {
                        if (!r.ok) throw new Error(j.error || 'HTTP ' + r.status);
                        return j;
                    });
            });
    }

    function readToken() {
        var m = /(?:^#|&)token=([^&]*)/.exec(location.hash);
        if (m) {
            S.token = decodeURIComponent(m[1]);
            try { sessionStorage.setItem('devsurv-token', S.token); } catch (e) {}
            var rest = location.hash.replace(/(^#|&)token=[^&]*/, '$1')
                .replace(/^#&/, '#');
            history.replaceState(null, '', location.pathname + location.search +
                                 (rest === '#' ? '' : rest));
        } else {
            try { S.token = sessionStorage.getItem('devsurv-token') || ''; }
            catch (e) { S.token = ''; }
        }
    }

    function askToken() {
        var box = $('token-box');
        if (!box.hidden) return;
        box.hidden = false;
        $('token-input').focus();
    }

    /* ---- header: health, stream, audit --------------------------------- */

    function setState(id, state, text, title) {
        var e = $(id);
        e.setAttribute('data-state', state);
        e.textContent = text;
        if (title) e.title = title; else e.removeAttribute('title');
    }

    /* /healthz says {"status","db"}; the stream's health event carries
     * engine counters (engine.events ...) and may omit status: a
     * heartbeat that arrives means the engine is up. */
    function showHealth(j) {
        j = j || {};
        S.lastHealth = Date.now();
        var st = j.status || (j.db && j.db !== 'ok' ? 'degraded' : 'ok');
        var ok = st === 'ok';
        var c = j.engine || j;
        var extra = [];
        if (j.db && j.db !== 'ok') extra.push('db ' + j.db);
        if (typeof c.lag_ms === 'number') extra.push('lag ' + c.lag_ms + ' ms');
        if (typeof c.events === 'number') extra.push(c.events + ' events');
        if (c.quarantined) extra.push(c.quarantined + ' quarantined');
        if (typeof c.signals === 'number') extra.push(c.signals + ' signals');
        if (extra.length && j.engine) extra[extra.length - 1] += ' this run';
        setState('health', ok ? 'ok' : 'bad',
                 (ok ? 'healthy' : 'unhealthy: ' + st) +
                 (extra.length ? ' · ' + extra.join(' · ') : ''),
                 JSON.stringify(j));
    }

    function pollHealth() {
        fetch('/healthz', { cache: 'no-store' })
            .then(function (r) { return r.json(); })
            .then(showHealth)
            .catch(function () {
                setState('health', 'bad', 'unreachable');
            });
    }

    function watchHeartbeat() {
        if (S.lastHealth && Date.now() - S.lastHealth > 5000) {
            pollHealth();
            if (Date.now() - S.lastHealth > 5000)
                setState('health', 'stale', 'no heartbeat for ' +
                         Math.round((Date.now() - S.lastHealth) / 1000) + ' s');
        }
    }

    function loadAudit() {
        api('/api/audit').then(function (a) {
            var v = a.verify || {};
            var st = v.status || 'pending';
            var cp = a.last_checkpoint;
            var parts = [st === 'ok' ? 'verified' : st === 'broken'
                         ? 'BROKEN' : 'verification pending'];
            if (isFinite(a.entries)) parts.push(a.entries + ' entries');
            if (cp && isFinite(cp.n)) parts.push('checkpoint ' + cp.n +
                (cp.age_seconds >= 0 ? ' (' + ago(cp.age_seconds) + ')' : ''));
            setState('audit', st === 'ok' ? 'ok' : st === 'broken' ? 'bad'
                     : 'stale', parts.join(' · '),
                     (v.detail || '') + (v.checked_at ? ' - checked ' +
                                         v.checked_at : ''));
        }).catch(function (e) {
            setState('audit', 'stale', 'unknown (' + e.message + ')');
        });
    }

    /* ---- filters ------------------------------------------------------- */

    function valueOf(s, f) {
        return f === 'status' ? alertStatus(s) : s[f];
    }

    function passes(s) {
        return FIELDS.every(function (f) {
            return !S.filters[f] || String(valueOf(s, f)) === S.filters[f];
        });
    }

    function learnValues(s) {
        ['plan', 'device', 'event', 'method', 'source'].forEach(function (f) {
            var v = s[f];
            if (v === undefined || v === null || v === '' ||
                S.values[f][v]) return;
            S.values[f][v] = true;
            var sel = $('f-' + f);
            var opts = [].slice.call(sel.options, 1);
            var after = opts.find(function (o) { return o.value > v; });
            sel.insertBefore(h('option', { value: v, text: v }), after || null);
        });
    }

    function readFilters() {
        FIELDS.forEach(function (f) { S.filters[f] = $('f-' + f).value; });
    }

    function query() {
        var q = FIELDS.filter(function (f) { return S.filters[f]; })
            .map(function (f) {
                return f + '=' + encodeURIComponent(S.filters[f]); });
        return q;
    }

    /* ---- signal list --------------------------------------------------- */

    function row(s, isNew) {
        var btn = h('button', { type: 'button', class: 'open',
                                'data-id': s.id,
                                'aria-label': 'Open signal ' + s.id + ': ' +
                                    s.device + ' × ' + s.event },
                    ['#' + s.id]);
        var first = h('th', { scope: 'row' }, [btn]);
        if (isNew) first.appendChild(h('span', { class: 'badge badge-new',
                                                 text: 'New' }));
        var st = alertStatus(s);
        var alertCell = h('td', {}, [h('span', {
            class: 'badge alert-' + st, text: st })]);
        if (s.alert && s.alert.by) alertCell.appendChild(h('span', {
            class: 'sub', text: 'by ' + s.alert.by }));
        var tr = h('tr', { 'data-id': s.id, 'data-device': s.device,
                           'data-plan': s.plan || '',
                           class: isNew ? 'is-new' : '' }, [
            first,
            h('td', { text: fmtTime(sigTs(s), true).replace(' UTC', '') }),
            h('td', {}, [h('span', { class: 'cell', text: s.device + ' × ' +
                                     s.event }),
                         h('span', { class: 'sub', text: s.plan ||
                                     '(coded outcomes)' })]),
            h('td', { class: 'num' }, [
                h('span', { text: fmtNum(s.statistic) + ' / ' +
                            fmtNum(s.threshold) }),
                h('span', { class: 'sub', text: s.method })]),
            h('td', { class: 'num', text: fmtNum(s.observed) + ' / ' +
                      fmtNum(s.expected, 2) }),
            h('td', { text: s.source }),
            alertCell
        ]);
        if (S.selected === s.id) tr.setAttribute('aria-current', 'true');
        return tr;
    }

    function noteCount() {
        var n = $('signal-rows').rows.length;
        var f = query().length;
        $('list-note').textContent = (n === 0
            ? (f ? 'No signals match these filters.' : 'No signals yet. ' +
               'New ones appear here as the engine raises them.')
            : n + ' signal' + (n === 1 ? '' : 's') + (f ? ' match' +
               (n === 1 ? 'es' : '') + ' the filters' : '') + '.') +
            (S.newCount ? ' ' + S.newCount + ' new since this page opened.'
                        : '');
    }

    function renderList(list) {
        var tb = $('signal-rows');
        tb.textContent = '';
        list.sort(function (a, b) { return b.id - a.id; })
            .forEach(function (s) { tb.appendChild(row(s, !!s._new)); });
        noteCount();
    }

    function loadSignals() {
        readFilters();
        var q = query().concat(['limit=500']);
        return api('/api/signals?' + q.join('&')).then(function (j) {
            var list = (j.signals || []).filter(passes);
            list.forEach(function (s) {
                var old = S.signals[s.id];
                if (old) s._new = old._new;
                S.signals[s.id] = s;
                learnValues(s);
            });
            renderList(list);
        }).catch(function (e) {
            $('list-note').textContent = 'Could not load signals: ' + e.message;
        });
    }

    /* Top up with every signal newer than the newest known one (after a
     * stream (re)connect: the stream only sends what is new since then). */
    function catchUp() {
        var ids = Object.keys(S.signals).map(Number);
        var max = ids.length ? Math.max.apply(null, ids) : 0;
        return api('/api/signals?after_id=' + max + '&limit=500')
            .then(function (j) {
                (j.signals || []).forEach(function (s) { addLive(s, false); });
            }).catch(function () {});
    }

    /* The announcer is a role=log live region: each message is appended
     * (screen readers read additions), the oldest dropped past 10. */
    function announce(msg) {
        var a = $('announcer');
        a.appendChild(h('p', { text: msg }));
        while (a.childNodes.length > 10) a.removeChild(a.firstChild);
    }

    function addLive(s, fromStream) {
        if (!s || !isFinite(s.id)) return;
        var known = S.signals[s.id];
        s._new = known ? known._new : true;
        S.signals[s.id] = s;
        learnValues(s);
        var tb = $('signal-rows');
        var old = tb.querySelector('tr[data-id="' + s.id + '"]');
        if (!passes(s)) { if (old) old.remove(); noteCount(); return; }
        var tr = row(s, s._new);
        if (old) { tb.replaceChild(tr, old); return; }
        var before = [].find.call(tb.rows, function (r) {
            return Number(r.getAttribute('data-id')) < s.id; });
        tb.insertBefore(tr, before || null);
        if (!known) {
            S.newCount++;
            announce('New signal #' + s.id + ': ' + s.device + ' × ' +
                     s.event + ' (' + s.method + '), statistic ' +
                     fmtNum(s.statistic) + ' crossed boundary ' +
                     fmtNum(s.threshold) + '.');
        }
        noteCount();
        void fromStream;
    }

    function openStream() {
        if (S.es) S.es.close();
        var url = '/api/stream' + (S.token ? '?access_token=' +
                                   encodeURIComponent(S.token) : '');
        var es = new EventSource(url);
        S.es = es;
        es.onopen = function () {
            setState('stream-state', 'ok', 'live');
            catchUp();
        };
        es.onerror = function () {
            setState('stream-state', es.readyState === 2 ? 'bad' : 'stale',
                     es.readyState === 2 ? 'disconnected' : 'reconnecting…');
            if (es.readyState === 2) setTimeout(openStream, 5000);
        };
        es.addEventListener('signal', function (ev) {
            try { addLive(JSON.parse(ev.data), true); } catch (e) {}
        });
        es.addEventListener('health', function (ev) {
            try { showHealth(JSON.parse(ev.data)); } catch (e) {}
        });
    }

    /* ---- detail -------------------------------------------------------- */

    function dl(pairs) {
        var d = h('dl', { class: 'kv' });
        pairs.forEach(function (p) {
            if (p[1] === undefined || p[1] === null || p[1] === '') return;
            d.appendChild(h('div', {}, [h('dt', { text: p[0] }),
                                        h('dd', {}, [p[1]])]));
        });
        return d;
    }

    function summary(s) {
        var a = s.alert;
        var crossed = s.statistic >= s.threshold;
        return h('div', {}, [
            h('p', { class: 'lead' }, [
                s.device + ' × ' + s.event + ' under plan ' +
                (s.plan || '(coded outcomes)') + ': ' + s.method +
                ' statistic ' + fmtNum(s.statistic) +
                (crossed ? ' reached' : ' is below') + ' its boundary ' +
                fmtNum(s.threshold) + ' on ' + fmtTime(sigTs(s), true) +
                ', with ' + fmtNum(s.observed) + ' observed against ' +
                fmtNum(s.expected, 2) + ' expected.']),
            dl([['Signal', '#' + s.id + (s.generation ? ' (generation ' +
                                         s.generation + ')' : '')],
                ['Raised by', s.source + ' epoch ' + s.epoch + ' seq ' + s.seq],
                ['Alert', a ? a.status + (a.by ? ' by ' + a.by : '') +
                 (a.reason ? ': ' + a.reason : '') + (a.updated ? ' (since ' +
                 anyTime(a.updated) + ')' : '') : 'no alert recorded'],
                ['Rule set', short(s.rules)], ['Plan set', short(s.plans)]])
        ]);
    }

    function charts(s, ser) {
        var pts = (ser && ser.points) || [];
        var sigs = (ser && ser.signals && ser.signals.length) ? ser.signals
            : [{ id: s.id, ts: sigTs(s) }];
        var xy = function (k) {
            return pts.map(function (p) {
                return { x: isFinite(p.ts) ? p.ts : Date.parse(p.time),
                         y: p[k] }; });
        };
        var marks = function (on) {
            return sigs.map(function (g) {
                var m = { x: isFinite(g.ts) ? g.ts : Date.parse(g.time),
                          label: 'signal #' + g.id, on: on,
                          role: 'signal-marker' };
                if (g.id === s.id) m.y = on === 'statistic' ? s.statistic
                                                            : s.observed;
                return m;
            });
        };
        var last = pts[pts.length - 1];
        var first = sigs.find(function (g) { return g.id === s.id; }) || sigs[0];
        DSChart.render($('chart-stat'), {
            title: s.method + ' statistic and boundary, ' + s.device + ' × ' +
                s.event,
            summary: pts.length + ' points from ' + fmtTime(pts.length ?
                xy('statistic')[0].x : NaN, true) + ' to ' +
                fmtTime(last ? xy('statistic')[pts.length - 1].x : NaN, true) +
                '. Signal #' + first.id + ' at ' +
                fmtTime(isFinite(first.ts) ? first.ts : Date.parse(first.time),
                        true) + ' when the statistic ' + fmtNum(s.statistic) +
                ' reached the boundary ' + fmtNum(s.threshold) + '.' +
                (last ? ' Latest statistic ' + fmtNum(last.statistic) +
                 ', boundary ' + fmtNum(last.threshold) + '.' : ''),
            series: [{ name: 'Statistic', role: 'statistic',
                       points: xy('statistic') },
                     { name: 'Boundary (critical value)', role: 'boundary',
                       points: xy('threshold'), dash: true }],
            markers: marks('statistic'),
            xFormat: fmtTime,
            yFormat: function (v) { return fmtNum(v, 2); }
        });
        DSChart.render($('chart-counts'), {
            title: 'Observed and expected counts, ' + s.device + ' × ' + s.event,
            summary: last ? 'Latest: ' + fmtNum(last.observed) +
                ' observed against ' + fmtNum(last.expected, 2) +
                ' expected under the null hypothesis.' : '',
            series: [{ name: 'Observed', role: 'observed',
                       points: xy('observed'), step: true },
                     { name: 'Expected under H0', role: 'expected',
                       points: xy('expected'), dash: true }],
            markers: marks('observed'),
            xFormat: fmtTime,
            yFormat: function (v) { return fmtNum(v, 1); }
        });
    }

    function openSignal(id, focus) {
        var s = S.signals[id];
        S.selected = id;
        [].forEach.call($('signal-rows').rows, function (r) {
            if (Number(r.getAttribute('data-id')) === id)
                r.setAttribute('aria-current', 'true');
            else r.removeAttribute('aria-current');
        });
        if (s && s._new) {
            s._new = false;
            var tr = $('signal-rows').querySelector('tr[data-id="' + id + '"]');
            if (tr) {
                tr.classList.remove('is-new');
                var b = tr.querySelector('.badge-new');
                if (b) b.remove();
            }
        }
        var d = $('detail');
        d.hidden = false;
        d.setAttribute('aria-busy', 'true');
        $('detail-heading').textContent = 'Signal #' + id;
        $('detail-summary').textContent = 'Loading…';
        ['chart-stat', 'chart-counts', 'evidence'].forEach(function (c) {
            $(c).textContent = '';
        });
        if (focus !== false) $('detail-heading').focus();
        history.replaceState(null, '', '#signal=' + id);
        api('/api/signals/' + id).then(function (full) {
            if (S.selected !== id) return;
            $('detail-heading').textContent = 'Signal #' + id + ': ' +
                full.device + ' × ' + full.event;
            $('detail-summary').textContent = '';
            $('detail-summary').appendChild(summary(full));
            DSEvidence.render($('evidence'), full.lineage);
            var path = '/api/cells/' + [full.plan || '', full.device,
                                        full.event].map(encodeURIComponent)
                .join('/') + '/series';
            return api(path).catch(function (e) {
                return { points: [], error: e.message };
            }).then(function (ser) {
                if (S.selected !== id) return;
                charts(full, ser);
                if (ser.error) $('chart-stat').appendChild(h('p', {
                    class: 'note', text: 'Series unavailable: ' + ser.error }));
            });
        }).catch(function (e) {
            $('detail-summary').textContent = 'Could not load signal #' + id +
                ': ' + e.message;
        }).then(function () { d.removeAttribute('aria-busy'); });
    }

    function closeDetail() {
        var id = S.selected;
        S.selected = null;
        $('detail').hidden = true;
        history.replaceState(null, '', location.pathname + location.search);
        [].forEach.call($('signal-rows').rows, function (r) {
            r.removeAttribute('aria-current'); });
        var b = $('signal-rows').querySelector('button[data-id="' + id + '"]');
        (b || $('signals-heading')).focus();
    }

    /* ---- wiring -------------------------------------------------------- */

    function onListClick(ev) {
        var tr = ev.target.closest('tr[data-id]');
        if (!tr || ev.target.closest('a')) return;
        openSignal(Number(tr.getAttribute('data-id')));
    }

    /* Up/Down move between the rows' buttons; Enter/Space on a button is
     * the browser's own activation. */
    function onListKey(ev) {
        if (!ev.target.matches('button.open')) return;
        if (ev.key !== 'ArrowDown' && ev.key !== 'ArrowUp') return;
        var btns = [].slice.call($('signal-rows').querySelectorAll('button.open'));
        var i = btns.indexOf(ev.target) + (ev.key === 'ArrowDown' ? 1 : -1);
        if (i >= 0 && i < btns.length) { btns[i].focus(); ev.preventDefault(); }
    }

    function start() {
        readToken();
        $('signal-rows').addEventListener('click', onListClick);
        $('signal-rows').addEventListener('keydown', onListKey);
        $('filters').addEventListener('change', loadSignals);
        $('filters').addEventListener('submit', function (e) {
            e.preventDefault(); });
        $('filters').addEventListener('reset', function () {
            setTimeout(loadSignals, 0); });
        $('detail-close').addEventListener('click', closeDetail);
        document.addEventListener('keydown', function (e) {
            if (e.key === 'Escape' && !$('detail').hidden) closeDetail();
        });
        $('token-form').addEventListener('submit', function (e) {
            e.preventDefault();
            S.token = $('token-input').value.trim();
            try { sessionStorage.setItem('devsurv-token', S.token); } catch (x) {}
            $('token-box').hidden = true;
            boot();
        });
        boot();
        setInterval(watchHeartbeat, 2000);
        setInterval(loadAudit, 30000);
    }

    function boot() {
        pollHealth();
        loadAudit();
        api('/api/plans').then(function (j) {
            (j.plans || []).forEach(function (p) { learnValues({ plan: p.id }); });
        }).catch(function () {});
        loadSignals().then(function () {
            openStream();
            var m = /signal=(\d+)/.exec(location.hash);
            if (m) openSignal(Number(m[1]), false);
        });
    }

    window.DSApp = { state: S, open: openSignal };
    if (document.readyState === 'loading')
        document.addEventListener('DOMContentLoaded', start);
    else start();
})();
