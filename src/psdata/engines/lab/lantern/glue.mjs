// psdata's glue between one page's measurements and Lantern, Lighthouse's simulated
// throttling. psdata's own code (MIT); Lantern itself is the vendored, unmodified
// DevTools trace engine build in ./vendor (BSD-3-Clause).
//
// Input, per page: the main-thread trace events of the page's renderer (in trace order),
// the page's CDP Network events (a "devtools log": [{method, params, targetType?}]), the
// main frame id, the requested URL and the simulation settings. Output: the simulated
// metrics Lighthouse reports in its default "simulate" mode.
//
// What Lighthouse does around Lantern, and this file does the same way:
//  1. network records from the CDP events (redirects become their own records, times in
//     milliseconds on the trace clock, initiator requests chosen when unambiguous);
//  2. the main-thread events sorted as Lighthouse's trace processor sorts them (by
//     timestamp; at equal timestamps end events first, then enclosing events before the
//     events they enclose, then trace order);
//  3. the navigation's time origin and first/largest contentful paint of the main frame;
//  4. one network analysis, one simulator, one dependency graph shared by all metrics,
//     and the metrics computed in Lighthouse's dependency order.

import * as Lantern from './vendor/lantern.mjs';

const {NetworkAnalyzer, LanternError} = Lantern.Core;
const {PageDependencyGraph} = Lantern.Graph;
const {Simulator, Constants} = Lantern.Simulation;
const Metrics = Lantern.Metrics;

/** CDP resource types Lighthouse keeps (anything else becomes undefined). */
const RESOURCE_TYPES = new Set([
  'XHR', 'Fetch', 'EventSource', 'Script', 'Stylesheet', 'Image', 'Media', 'Font',
  'Document', 'TextTrack', 'WebSocket', 'Other', 'Manifest', 'SignedExchange', 'Ping',
  'Preflight', 'CSPViolationReport', 'Prefetch',
]);
const resourceType = type => (type && RESOURCE_TYPES.has(type) ? type : undefined);

/** Lighthouse's throttling presets for the simulator ("simulate" method). */
export const THROTTLING = {
  mobile: Constants.throttling.mobileSlow4G,
  desktop: Constants.throttling.desktopDense4G,
};

// ---------------------------------------------------------------------------------------
// 1. Network records from CDP Network events

function newRecord() {
  return {
    requestId: '',
    connectionId: 0,
    connectionReused: false,
    url: '',
    protocol: '',
    isValid: false,
    parsedURL: {scheme: ''},
    documentURL: '',
    rendererStartTime: -1,
    networkRequestTime: -1,
    responseHeadersEndTime: -1,
    networkEndTime: -1,
    responseTimestamp: undefined,
    transferSize: 0,
    resourceSize: 0,
    fromDiskCache: false,
    fromMemoryCache: false,
    fromPrefetchCache: false,
    finished: false,
    requestMethod: '',
    statusCode: -1,
    redirectSource: undefined,
    redirectDestination: undefined,
    redirects: undefined,
    failed: false,
    initiator: {type: 'other'},
    timing: undefined,
    resourceType: undefined,
    mimeType: '',
    priority: 'Low',
    initiatorRequest: undefined,
    frameId: '',
    sessionTargetType: undefined,
    fromWorker: false,
    isLinkPreload: false,
  };
}

function onWillBeSent(record, data) {
  record.requestId = data.requestId;
  let url;
  try {
    url = new URL(data.request.url);
  } catch {
    return;  // stays invalid and is dropped
  }
  record.url = data.request.url;
  record.documentURL = data.documentURL;
  record.parsedURL = {
    scheme: url.protocol.split(':')[0],
    host: url.hostname,
    securityOrigin: url.origin,
  };
  record.rendererStartTime = data.timestamp * 1000;
  record.networkRequestTime = record.rendererStartTime;
  record.responseHeadersEndTime = record.rendererStartTime;
  record.requestMethod = data.request.method;
  record.initiator = data.initiator;
  record.resourceType = resourceType(data.type);
  record.priority = data.request.initialPriority;
  record.frameId = data.frameId;
  record.isLinkPreload = data.initiator.type === 'preload' || !!data.request.isLinkPreload;
  record.isValid = true;
}

/** Header and body times from the network stack's timing (more exact than event times). */
function applyResourceTiming(record, timing) {
  if (timing.requestTime === -1 || timing.receiveHeadersEnd === -1) return;
  record.networkRequestTime = timing.requestTime * 1000;
  let headersEnd = record.networkRequestTime + timing.receiveHeadersEnd;
  if (record.responseTimestamp !== undefined) {
    headersEnd = Math.min(headersEnd, record.responseTimestamp);
  }
  record.responseHeadersEndTime = Math.max(headersEnd, record.networkRequestTime);
  record.networkEndTime = Math.max(record.networkEndTime, record.responseHeadersEndTime);
}

function onResponse(record, response, timestamp, type) {
  record.url = response.url;
  record.connectionId = response.connectionId;
  record.connectionReused = response.connectionReused;
  if (response.protocol) record.protocol = response.protocol;
  record.responseTimestamp = timestamp * 1000;
  record.transferSize = response.encodedDataLength;
  if (typeof response.fromDiskCache === 'boolean') record.fromDiskCache = response.fromDiskCache;
  if (typeof response.fromPrefetchCache === 'boolean') {
    record.fromPrefetchCache = response.fromPrefetchCache;
  }
  record.statusCode = response.status;
  record.timing = response.timing;
  if (type) record.resourceType = resourceType(type);
  record.mimeType = response.mimeType;
  if (record.fromMemoryCache) record.timing = undefined;
  if (record.timing) applyResourceTiming(record, record.timing);
}

/** The end of a request: its headers cannot end after it; old Chromes lack headers start. */
function settleEnd(record) {
  record.responseHeadersEndTime = Math.min(record.networkEndTime, record.responseHeadersEndTime);
  if (record.timing && record.timing.receiveHeadersStart === undefined) {
    record.timing.receiveHeadersStart = record.timing.receiveHeadersEnd;
  }
}

function onFinished(record, data, failed) {
  if (record.finished) return;  // duplicate events: the first has the best timing
  record.finished = true;
  record.networkEndTime = data.timestamp * 1000;
  if (failed) {
    record.failed = true;
    record.resourceType = resourceType(data.type);
  } else if (data.encodedDataLength >= 0) {
    record.transferSize = data.encodedDataLength;
  }
  settleEnd(record);
}

/** The CDP events of a page replayed into request records (the devtools log's requests). */
class Recorder {
  constructor() {
    this.records = [];
    this.byId = new Map();
  }

  add(record) {
    this.records.push(record);
    this.byId.set(record.requestId, record);
  }

  /** The request a CDP requestId refers to now (after redirects: the last hop). */
  current(requestId, targetType) {
    let record = this.byId.get(requestId);
    if (!record || !record.isValid) return undefined;
    while (record.redirectDestination) record = record.redirectDestination;
    record.sessionTargetType = targetType;
    return record;
  }

  dispatch(event) {
    const data = event.params;
    if (!data) return;
    const method = event.method;
    if (method === 'Network.requestWillBeSent') {
      const original = this.current(data.requestId, event.targetType);
      if (!original) {
        const record = newRecord();
        onWillBeSent(record, data);
        record.sessionTargetType = event.targetType;
        this.add(record);
        return;
      }
      if (!data.redirectResponse) return;
      // A redirect: the same CDP requestId continues as a new record for the new URL.
      const next = newRecord();
      onWillBeSent(next, {
        ...data,
        initiator: original.initiator,
        requestId: `${original.requestId}:redirect`,
      });
      onResponse(original, data.redirectResponse, data.timestamp, data.type);
      original.resourceType = undefined;
      original.finished = true;
      original.networkEndTime = data.timestamp * 1000;
      settleEnd(original);
      original.redirectDestination = next;
      next.redirectSource = original;
      this.add(next);
      return;
    }
    if (!method.startsWith('Network.')) return;
    const record = this.current(data.requestId, event.targetType);
    if (!record) return;
    switch (method) {
      case 'Network.requestServedFromCache':
        record.fromMemoryCache = true;
        break;
      case 'Network.responseReceived':
        onResponse(record, data.response, data.timestamp, data.type);
        record.frameId = data.frameId;
        break;
      case 'Network.dataReceived':
        record.resourceSize += data.dataLength;
        if (data.encodedDataLength !== -1) record.transferSize += data.encodedDataLength;
        break;
      case 'Network.loadingFinished':
        onFinished(record, data, false);
        break;
      case 'Network.loadingFailed':
        onFinished(record, data, true);
        break;
      case 'Network.resourceChangedPriority':
        record.priority = data.newPriority;
        break;
      default:
        break;
    }
  }
}

/** The request that started `record`, when the evidence names exactly one. */
function chooseInitiator(record, recordsByUrl) {
  if (record.redirectSource) return record.redirectSource;
  const initiatorUrl = PageDependencyGraph.getNetworkInitiators(record)[0];
  let candidates = (recordsByUrl.get(initiatorUrl) || []).filter(
    c => c.responseHeadersEndTime <= record.rendererStartTime && c.finished && !c.failed);
  const narrow = keep => {
    if (candidates.length > 1) {
      const kept = candidates.filter(keep);
      if (kept.length) candidates = kept;
    }
  };
  narrow(c => c.resourceType !== 'Other');  // prefetches start nothing
  narrow(c => c.frameId === record.frameId);
  if (record.initiator.type === 'parser') narrow(c => c.resourceType === 'Document');
  if (candidates.length > 1) {
    const preloads = candidates.filter(c => c.isLinkPreload);
    const others = candidates.filter(c => !c.isLinkPreload);
    if (preloads.length && others.length &&
        others.every(c => c.fromDiskCache || c.fromMemoryCache)) {
      candidates = preloads;
    }
  }
  return candidates.length === 1 ? candidates[0] : undefined;
}

/**
 * Network records from a page's CDP events, as Lighthouse's network recorder builds them.
 * @param {Array<{method: string, params: object, targetType?: string}>} devtoolsLog
 */
export function networkRecords(devtoolsLog) {
  const recorder = new Recorder();
  for (const event of devtoolsLog) recorder.dispatch(event);
  const records = recorder.records.filter(r => r.isValid);
  const byUrl = new Map();
  for (const record of records) {
    const list = byUrl.get(record.url) || [];
    list.push(record);
    byUrl.set(record.url, list);
  }
  for (const record of records) {
    const initiator = chooseInitiator(record, byUrl);
    if (initiator) record.initiatorRequest = initiator;
    let last = record;
    while (last.redirectDestination) last = last.redirectDestination;
    if (last === record || last.redirects) continue;
    const chain = [];
    for (let r = last.redirectSource; r; r = r.redirectSource) chain.unshift(r);
    last.redirects = chain;
  }
  for (const record of records) record.fromWorker = record.sessionTargetType === 'worker';
  return records;
}

/** Lantern's view of a record: a shallow copy (Lantern may rename duplicate ids). */
const asLanternRequest = record => ({rawRequest: record, ...record, serverResponseTime: undefined});

// ---------------------------------------------------------------------------------------
// 2. Trace events in Lighthouse's order

/**
 * Sort trace events by timestamp; at equal timestamps: "E" events first, then "X"/"B"
 * events longest first (parents before children), then the rest, each in trace order.
 */
export function sortTraceEvents(events) {
  const index = events.map((_, i) => i);
  index.sort((a, b) => events[a].ts - events[b].ts);  // stable: trace order at ties
  const out = [];
  for (let i = 0; i < index.length;) {
    let j = i + 1;
    while (j < index.length && events[index[j]].ts === events[index[i]].ts) j++;
    if (j - i === 1) {
      out.push(events[index[i]]);
      i = j;
      continue;
    }
    const group = index.slice(i, j);
    const ends = [];
    const spans = [];
    const rest = [];
    for (const k of group) {
      const ph = events[k].ph;
      if (ph === 'E') ends.push(k);
      else if (ph === 'X' || ph === 'B') spans.push(k);
      else rest.push(k);
    }
    const length = new Map();
    for (const k of spans) length.set(k, spanLength(events, index, j, k));
    spans.sort((a, b) => (length.get(b) || 0) - (length.get(a) || 0) || a - b);
    rest.sort((a, b) => a - b);
    for (const k of [...ends, ...spans, ...rest]) out.push(events[k]);
    i = j;
  }
  return out;
}

/** Duration of a span event; for "B" events, up to its matching "E" after the group. */
function spanLength(events, index, after, k) {
  const event = events[k];
  if (event.ph === 'X') return event.dur;
  let nested = 0;
  for (let m = after; m < index.length; m++) {
    const other = events[index[m]];
    if (other.name !== event.name || other.pid !== event.pid || other.tid !== event.tid) {
      continue;
    }
    if (other.ph === 'E') {
      if (nested === 0) return other.ts - event.ts;
      nested--;
    } else if (other.ph === 'B') {
      nested++;
    }
  }
  return Number.MAX_SAFE_INTEGER;
}

// ---------------------------------------------------------------------------------------
// 3. The navigation: time origin, first and largest contentful paint of the main frame

const KEY_CATEGORY = /blink\.user_timing|loading|devtools\.timeline/;
const NAVIGATION_URL = /^(chrome|https?):/;

const frameOf = e => e.args?.data?.frame || e.args?.data?.frameID || e.args?.frame;

function isNavigationStart(e) {
  if (e.name !== 'navigationStart') return false;
  const url = e.args?.data?.documentLoaderURL;
  if (url === undefined) return true;
  return Boolean(url) && NAVIGATION_URL.test(url);
}

/**
 * Trace timestamps (µs) of the main frame's navigation, as Lighthouse reads them.
 * @param {Array<object>} sortedEvents events in {@link sortTraceEvents} order
 * @param {string} frameId the main frame
 */
export function navigationTimestamps(sortedEvents, frameId) {
  const frameEvents = sortedEvents.filter(
    e => (e.cat === '__metadata' || KEY_CATEGORY.test(e.cat || '')) && frameOf(e) === frameId);
  const timeOrigin = frameEvents.filter(isNavigationStart).pop();
  if (!timeOrigin) throw new LanternError('NO_NAVSTART');
  const fcp = frameEvents.find(e => e.name === 'firstContentfulPaint' && e.ts > timeOrigin.ts);
  if (!fcp) throw new LanternError('NO_FCP');
  // LCP: per frame, the last candidate or invalidation after the time origin; the largest
  // final candidate wins (an invalidated frame has none).
  const finalByFrame = new Map();
  for (let i = frameEvents.length - 1; i >= 0; i--) {
    const e = frameEvents[i];
    if (e.name !== 'largestContentfulPaint::Candidate' &&
        e.name !== 'largestContentfulPaint::Invalidate') continue;
    if (!e.args?.frame) continue;
    if (e.ts <= timeOrigin.ts) break;
    if (!finalByFrame.has(e.args.frame)) finalByFrame.set(e.args.frame, e);
  }
  let lcp;
  for (const e of finalByFrame.values()) {
    if (e.name !== 'largestContentfulPaint::Candidate' || !e.args.data ||
        e.args.data.size === undefined) continue;
    if (!lcp || e.args.data.size > lcp.args.data.size) lcp = e;
  }
  return {
    timeOrigin: timeOrigin.ts,
    firstContentfulPaint: fcp.ts,
    largestContentfulPaint: lcp?.ts,
  };
}

// ---------------------------------------------------------------------------------------
// 4. Graph, simulator and metrics

/** The URL as Lighthouse keeps a requested URL (and Chromium requests it): canonical. */
function canonicalUrl(url) {
  try {
    return new URL(url).href;
  } catch {
    return url;
  }
}

function findMainDocumentUrl(records, requestedUrl) {
  const root = NetworkAnalyzer.findResourceForUrl(records, requestedUrl);
  if (!root) return undefined;
  let record = root;
  while (record.redirectDestination) record = record.redirectDestination;
  return record.url;
}

const METRICS = ['fcp', 'lcp', 'interactive', 'tbt', 'maxPotentialFid', 'speedIndex'];

const errorCode = err => (err instanceof LanternError ? err.message : `${err?.name}: ${err?.message}`);

function estimate(result) {
  return {
    timing: result.timing,
    optimistic: result.optimisticEstimate.timeInMs,
    pessimistic: result.pessimisticEstimate.timeInMs,
  };
}

/** The throttling settings of a request: Lighthouse's preset, with overrides. */
function throttlingOf(request) {
  const preset = THROTTLING[request.formFactor];
  if (!preset) throw new Error(`unknown formFactor ${request.formFactor}`);
  return {...preset, ...(request.throttling || {})};
}

/**
 * One page's network records, sorted events, navigation, simulator and dependency graph:
 * what every metric and every savings estimate of the page shares. A page Lantern cannot
 * build a graph from throws an Error whose `page` holds what was found and `cause` why.
 *
 * The simulator follows the run's throttling method as Lighthouse's LoadSimulator does:
 * "simulate" uses the preset's RTT, throughput and CPU slowdown; "devtools" the applied
 * throttling's request latency and download throughput (adjusted), at 1x CPU.
 */
function buildPage(request) {
  const throttling = throttlingOf(request);
  const throttlingMethod = request.throttlingMethod || 'simulate';
  const records = networkRecords(request.devtoolsLog);
  const events = sortTraceEvents(request.mainThreadEvents);
  const requestedUrl = canonicalUrl(request.requestedUrl);
  let navigation = null;
  try {
    navigation = navigationTimestamps(events, request.frameId);
    const mainDocumentUrl = request.mainDocumentUrl ? canonicalUrl(request.mainDocumentUrl) :
      findMainDocumentUrl(records, requestedUrl);
    const networkAnalysis = NetworkAnalyzer.analyze(records);
    const simulator = Simulator.createSimulator({throttlingMethod, throttling, networkAnalysis});
    const graph = PageDependencyGraph.createGraph(
      events, records.map(asLanternRequest), {requestedUrl, mainDocumentUrl});
    const data = {simulator, graph, processedNavigation: {timestamps: navigation}};
    return {records, events, navigation, mainDocumentUrl, networkAnalysis, throttling, data};
  } catch (cause) {
    const err = new Error(errorCode(cause));
    err.cause = cause;
    err.page = {navigation, diagnostics: {records: records.length, mainThreadEvents: events.length}};
    throw err;
  }
}

/**
 * Lighthouse's simulated metrics for one page.
 *
 * @param {object} request
 * @param {Array<object>} request.mainThreadEvents the renderer main thread's events, any order
 * @param {Array<object>} request.devtoolsLog the page's CDP events ({method, params, targetType?})
 * @param {string} request.frameId the main frame's id
 * @param {string} request.requestedUrl the URL asked for (before redirects)
 * @param {string=} request.mainDocumentUrl the final document URL (default: from redirects)
 * @param {'mobile'|'desktop'} request.formFactor Lighthouse's throttling preset
 * @param {object=} request.throttling overrides of the preset (rttMs, throughputKbps, cpuSlowdownMultiplier)
 * @param {number=} request.observedSpeedIndex observed (unthrottled) Speed Index in ms
 */
export function simulate(request) {
  const started = performance.now();
  const metrics = {};
  const errors = {};
  let page;
  try {
    page = buildPage(request);
  } catch (err) {
    // No navigation, no root request, no main-thread task...: every metric fails alike.
    if (!err.page) throw err;
    const code = errorCode(err.cause);
    for (const name of METRICS) errors[name] = code;
    return {metrics, errors, navigation: err.page.navigation, diagnostics: err.page.diagnostics};
  }
  const {records, events, navigation, mainDocumentUrl, networkAnalysis, throttling, data} = page;

  // Lighthouse's dependency order; a metric whose input failed fails the same way.
  const results = {};
  const run = (name, Metric, extras, needs = []) => {
    const missing = needs.find(n => !results[n]);
    if (missing) {
      errors[name] = errors[missing];
      return;
    }
    try {
      results[name] = Metric.compute(data, extras && extras());
      metrics[name] = estimate(results[name]);
    } catch (err) {
      errors[name] = errorCode(err);
    }
  };
  run('fcp', Metrics.FirstContentfulPaint);
  run('lcp', Metrics.LargestContentfulPaint, () => ({fcpResult: results.fcp}), ['fcp']);
  run('interactive', Metrics.Interactive, () => ({lcpResult: results.lcp}), ['lcp']);
  run('tbt', Metrics.TotalBlockingTime,
      () => ({fcpResult: results.fcp, interactiveResult: results.interactive}),
      ['fcp', 'interactive']);
  run('maxPotentialFid', Metrics.MaxPotentialFID, () => ({fcpResult: results.fcp}), ['fcp']);
  if (typeof request.observedSpeedIndex === 'number') {
    run('speedIndex', Metrics.SpeedIndex,
        () => ({fcpResult: results.fcp, observedSpeedIndex: request.observedSpeedIndex}),
        ['fcp']);
  } else {
    errors.speedIndex = 'NO_OBSERVED_SPEED_INDEX';
  }

  let nodes = 0;
  let cpuNodes = 0;
  data.graph.traverse(node => {
    nodes++;
    if (node.type === 'cpu') cpuNodes++;
  });
  const byOrigin = map => Object.fromEntries([...map].filter(([origin]) => origin.startsWith('http')));
  return {
    metrics,
    errors,
    navigation,
    diagnostics: {
      records: records.length,
      mainThreadEvents: events.length,
      graphNodes: nodes,
      graphCpuNodes: cpuNodes,
      mainDocumentUrl,
      rttMs: networkAnalysis.rtt,
      throughputBps: networkAnalysis.throughput,
      additionalRttByOrigin: byOrigin(networkAnalysis.additionalRttByOrigin),
      serverResponseTimeByOrigin: byOrigin(networkAnalysis.serverResponseTimeByOrigin),
      throttling,
      computeMs: performance.now() - started,
    },
  };
}

// ---------------------------------------------------------------------------------------
// 5. Savings of the performance opportunities: the page's graph with and without the waste

/** Lighthouse's least simulated time of a render-blocking request worth listing. */
const MIN_BLOCKING_MS = 50;

const roundTo10 = ms => Math.round(Math.max(ms, 0) / 10) * 10;

/**
 * Milliseconds a graph finishes sooner when each URL's transfer shrinks by its wasted bytes
 * (Lighthouse's ByteEfficiencyAudit.computeWasteWithGraph, rounded to 10 ms). The graph's
 * requests are put back as they were.
 */
function wasteWithGraph(simulator, graph, before, wastedByUrl) {
  const originals = new Map();
  graph.traverse(node => {
    if (node.type !== 'network') return;
    const wasted = wastedByUrl[node.request.url];
    if (!wasted) return;
    originals.set(node, node.request.transferSize);
    node.request.transferSize = Math.max(node.request.transferSize - wasted, 0);
  });
  let after;
  try {
    after = simulator.simulate(graph).timeInMs;
  } finally {
    for (const [node, size] of originals) node.request.transferSize = size;
  }
  return roundTo10(before - after);
}

/**
 * First paint's saving if the render-blocking requests (and what depends on them) left the
 * FCP graph, the used part of blocking style sheets inlined into the document
 * (Lighthouse's RenderBlockingResources.estimateSavingsWithGraphs).
 */
function deferringSavings(simulator, fcpGraph, deferredIds, wastedCssByUrl) {
  const {nodeTimings} = simulator.simulate(fcpGraph);
  let inlinedBytes = 0;
  const minimal = fcpGraph.cloneWithRelationships(node => {
    const deferred = deferredIds.has(node.id);
    if (node.type !== 'network') return !deferred;
    if (deferred && node.request.resourceType === 'Stylesheet') {
      inlinedBytes += (node.request.transferSize || 0) - (wastedCssByUrl[node.request.url] || 0);
    }
    return !deferred;
  });
  if (minimal.type !== 'network') throw new Error('the minimal FCP graph has no document root');
  const before = Math.max(...Array.from(nodeTimings.values(), timing => timing.endTime));
  const original = minimal.request.transferSize;
  minimal.request.transferSize = (original || 0) + inlinedBytes;
  let after;
  try {
    after = simulator.simulate(minimal).timeInMs;
  } finally {
    minimal.request.transferSize = original;
  }
  return Math.round(Math.max(before - after, 0));
}

/**
 * Render-blocking requests on the first paint's graph: each one's simulated time, and the
 * first paint's saving if they were all deferred.
 */
function renderBlocking(simulator, fcpResult, urls, wastedCssByUrl) {
  const byUrl = new Map();
  for (const [node, timing] of fcpResult.optimisticEstimate.nodeTimings) {
    if (node.type === 'network' && !byUrl.has(node.request.url)) byUrl.set(node.request.url, {node, timing});
  }
  const items = [];
  const timings = {};
  const absent = [];
  const deferred = new Set();
  for (const url of urls) {
    const found = byUrl.get(url);
    if (!found) {
      absent.push(url);
      continue;
    }
    found.node.traverse(node => deferred.add(node.id));
    const wastedMs = Math.round(found.timing.duration);
    timings[url] = wastedMs;
    if (wastedMs >= MIN_BLOCKING_MS) {
      items.push({url, totalBytes: found.node.request.transferSize, wastedMs});
    }
  }
  const fcp = items.length ?
    deferringSavings(simulator, fcpResult.optimisticGraph, deferred, wastedCssByUrl) : 0;
  return {items, timings, absent, fcp};
}

/**
 * Milliseconds a graph finishes sooner with the given URLs' requests served over HTTP/2
 * (Lighthouse's UsesHTTP2Audit.computeWasteWithGraph, rounded to 10 ms). The requests'
 * protocols are put back as they were.
 */
function http2Savings(simulator, graph, urls) {
  const before = simulator.simulate(graph).timeInMs;
  const originals = new Map();
  graph.traverse(node => {
    if (node.type !== 'network' || !urls.has(node.request.url)) return;
    originals.set(node, node.request.protocol);
    node.request.protocol = 'h2';
  });
  let after;
  try {
    after = simulator.simulate(graph).timeInMs;
  } finally {
    for (const [node, protocol] of originals) node.request.protocol = protocol;
  }
  return roundTo10(before - after);
}

/**
 * Simulated time of each hop of the main document's redirect chain: the start of the
 * next request less its own start, on Time to Interactive's pessimistic graph
 * (Lighthouse's redirects audit in "simulate" mode).
 */
function redirectTimings(data, lcp, chain) {
  if (!lcp) throw new LanternError('NO_LCP');
  const interactive = Metrics.Interactive.compute(data, {lcpResult: lcp});
  const timings = [...interactive.pessimisticEstimate.nodeTimings]
    .filter(([node]) => node.type === 'network');
  const used = new Set();
  const starts = chain.map(url => {
    const found = timings.find(([node]) => node.request.url === url && !used.has(node));
    if (!found) throw new LanternError('REDIRECT_NOT_IN_GRAPH');
    used.add(found[0]);
    return found[1].startTime;
  });
  return chain.map((url, i) => ({url, wastedMs: (starts[i + 1] ?? starts[i]) - starts[i]}));
}

/**
 * The savings Lighthouse estimates for the performance opportunities of one page,
 * all on one dependency graph and simulator (those of the run's throttling method).
 *
 * @param {object} request the page as for {@link simulate} (plus `throttlingMethod`,
 *   "simulate" or "devtools") and the questions:
 * @param {Object<string, Object<string, number>>} request.bytes per audit, wasted bytes by URL
 * @param {Array<string>} request.renderBlocking URLs of the render-blocking requests
 * @param {Object<string, number>} request.wastedCssBytes unused CSS bytes by style sheet URL
 * @param {string=} request.lcpImageUrl the URL of the LCP image, when the LCP is an image
 * @param {Array<string>=} request.redirects the main document's redirect chain (URLs, the
 *   final one last), for the time of each hop
 * @param {Array<string>=} request.http2 URLs of requests served over HTTP/1.x, for the
 *   savings of serving them over HTTP/2 (on the pessimistic FCP and LCP graphs)
 * @return {{bytes: Object<string, {FCP: number, LCP: number}>, renderBlocking: object,
 *   errors: Object<string, string>, diagnostics: object}}
 */
export function savings(request) {
  const started = performance.now();
  const errors = {};
  let page;
  try {
    page = buildPage(request);
  } catch (err) {
    if (!err.page) throw err;
    return {bytes: {}, renderBlocking: null, errors: {graph: errorCode(err.cause)}};
  }
  const {simulator} = page.data;
  const built = performance.now();
  let fcp;
  let lcp;
  try {
    fcp = Metrics.FirstContentfulPaint.compute(page.data);
  } catch (err) {
    return {bytes: {}, renderBlocking: null, errors: {graph: errorCode(err)}};
  }
  try {
    lcp = Metrics.LargestContentfulPaint.compute(page.data, {fcpResult: fcp});
  } catch (err) {
    errors.lcp = errorCode(err);
  }
  const fcpBefore = simulator.simulate(fcp.optimisticGraph).timeInMs;
  const lcpBefore = lcp ? simulator.simulate(lcp.optimisticGraph).timeInMs : undefined;
  const bytes = {};
  for (const [auditId, wastedByUrl] of Object.entries(request.bytes || {})) {
    const saved = {FCP: wasteWithGraph(simulator, fcp.optimisticGraph, fcpBefore, wastedByUrl)};
    if (lcp) {
      const graphSaving = wasteWithGraph(simulator, lcp.optimisticGraph, lcpBefore, wastedByUrl);
      // The LCP graph can miss what the LCP image itself would save.
      const lcpWasted = request.lcpImageUrl ? wastedByUrl[request.lcpImageUrl] : 0;
      const imageSaving = lcpWasted ? simulator.computeWastedMsFromWastedBytes(lcpWasted) : 0;
      saved.LCP = Math.max(graphSaving, imageSaving);
    }
    bytes[auditId] = saved;
  }
  let redirects = null;
  if (request.redirects && request.redirects.length > 1) {
    try {
      redirects = redirectTimings(page.data, lcp, request.redirects);
    } catch (err) {
      errors.redirects = errorCode(err);
    }
  }
  let http2 = null;
  if (request.http2 && request.http2.length) {
    const urls = new Set(request.http2);
    http2 = {FCP: http2Savings(simulator, fcp.pessimisticGraph, urls)};
    if (lcp) http2.LCP = http2Savings(simulator, lcp.pessimisticGraph, urls);
  }
  let blocking = null;
  if (request.renderBlocking) {
    const found = renderBlocking(simulator, fcp, request.renderBlocking,
        request.wastedCssBytes || {});
    // An LCP image is rarely held back by render-blocking requests: Lighthouse counts none.
    blocking = {...found, FCP: found.fcp, LCP: request.lcpImageUrl ? 0 : found.fcp};
    delete blocking.fcp;
  }
  return {
    bytes,
    renderBlocking: blocking,
    redirects,
    http2,
    errors,
    diagnostics: {
      throttlingMethod: request.throttlingMethod || 'simulate',
      rttMs: simulator.rtt,
      graphMs: built - started,
      computeMs: performance.now() - started,
    },
  };
}
