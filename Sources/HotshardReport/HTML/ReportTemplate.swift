/// The page, as a mustache template compiled into the binary. Escaping is on: `{{name}}` escapes
/// `& < > " '`. Triple braces appear only for `style`, `script`, `csp` (constants of this module)
/// and fields ending in `SVG` (built by the `SVG…` types, which escape all text); a test holds
/// the template to that list.
enum ReportTemplate {
    static let source = #"""
        <!DOCTYPE html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta http-equiv="Content-Security-Policy" content="{{{csp}}}">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <meta name="generator" content="{{toolVersion}}">
        <title>{{title}}</title>
        <style>{{{style}}}</style>
        </head>
        <body>
        <header>
        <h1>{{title}}</h1>
        <nav aria-label="Sections"><a href="#summary">Summary</a> {{#hasRecommendations}}<a href="#recommendations">Recommendations</a> {{/hasRecommendations}}<a href="#hot-keys-section">Hot keys</a> <a href="#heat">Heat timeline</a> <a href="#traffic">Traffic</a> <a href="#latency">Latency</a> {{#hasPrefixes}}<a href="#prefixes">Prefixes</a> {{/hasPrefixes}}{{#hasQueues}}<a href="#queues">Queues</a> {{/hasQueues}}{{#model}}<a href="#model">Model</a> {{/model}}{{#replayNote}}<a href="#replay">Replay</a> {{/replayNote}}<a href="#health">Capture health</a> <a href="#configuration">Configuration</a></nav>
        </header>
        <main>
        <section id="summary" aria-labelledby="summary-h">
        <h2 id="summary-h">Summary</h2>
        <p class="measured">{{sourceKind}}: {{measured}}</p>
        <p class="verdict" id="verdict">{{verdict}}</p>
        <dl class="figures">
        {{#figures}}<div class="figure" id="figure-{{id}}"><dt>{{label}}</dt><dd data-v="{{exact}}">{{value}}</dd><dd class="note">{{note}}</dd></div>
        {{/figures}}
        </dl>
        <p class="confidence c-{{confidenceLevel}}" id="confidence"><strong>{{confidenceSummary}}</strong></p>
        {{#redaction}}<p class="redaction" id="redaction">{{.}}</p>{{/redaction}}
        </section>

        {{#hasRecommendations}}
        <section id="recommendations" aria-labelledby="recommendations-h">
        <h2 id="recommendations-h">Recommendations</h2>
        <p>What the model below concludes for this traffic, first: the layout, then what to do with each key no node count fixes.</p>
        <ol class="recommendations">{{#recommendations}}<li><strong>{{kind}}</strong>{{#hasKey}} <code title="{{keyFull}}">{{key}}</code>{{/hasKey}}{{#factor}} ({{factor}}){{/factor}}: {{detail}}</li>
        {{/recommendations}}</ol>
        {{#recommendationsNote}}<p class="note">{{.}}</p>{{/recommendationsNote}}
        </section>
        {{/hasRecommendations}}

        <section id="hot-keys-section" aria-labelledby="hot-keys-h">
        <h2 id="hot-keys-h">Hot keys</h2>
        <p>{{hotKeysNote}} Select a column heading to sort.</p>
        <div class="scroll tall">
        <table id="hot-keys" class="sortable data">
        <caption>Hot keys, hottest first</caption>
        <thead><tr>
        <th scope="col" data-col="rank" data-type="num">#</th>
        <th scope="col" data-col="key" data-type="text">key</th>
        <th scope="col" data-col="count" data-type="num">requests</th>
        <th scope="col" data-col="share" data-type="num">share</th>
        <th scope="col" data-col="cumulative" data-type="num">cumulative</th>
        <th scope="col" data-col="reads" data-type="num">reads</th>
        <th scope="col" data-col="writes" data-type="num">writes</th>
        <th scope="col" data-col="bytes" data-type="num">bytes</th>
        <th scope="col" data-col="largest" data-type="num">largest value</th>
        <th scope="col" data-col="hit-ratio" data-type="num">hit ratio</th>
        <th scope="col" data-col="p99" data-type="num">p99</th>
        <th scope="col" data-col="clients" data-type="num">clients</th>
        <th scope="col" data-col="error-bound" data-type="num">error bound</th>
        <th scope="col" data-col="hot-since" data-type="num">hot since</th>
        </tr></thead>
        <tbody>
        {{#hotKeyRows}}<tr data-rank="{{rank}}"><td data-v="{{rank}}">{{rank}}</td><td class="key"{{#shortened}} title="{{keyFull}}"{{/shortened}}><code>{{keyShort}}</code> <small>{{wireProtocol}}</small></td><td data-v="{{countExact}}">{{count}}</td><td data-v="{{shareExact}}">{{share}}</td><td data-v="{{cumulativeExact}}">{{cumulative}}</td><td data-v="{{readsExact}}">{{reads}}{{#measuredFrom}}<sup title="statistics {{measuredFrom}}">*</sup>{{/measuredFrom}}</td><td data-v="{{writesExact}}">{{writes}}</td><td data-v="{{bytesExact}}" title="{{bytesDetail}}">{{bytes}}</td><td data-v="{{largestExact}}">{{largest}}</td><td data-v="{{hitRatioExact}}">{{hitRatio}}</td><td data-v="{{p99Exact}}">{{p99}}</td><td data-v="{{clientsExact}}">{{clients}}</td><td data-v="{{errorBoundExact}}">{{errorBound}}{{#guaranteed}} ✓{{/guaranteed}}</td><td data-v="{{hotSinceExact}}">{{hotSince}}</td></tr>
        {{/hotKeyRows}}
        </tbody>
        </table>
        </div>
        {{#popularity}}<p>{{.}}</p>{{/popularity}}
        {{#hasEmerging}}
        <h3>Keys that turned hot</h3>
        <div class="scroll"><table id="emerging" class="sortable data"><thead><tr><th scope="col" data-col="key" data-type="text">key</th><th scope="col" data-col="hot-since" data-type="num">hot since</th><th scope="col" data-col="cool-since" data-type="num">cooled at</th><th scope="col" data-col="share" data-type="num">share when hot</th><th scope="col" data-col="baseline" data-type="num">requests per window before</th></tr></thead>
        <tbody>{{#emerging}}<tr>{{#cells}}<td{{#hasExact}} data-v="{{exact}}"{{/hasExact}}>{{text}}</td>{{/cells}}</tr>
        {{/emerging}}</tbody></table></div>
        {{/hasEmerging}}
        </section>

        <section id="heat" aria-labelledby="heat-h">
        <h2 id="heat-h">Heat timeline</h2>
        {{#heat}}<figure>{{{svg}}}<figcaption>{{caption}}</figcaption></figure>
        <details><summary>Table behind the chart</summary><div class="scroll"><table class="data" id="heat-table"><thead><tr>{{#header}}<th scope="col">{{.}}</th>{{/header}}</tr></thead><tbody>{{#rows}}<tr>{{#cells}}<td{{#hasExact}} data-v="{{exact}}"{{/hasExact}}>{{text}}</td>{{/cells}}</tr>
        {{/rows}}</tbody></table></div></details>{{/heat}}
        {{^heat}}<p>No time windows in this result.</p>{{/heat}}
        </section>

        <section id="traffic" aria-labelledby="traffic-h">
        <h2 id="traffic-h">Traffic over time</h2>
        {{#traffic}}<figure>{{{svg}}}<figcaption>{{caption}}</figcaption></figure>
        <details><summary>Table behind the chart</summary><div class="scroll"><table class="data" id="traffic-table"><thead><tr>{{#header}}<th scope="col">{{.}}</th>{{/header}}</tr></thead><tbody>{{#rows}}<tr>{{#cells}}<td{{#hasExact}} data-v="{{exact}}"{{/hasExact}}>{{text}}</td>{{/cells}}</tr>
        {{/rows}}</tbody></table></div></details>{{/traffic}}
        {{^traffic}}<p>No time windows in this result.</p>{{/traffic}}
        <h3 id="latency-time-h">Latency over time</h3>
        {{#latencyOverTime}}<figure>{{{svg}}}<figcaption>{{caption}}</figcaption></figure>
        <details><summary>Table behind the chart</summary><div class="scroll"><table class="data" id="latency-time-table"><thead><tr>{{#header}}<th scope="col">{{.}}</th>{{/header}}</tr></thead><tbody>{{#rows}}<tr>{{#cells}}<td{{#hasExact}} data-v="{{exact}}"{{/hasExact}}>{{text}}</td>{{/cells}}</tr>
        {{/rows}}</tbody></table></div></details>{{/latencyOverTime}}
        {{^latencyOverTime}}<p class="note">No latency per time window in this result: no replies were paired, or it was written before windows had latency.</p>{{/latencyOverTime}}
        </section>

        <section id="latency" aria-labelledby="latency-h">
        <h2 id="latency-h">Latency distribution</h2>
        {{#latency}}<figure>{{{svg}}}<figcaption>{{caption}}</figcaption></figure>
        <div class="scroll"><table class="data" id="latency-table"><thead><tr>{{#header}}<th scope="col">{{.}}</th>{{/header}}</tr></thead><tbody>{{#rows}}<tr>{{#cells}}<td{{#hasExact}} data-v="{{exact}}"{{/hasExact}}>{{text}}</td>{{/cells}}</tr>
        {{/rows}}</tbody></table></div>{{/latency}}
        {{^latency}}<p>No replies were paired with requests, so there is no latency.</p>{{/latency}}
        {{#hasLatencyByCommand}}<h3>By command</h3>
        <div class="scroll"><table class="sortable data" id="latency-by-command"><thead><tr><th scope="col" data-col="command" data-type="text">command</th><th scope="col" data-col="p50" data-type="num">p50</th><th scope="col" data-col="p90" data-type="num">p90</th><th scope="col" data-col="p99" data-type="num">p99</th><th scope="col" data-col="p999" data-type="num">p99.9</th><th scope="col" data-col="max" data-type="num">max</th><th scope="col" data-col="count" data-type="num">replies</th></tr></thead>
        <tbody>{{#latencyByCommand}}<tr>{{#cells}}<td{{#hasExact}} data-v="{{exact}}"{{/hasExact}}>{{text}}</td>{{/cells}}</tr>
        {{/latencyByCommand}}</tbody></table></div>{{/hasLatencyByCommand}}
        </section>
        {{#pool}}
        <section id="pool" aria-labelledby="pool-h">
        <h2 id="pool-h">Pool: per node, measured and modelled</h2>
        <p>{{summary}}</p>
        <p>{{note}}</p>
        <div class="scroll"><table class="sortable data" id="pool-nodes"><thead><tr><th scope="col" data-col="node" data-type="text">node</th><th scope="col" data-col="requests" data-type="num">requests</th><th scope="col" data-col="share" data-type="num">share</th><th scope="col" data-col="errors" data-type="num">errors</th><th scope="col" data-col="redirections" data-type="num">redirections</th><th scope="col" data-col="p50" data-type="num">p50</th><th scope="col" data-col="p99" data-type="num">p99</th><th scope="col" data-col="placed" data-type="num">placed</th><th scope="col" data-col="model-rate" data-type="num">model requests/s</th><th scope="col" data-col="model-share" data-type="num">model share</th></tr></thead>
        <tbody>{{#rows}}<tr>{{#cells}}<td{{#hasExact}} data-v="{{exact}}"{{/hasExact}}>{{text}}</td>{{/cells}}</tr>
        {{/rows}}</tbody></table></div>
        </section>
        {{/pool}}
        {{#replayNote}}
        <section id="replay" aria-labelledby="replay-h">
        <h2 id="replay-h">Capture and replay</h2>
        <p>{{.}} Latency in the capture runs from a request's last byte to its reply's first byte as captured; in the replay, from send to reply at the client.</p>
        <h3>By command</h3>
        <div class="scroll"><table class="sortable data" id="replay-by-command"><thead><tr><th scope="col" data-col="command" data-type="text">command</th><th scope="col" data-col="ccount" data-type="num">captured</th><th scope="col" data-col="cp50" data-type="num">capture p50</th><th scope="col" data-col="cp99" data-type="num">capture p99</th><th scope="col" data-col="rcount" data-type="num">replayed</th><th scope="col" data-col="rp50" data-type="num">replay p50</th><th scope="col" data-col="rp99" data-type="num">replay p99</th></tr></thead>
        <tbody>{{#replayByCommand}}<tr>{{#cells}}<td{{#hasExact}} data-v="{{exact}}"{{/hasExact}}>{{text}}</td>{{/cells}}</tr>
        {{/replayByCommand}}</tbody></table></div>
        <h3>Hot keys</h3>
        <div class="scroll"><table class="sortable data" id="replay-hot-keys"><thead><tr><th scope="col" data-col="key" data-type="text">key</th><th scope="col" data-col="ccount" data-type="num">captured</th><th scope="col" data-col="cp50" data-type="num">capture p50</th><th scope="col" data-col="cp99" data-type="num">capture p99</th><th scope="col" data-col="rcount" data-type="num">replayed</th><th scope="col" data-col="rp50" data-type="num">replay p50</th><th scope="col" data-col="rp99" data-type="num">replay p99</th></tr></thead>
        <tbody>{{#replayHotKeys}}<tr>{{#cells}}<td{{#hasExact}} data-v="{{exact}}"{{/hasExact}}>{{text}}</td>{{/cells}}</tr>
        {{/replayHotKeys}}</tbody></table></div>
        </section>
        {{/replayNote}}

        {{#hasPrefixes}}
        <section id="prefixes" aria-labelledby="prefixes-h">
        <h2 id="prefixes-h">Prefix groups</h2>
        <div class="scroll"><table class="sortable data" id="prefix-groups"><thead><tr><th scope="col" data-col="prefix" data-type="text">prefix</th><th scope="col" data-col="count" data-type="num">requests</th><th scope="col" data-col="share" data-type="num">share</th><th scope="col" data-col="error-bound" data-type="num">error bound</th></tr></thead>
        <tbody>{{#prefixes}}<tr>{{#cells}}<td{{#hasExact}} data-v="{{exact}}"{{/hasExact}}>{{text}}</td>{{/cells}}</tr>
        {{/prefixes}}</tbody></table></div>
        </section>
        {{/hasPrefixes}}

        {{#hasQueues}}
        <section id="queues" aria-labelledby="queues-h">
        <h2 id="queues-h">Queues</h2>
        <p>Inflow is the publishes whose routing key reaches the queue: a binding seen in the capture (direct matching), or the queue's own name on the default exchange. Outflow is its deliveries; backlog is inflow − outflow over the run; the trend is its direction over the second half of the windows. ≥ marks counts that are lower bounds.</p>
        <div class="scroll"><table class="sortable data" id="queue-flows"><thead><tr><th scope="col" data-col="queue" data-type="text">queue</th><th scope="col" data-col="in-rate" data-type="num">in/s</th><th scope="col" data-col="out-rate" data-type="num">out/s</th><th scope="col" data-col="inflow" data-type="num">inflow</th><th scope="col" data-col="outflow" data-type="num">outflow</th><th scope="col" data-col="backlog" data-type="num">backlog</th><th scope="col" data-col="trend" data-type="text">trend</th><th scope="col" data-col="sources" data-type="text">inflow from</th></tr></thead>
        <tbody>{{#queues}}<tr>{{#cells}}<td{{#hasExact}} data-v="{{exact}}"{{/hasExact}}>{{text}}</td>{{/cells}}</tr>
        {{/queues}}</tbody></table></div>
        </section>
        {{/hasQueues}}

        {{#model}}
        <section id="model" aria-labelledby="model-h">
        <h2 id="model-h">Ring model</h2>
        <p>Each scheme places the measured keys on its nodes; nodes serve {{capacity}} requests/s at 100% and should stay under {{target}}.</p>
        <p>{{sizedOn}}</p>
        <p>{{today}}</p>
        {{#observed}}<h3>Servers seen</h3><p>{{summary}}</p>
        <div class="scroll"><table class="data" id="servers-table"><thead><tr><th scope="col">server</th><th scope="col">requests</th><th scope="col">requests/s at the sizing window</th><th scope="col">utilisation</th><th scope="col">p99</th></tr></thead><tbody>{{#serverRows}}<tr>{{#cells}}<td{{#hasExact}} data-v="{{exact}}"{{/hasExact}}>{{text}}</td>{{/cells}}</tr>
        {{/serverRows}}</tbody></table></div>
        {{#hasMisplaced}}<div class="scroll"><table class="data" id="misplaced-table"><thead><tr><th scope="col">key</th><th scope="col">seen on</th><th scope="col">scheme says</th><th scope="col">requests elsewhere</th></tr></thead><tbody>{{#misplacedRows}}<tr>{{#cells}}<td{{#hasExact}} data-v="{{exact}}"{{/hasExact}}>{{text}}</td>{{/cells}}</tr>
        {{/misplacedRows}}</tbody></table></div>{{/hasMisplaced}}{{/observed}}
        {{#hottest}}<figure>{{{svg}}}<figcaption>The busiest node's utilisation in every window: where today's line climbs over 100%, that node could not keep up.</figcaption></figure>
        <details><summary>Table behind the chart</summary><p>{{rowsNote}}</p><div class="scroll"><table class="data" id="hottest-table"><thead><tr><th scope="col">window start</th><th scope="col">today</th><th scope="col">recommended</th></tr></thead><tbody>{{#rows}}<tr>{{#cells}}<td{{#hasExact}} data-v="{{exact}}"{{/hasExact}}>{{text}}</td>{{/cells}}</tr>
        {{/rows}}</tbody></table></div></details>{{/hottest}}
        {{#hasFairShare}}<h3>Keys above a node's fair share</h3><p>Each of these keys alone carries more than the total divided by the node count: wherever it lands, its node is busier than the mean.</p>
        <div class="scroll"><table class="data" id="fair-share-table"><thead><tr><th scope="col">key</th><th scope="col">requests/s</th><th scope="col">× fair share</th></tr></thead><tbody>{{#fairShareRows}}<tr>{{#cells}}<td{{#hasExact}} data-v="{{exact}}"{{/hasExact}}>{{text}}</td>{{/cells}}</tr>
        {{/fairShareRows}}</tbody></table></div>{{/hasFairShare}}
        {{#schemes}}<article class="scheme{{#recommended}} recommended{{/recommended}}">
        <h3>{{name}}: {{nodes}} nodes, busiest at {{maxOverMean}}× the mean{{#recommended}} <span class="badge">recommended</span>{{/recommended}}{{#inUse}} <span class="badge now">in use today</span>{{/inUse}}</h3>
        <div{{#hasCurrent}} class="pair"{{/hasCurrent}}>
        {{#current}}<div><figure>{{{chartSVG}}}<figcaption>Today: {{nodes}} nodes, busiest at {{maxOverMean}}× the mean.</figcaption></figure>
        <details><summary>Table behind the chart</summary><p>{{rowsNote}}</p><div class="scroll"><table class="data"><thead><tr><th scope="col">node</th><th scope="col">requests/s</th><th scope="col">utilisation</th><th scope="col">p99</th></tr></thead><tbody>{{#rows}}<tr>{{#cells}}<td{{#hasExact}} data-v="{{exact}}"{{/hasExact}}>{{text}}</td>{{/cells}}</tr>
        {{/rows}}</tbody></table></div></details></div>{{/current}}
        <div><figure>{{{chartSVG}}}{{#hasCurrent}}<figcaption>Recommended: {{nodes}} nodes.</figcaption>{{/hasCurrent}}</figure>
        <details><summary>Table behind the chart</summary><p>{{rowsNote}}</p><div class="scroll"><table class="data"><thead><tr><th scope="col">node</th><th scope="col">requests/s</th><th scope="col">utilisation</th><th scope="col">p99</th></tr></thead><tbody>{{#rows}}<tr>{{#cells}}<td{{#hasExact}} data-v="{{exact}}"{{/hasExact}}>{{text}}</td>{{/cells}}</tr>
        {{/rows}}</tbody></table></div></details></div>
        </div>
        </article>
        {{/schemes}}
        <h2 id="queue-h">Queue model</h2>
        <figure>{{{queueSVG}}}<figcaption>Predicted p99 per node against its utilisation; the curve is M/M/1 at the model's capacity. Latency grows without bound as a node nears 100%.</figcaption></figure>
        <div class="scroll"><table class="data" id="queue-table"><thead><tr><th scope="col">scheme</th><th scope="col">busiest node</th><th scope="col">worst p99</th><th scope="col">saturated nodes</th></tr></thead><tbody>{{#queueRows}}<tr>{{#cells}}<td{{#hasExact}} data-v="{{exact}}"{{/hasExact}}>{{text}}</td>{{/cells}}</tr>
        {{/queueRows}}</tbody></table></div>
        </section>
        {{/model}}
        {{^model}}<section id="model-missing"><h2>Ring and queue model</h2><p>This result has no model section (it was written before every run modelled its traffic). Run <code>hotshard plan RESULT.json --json RESULT.json</code> to add one.</p></section>{{/model}}

        <section id="health" aria-labelledby="health-h">
        <h2 id="health-h">Capture health</h2>
        <p class="confidence c-{{confidenceLevel}}">{{confidenceSummary}}</p>
        <ul class="findings">{{#confidenceFindings}}<li>{{.}}</li>
        {{/confidenceFindings}}</ul>
        <div class="scroll"><table class="data" id="health-table"><thead><tr><th scope="col">counter</th><th scope="col">value</th><th scope="col">what it means</th></tr></thead><tbody>
        {{#health}}<tr{{#flagged}} class="flag"{{/flagged}}><th scope="row">{{name}}</th><td data-v="{{exact}}">{{value}}</td><td>{{meaning}}</td></tr>
        {{/health}}</tbody></table></div>
        </section>

        <section id="configuration" aria-labelledby="configuration-h">
        <h2 id="configuration-h">Configuration and totals</h2>
        <div class="columns">
        <table class="data" id="configuration-table"><tbody>{{#configuration}}<tr><th scope="row">{{name}}</th><td data-v="{{exact}}">{{value}}</td></tr>
        {{/configuration}}</tbody></table>
        <table class="data" id="totals-table"><tbody>{{#totals}}<tr><th scope="row">{{name}}</th><td data-v="{{exact}}">{{value}}</td></tr>
        {{/totals}}</tbody></table>
        </div>
        </section>
        </main>
        <footer><p>Made by {{toolVersion}} from a result document of schema version {{schemaVersion}}. This file makes no network requests.</p></footer>
        <script>{{{script}}}</script>
        </body>
        </html>
        """#
}
