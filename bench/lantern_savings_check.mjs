// Cross-check: Lighthouse's own savings code on a Lantern fixture of psdata's tests.
//
// Runs Lighthouse's ByteEfficiencyAudit.computeWasteWithGraph (FCP and LCP optimistic
// graphs) and RenderBlockingResources.estimateSavingsWithGraphs on the trace and devtools
// log of tests/fixtures/lantern/NAME, with Lighthouse's LoadSimulator for the throttling
// method given, so psdata's glue (src/psdata/engines/lab/lantern/glue.mjs, `savings`) can be
// compared number for number. Needs bench/node_modules (`npm ci` in bench/, as
// lighthouse_runner.py does). psdata's own code (MIT); it imports Lighthouse (Apache-2.0).
//
//   node bench/lantern_savings_check.mjs requests-api-mobile simulate URL BYTES... \
//        [--blocking URL...]
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import {fileURLToPath} from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const LH = path.join(here, 'node_modules', 'lighthouse', 'core');
const load = async file => import(path.join(LH, file));
const {LanternFirstContentfulPaint} = await load('computed/metrics/lantern-first-contentful-paint.js');
const {LanternLargestContentfulPaint} = await load('computed/metrics/lantern-largest-contentful-paint.js');
const {LoadSimulator} = await load('computed/load-simulator.js');
const {ByteEfficiencyAudit: Base} = await load('audits/byte-efficiency/byte-efficiency-audit.js');
const RenderBlocking = (await load('audits/byte-efficiency/render-blocking-resources.js')).default;
const constants = await load('config/constants.js');

class ByteEfficiencyAudit extends Base {
  static get meta() {
    return {id: 'cross-check'};
  }
}

const args = process.argv.slice(2);
const split = args.indexOf('--blocking');
const [name, method, url, ...wastes] = split === -1 ? args : args.slice(0, split);
const blocking = split === -1 ? [] : args.slice(split + 1);
const fixtures = path.join(here, '..', 'tests', 'fixtures', 'lantern');
const read = file => JSON.parse(zlib.gunzipSync(fs.readFileSync(path.join(fixtures, file))));
const trace = read(`${name}.trace.json.gz`);
const devtoolsLog = read(`${name}.devtoolslog.json.gz`);
const expected = JSON.parse(fs.readFileSync(path.join(fixtures, `${name}.expected.json`)));
const mobile = expected.form_factor === 'mobile';
const settings = {
  ...constants.defaultSettings,
  throttlingMethod: method,
  formFactor: expected.form_factor,
  throttling: mobile ? constants.throttling.mobileSlow4G : constants.throttling.desktopDense4G,
};
const context = {computedCache: new Map(), settings};
const URL = {
  requestedUrl: expected.requested_url,
  mainDocumentUrl: expected.main_document_url,
  finalDisplayedUrl: expected.main_document_url,
};
const data = {trace, devtoolsLog, gatherContext: {gatherMode: 'navigation'}, settings, URL};
const simulator = await LoadSimulator.request({devtoolsLog, settings}, context);
const fcp = await LanternFirstContentfulPaint.request(data, context);
const lcp = await LanternLargestContentfulPaint.request(data, context);
for (const wasted of wastes) {
  const options = label => ({providedWastedBytesByUrl: new Map([[url, Number(wasted)]]), label});
  const saved = graph => ByteEfficiencyAudit.computeWasteWithGraph(
    [], graph, simulator, options('x')).savings;
  console.log(JSON.stringify({wasted: Number(wasted), FCP: saved(fcp.optimisticGraph),
    LCP: saved(lcp.optimisticGraph)}));
}
if (blocking.length) {
  const byUrl = new Map();
  for (const [node, timing] of fcp.optimisticEstimate.nodeTimings) {
    if (node.type === 'network' && !byUrl.has(node.request.url)) byUrl.set(node.request.url, {node, timing});
  }
  const deferred = new Set();
  const wastedMs = {};
  for (const u of blocking) {
    const found = byUrl.get(u);
    if (!found) continue;
    found.node.traverse(node => deferred.add(node.id));
    wastedMs[u] = Math.round(found.timing.duration);
  }
  const fcpSaved = RenderBlocking.estimateSavingsWithGraphs(
    simulator, fcp.optimisticGraph, deferred, new Map(), []);
  console.log(JSON.stringify({wastedMs, FCP: fcpSaved}));
}
