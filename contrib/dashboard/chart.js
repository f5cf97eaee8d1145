/*
 * contrib/dashboard/chart.js - small hand-written SVG time-series charts
 * for the dashboard (no library, works offline).
 *
 * DSChart.render(container, spec) replaces container's content with a
 * <figure>: an <svg role="img"> with <title>/<desc>, one path per series,
 * vertical markers (the signal moments), an HTML legend, a caption that
 * summarises the data in words and a "Data table" <details> with every
 * point, so the chart has a full text alternative.
 *
 * spec = {
 *   title, summary,                      caption and svg <desc>
 *   series: [{name, role, points: [{x, y}], step, dash}],
 *   markers: [{x, label, role, on, y}],  dot at y, else on the series
 *                                        whose role is `on`
 *   xFormat(x), yFormat(y)               axis and table labels
 * }
 * x is Unix milliseconds (event time); y any number. Every drawn element
 * carries data-role (the series role, "signal-marker", "axis") so tests
 * and styles can find it.
 *
 * Not here: fetching data, interaction beyond the native <details>.
 */
(function (global) {
    'use strict';
    var NS = 'http://www.w3.org/2000/svg';
    var W = 640, H = 250, ML = 56, MR = 16, MT = 14, MB = 40;
    var uid = 0;

    function el(name, attrs, text) {
        var e = document.createElementNS(NS, name);
        Object.keys(attrs || {}).forEach(function (k) {
            e.setAttribute(k, attrs[k]);
        });
        if (text !== undefined) e.textContent = text;
        return e;
    }

    function h(name, attrs, text) {
        var e = document.createElement(name);
        Object.keys(attrs || {}).forEach(function (k) {
            e.setAttribute(k, attrs[k]);
        });
        if (text !== undefined) e.textContent = text;
        return e;
    }

    /* "Nice" tick values covering [lo, hi], about n of them. */
    function ticks(lo, hi, n) {
        if (!(hi > lo)) return [lo];
        var raw = (hi - lo) / n;
        var mag = Math.pow(10, Math.floor(Math.log10(raw)));
        var step = [1, 2, 2.5, 5, 10].map(function (m) { return m * mag; })
            .find(function (s) { return s >= raw; }) || raw;
        var out = [];
        for (var v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9;
             v += step)
            out.push(Math.round(v / step) * step);
        return out;
    }

    function extent(spec) {
        var xs = [], ys = [0];
        spec.series.forEach(function (s) {
            s.points.forEach(function (p) {
                if (isFinite(p.x)) xs.push(p.x);
                if (isFinite(p.y)) ys.push(p.y);
            });
        });
        (spec.markers || []).forEach(function (m) {
            if (isFinite(m.x)) xs.push(m.x);
            if (isFinite(m.y)) ys.push(m.y);
        });
        var x0 = Math.min.apply(null, xs), x1 = Math.max.apply(null, xs);
        if (!(x1 > x0)) { x0 -= 3600000; x1 += 3600000; }
        var y0 = Math.min.apply(null, ys), y1 = Math.max.apply(null, ys);
        if (!(y1 > y0)) y1 = y0 + 1;
        y1 += (y1 - y0) * 0.08;
        return { x0: x0, x1: x1, y0: y0, y1: y1 };
    }

    function pathD(points, sx, sy, step) {
        var d = '', prev = null;
        points.forEach(function (p) {
            if (!isFinite(p.x) || !isFinite(p.y)) return;
            var X = sx(p.x).toFixed(1), Y = sy(p.y).toFixed(1);
            if (prev === null) d += 'M' + X + ' ' + Y;
            else if (step) d += 'H' + X + 'V' + Y;
            else d += 'L' + X + ' ' + Y;
            prev = p;
        });
        return d;
    }

    /* The y of series `role` at x: the last point at or before x. */
    function valueAt(spec, role, x) {
        var s = spec.series.find(function (t) { return t.role === role; });
        if (!s) return null;
        var best = null;
        s.points.forEach(function (p) { if (p.x <= x) best = p; });
        return best || s.points[0] || null;
    }

    function axes(svg, spec, e, sx, sy) {
        var g = el('g', { 'data-role': 'axis', 'aria-hidden': 'true' });
        ticks(e.y0, e.y1, 5).forEach(function (v) {
            var y = sy(v);
            g.appendChild(el('line', { x1: ML, x2: W - MR, y1: y, y2: y,
                                       class: 'grid' }));
            g.appendChild(el('text', { x: ML - 6, y: y + 4, class: 'tick',
                                       'text-anchor': 'end' },
                             spec.yFormat(v)));
        });
        var n = 4;
        for (var i = 0; i <= n; i++) {
            var x = e.x0 + (e.x1 - e.x0) * i / n;
            g.appendChild(el('text', { x: sx(x), y: H - MB + 18,
                                       class: 'tick',
                                       'text-anchor': i === 0 ? 'start'
                                           : i === n ? 'end' : 'middle' },
                             spec.xFormat(x)));
        }
        g.appendChild(el('line', { x1: ML, x2: W - MR, y1: H - MB,
                                   y2: H - MB, class: 'axis' }));
        g.appendChild(el('line', { x1: ML, x2: ML, y1: MT, y2: H - MB,
                                   class: 'axis' }));
        svg.appendChild(g);
    }

    function markers(svg, spec, sx, sy) {
        (spec.markers || []).forEach(function (m) {
            var g = el('g', { 'data-role': m.role || 'signal-marker',
                              class: 'marker' });
            var X = sx(m.x);
            g.appendChild(el('line', { x1: X, x2: X, y1: MT, y2: H - MB }));
            var p = isFinite(m.y) ? { y: m.y }
                : m.on ? valueAt(spec, m.on, m.x) : null;
            if (p) g.appendChild(el('circle', { cx: X, cy: sy(p.y), r: 5 }));
            var right = X > W - 120;
            g.appendChild(el('text', { x: right ? X - 6 : X + 6, y: MT + 12,
                                       'text-anchor': right ? 'end' : 'start' },
                             m.label));
            g.appendChild(el('title', {}, m.label + ' at ' +
                                           spec.xFormat(m.x, true)));
            svg.appendChild(g);
        });
    }

    function legend(spec) {
        var ul = h('ul', { class: 'legend' });
        spec.series.forEach(function (s) {
            var li = h('li', { class: 'legend-' + s.role });
            li.appendChild(h('span', { class: 'swatch', 'aria-hidden': 'true' }));
            li.appendChild(document.createTextNode(s.name));
            ul.appendChild(li);
        });
        (spec.markers || []).forEach(function (m) {
            var li = h('li', { class: 'legend-marker' });
            li.appendChild(h('span', { class: 'swatch', 'aria-hidden': 'true' }));
            li.appendChild(document.createTextNode(m.label));
            ul.appendChild(li);
        });
        return ul;
    }

    /* Every point of every series in one table (rows by x). */
    function dataTable(spec) {
        var det = h('details', { class: 'data-table' });
        det.appendChild(h('summary', {}, 'Data table: ' + spec.title));
        var t = h('table');
        t.appendChild(h('caption', {}, spec.title));
        var tr = h('tr');
        tr.appendChild(h('th', { scope: 'col' }, 'Time (UTC)'));
        spec.series.forEach(function (s) {
            tr.appendChild(h('th', { scope: 'col', class: 'num' }, s.name));
        });
        t.appendChild(h('thead')).appendChild(tr);
        var rows = {};
        spec.series.forEach(function (s, i) {
            s.points.forEach(function (p) {
                (rows[p.x] = rows[p.x] || [])[i] = p.y;
            });
        });
        var tb = t.appendChild(h('tbody'));
        var marks = {};
        (spec.markers || []).forEach(function (m) { marks[m.x] = m.label; });
        Object.keys(rows).map(Number).sort(function (a, b) { return a - b; })
            .forEach(function (x) {
                var r = h('tr');
                var label = spec.xFormat(x, true) +
                    (marks[x] ? ' (' + marks[x] + ')' : '');
                r.appendChild(h('th', { scope: 'row' }, label));
                spec.series.forEach(function (s, i) {
                    var v = rows[x][i];
                    r.appendChild(h('td', { class: 'num' },
                                    v === undefined ? '' : spec.yFormat(v)));
                });
                tb.appendChild(r);
            });
        det.appendChild(t);
        return det;
    }

    function render(container, spec) {
        spec.xFormat = spec.xFormat || function (x) { return String(x); };
        spec.yFormat = spec.yFormat || function (y) { return String(y); };
        container.textContent = '';
        var fig = h('figure', { class: 'chart-fig' });
        var n = spec.series.reduce(function (a, s) {
            return a + s.points.length; }, 0);
        if (n === 0) {
            fig.appendChild(h('p', { class: 'note' },
                              'No series points recorded for this cell.'));
            container.appendChild(fig);
            return fig;
        }
        var id = 'chart' + (++uid);
        var svg = el('svg', { viewBox: '0 0 ' + W + ' ' + H, role: 'img',
                              'aria-labelledby': id + 't ' + id + 'd',
                              class: 'chart-svg' });
        svg.appendChild(el('title', { id: id + 't' }, spec.title));
        svg.appendChild(el('desc', { id: id + 'd' }, spec.summary || ''));
        var e = extent(spec);
        var sx = function (x) {
            return ML + (x - e.x0) / (e.x1 - e.x0) * (W - ML - MR); };
        var sy = function (y) {
            return H - MB - (y - e.y0) / (e.y1 - e.y0) * (H - MT - MB); };
        axes(svg, spec, e, sx, sy);
        spec.series.forEach(function (s) {
            svg.appendChild(el('path', { d: pathD(s.points, sx, sy, s.step),
                                         'data-role': s.role,
                                         class: 'series series-' + s.role +
                                             (s.dash ? ' dashed' : '') }));
        });
        markers(svg, spec, sx, sy);
        fig.appendChild(svg);
        fig.appendChild(legend(spec));
        fig.appendChild(h('figcaption', {}, spec.summary || spec.title));
        fig.appendChild(dataTable(spec));
        container.appendChild(fig);
        return fig;
    }

    global.DSChart = { render: render, ticks: ticks };
})(window);
