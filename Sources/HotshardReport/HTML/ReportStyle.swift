/// The page's CSS: light and dark themes from `prefers-color-scheme`, a layout that reads at
/// 1280 px and on a phone, and print rules for A4 that keep charts whole.
enum ReportStyle {
    static let css = """
        :root{color-scheme:light dark;--bg:#fff;--fg:#1d2329;--muted:#5b6670;--line:#d5dbe0;--panel:#f4f6f8;--accent:#0b63c5;--s1:#0b63c5;--s2:#d9480f;--s3:#2b8a3e;--s4:#862e9c;--s5:#e67700;--s6:#495057;--heat:#c92a2a;--warn:#e67700;--bad:#c92a2a;--good:#2b8a3e}
        @media (prefers-color-scheme:dark){:root{--bg:#15191d;--fg:#e4e8eb;--muted:#9aa5ae;--line:#36414a;--panel:#1e252b;--accent:#6cb1ff;--s1:#6cb1ff;--s2:#ff8f5a;--s3:#69db7c;--s4:#da77f2;--s5:#ffc078;--s6:#ced4da;--heat:#ff6b6b;--warn:#ffc078;--bad:#ff6b6b;--good:#69db7c}}
        *{box-sizing:border-box}
        body{margin:0;background:var(--bg);color:var(--fg);font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif}
        header,main,footer{max-width:1240px;margin:0 auto;padding:0 16px}
        h1{font-size:1.4rem;margin:20px 0 6px;overflow-wrap:anywhere}
        h2{font-size:1.2rem;margin:28px 0 8px;padding-top:8px;border-top:1px solid var(--line)}
        h3{font-size:1.02rem;margin:18px 0 6px}
        nav a{color:var(--accent);margin-right:10px;white-space:nowrap}
        code{font:13px/1.3 ui-monospace,"SFMono-Regular",Menlo,Consolas,monospace;overflow-wrap:anywhere}
        .verdict{font-size:1.15rem;font-weight:600;margin:10px 0}
        .measured,.note,figcaption,small{color:var(--muted)}
        .figures{display:grid;grid-template-columns:repeat(auto-fit,minmax(200px,1fr));gap:12px;margin:12px 0}
        .figure{background:var(--panel);border:1px solid var(--line);border-radius:8px;padding:10px 14px}
        .figure dt{color:var(--muted);font-size:.85rem}
        .figure dd{margin:0;font-size:1.6rem;font-weight:700}
        .figure dd.note{font-size:.85rem;font-weight:400;color:var(--muted);overflow-wrap:anywhere}
        .confidence{padding:8px 12px;border-radius:6px;border-left:4px solid var(--good);background:var(--panel)}
        .c-reduced{border-left-color:var(--warn)}.c-low{border-left-color:var(--bad)}
        .redaction{color:var(--muted);font-style:italic}
        .scroll{overflow-x:auto;max-width:100%}
        .scroll.tall{max-height:34rem;overflow-y:auto;border-bottom:1px solid var(--line)}
        table.data{border-collapse:collapse;font-size:13px;font-variant-numeric:tabular-nums;min-width:50%}
        table.data caption{text-align:left;color:var(--muted);padding:4px 0}
        table.data th,table.data td{border-bottom:1px solid var(--line);padding:3px 6px;text-align:right;white-space:nowrap}
        table.data th[scope=row],table.data td.key,table.data td:first-child,table.data td.text{text-align:left}
        #health-table td:last-child{text-align:left;white-space:normal}
        table.data thead th{position:sticky;top:0;background:var(--bg);vertical-align:bottom}
        td.key{max-width:28rem;overflow:hidden;text-overflow:ellipsis}
        #hot-keys th{white-space:normal;vertical-align:bottom}#hot-keys td{padding:3px 5px}
        tr.flag td,tr.flag th{color:var(--bad);font-weight:600}
        th button{all:inherit;cursor:pointer;text-decoration:underline dotted}
        th[aria-sort=ascending] button::after{content:" ▲"}
        th[aria-sort=descending] button::after{content:" ▼"}
        figure{margin:8px 0}
        svg.chart{width:100%;height:auto;max-width:1000px;display:block;font:11px system-ui,sans-serif}
        svg .grid{stroke:var(--line);stroke-width:1}
        svg .axis{stroke:var(--muted);stroke-width:1}
        svg .tick,svg .lbl,svg .key-lbl{fill:var(--muted)}
        svg .key-lbl{font-family:ui-monospace,Menlo,Consolas,monospace;fill:var(--fg)}
        svg .area.s1{fill:var(--s1);fill-opacity:.25;stroke:var(--s1)}
        svg .line{stroke-width:2;fill:none}
        svg .line.s1{stroke:var(--s1)}svg .line.s2{stroke:var(--s2)}svg .line.ref{stroke:var(--muted);stroke-dasharray:4 3}
        svg .dot.s1{fill:var(--s1)}svg .dot.s2{fill:var(--s2)}svg .dot.s3{fill:var(--s3)}svg .dot.s4{fill:var(--s4)}svg .dot.s5{fill:var(--s5)}svg .dot.s6{fill:var(--s6)}
        svg .s1t{fill:var(--s1)}svg .s2t{fill:var(--s2)}
        svg .heat{fill:var(--heat)}svg .heat-bg{fill:var(--panel)}svg .heat-unknown{fill:none;stroke:var(--muted);stroke-width:1;stroke-dasharray:2 2}
        svg .bar{fill:var(--s1)}svg .bar.warn{fill:var(--warn)}svg .bar.over{fill:var(--bad)}
        svg .limit{stroke-dasharray:5 4;stroke-width:1.5}svg .limit.target{stroke:var(--warn)}svg .limit.full{stroke:var(--bad)}
        .scheme.recommended h3{color:var(--good)}
        .badge{font-size:.75rem;border:1px solid var(--good);border-radius:10px;padding:1px 8px;margin-left:6px}
        .pair{display:grid;grid-template-columns:1fr 1fr;gap:16px;align-items:start}.badge.now{border-color:var(--accent)}
        .columns{display:flex;flex-wrap:wrap;gap:24px;align-items:flex-start}
        details{margin:6px 0 14px}summary{cursor:pointer;color:var(--accent)}
        footer{color:var(--muted);font-size:.85rem;margin:32px auto 24px}
        @media (max-width:700px){body{font-size:14px}.pair{grid-template-columns:1fr}.figure dd{font-size:1.3rem}td.key{max-width:14rem}}
        @page{size:A4;margin:14mm 12mm}
        @media print{:root{--bg:#fff;--fg:#000;--muted:#444;--panel:#f4f4f4;--line:#bbb}nav,summary,th button::after{display:none}body{font-size:10.5pt}header,main,footer{max-width:none;padding:0}figure,svg,.figure,tr{break-inside:avoid}h2,h3{break-after:avoid}svg.chart{max-width:100%}.scroll,.scroll.tall{overflow:visible;max-height:none}table.data thead th{position:static}a{color:inherit;text-decoration:none}}
        """
}
