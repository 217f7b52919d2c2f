// Cross-check: Lighthouse's main-thread task tree on a Lantern fixture of psdata's
// tests (tests/fixtures/lantern/NAME): self time per task group, per attributable URL and
// group (getExecutionTimingsByURL, as bootup-time reads it), and the long top-level tasks,
// unthrottled. psdata's psdata.engines.lab.opportunities.mainthread gives the same on the
// events of the main thread Lighthouse found (tests/support/lantern_fixtures.py,
// lighthouse_main_thread). Needs bench/node_modules. psdata's own code (MIT).
//
//   node bench/mainthread_check.mjs requests-api-mobile
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import {fileURLToPath} from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const LH = path.join(here, 'node_modules', 'lighthouse', 'core');
const {MainThreadTasks} = await import(path.join(LH, 'computed/main-thread-tasks.js'));
const {NetworkRecords} = await import(path.join(LH, 'computed/network-records.js'));
const {getExecutionTimingsByURL} = await import(path.join(LH, 'lib/tracehouse/task-summary.js'));

const [name] = process.argv.slice(2);
const fixtures = path.join(here, '..', 'tests', 'fixtures', 'lantern');
const read = file => JSON.parse(zlib.gunzipSync(fs.readFileSync(path.join(fixtures, file))));
const trace = read(`${name}.trace.json.gz`);
const devtoolsLog = read(`${name}.devtoolslog.json.gz`);
const context = {computedCache: new Map(), settings: {}};
const tasks = await MainThreadTasks.request(trace, context);
const records = await NetworkRecords.request(devtoolsLog, context);
const byGroup = {};
for (const task of tasks) byGroup[task.group.id] = (byGroup[task.group.id] || 0) + task.selfTime;
console.log(JSON.stringify({
  tasks: tasks.length,
  byGroup,
  byUrl: Object.fromEntries(getExecutionTimingsByURL(tasks, records)),
  longTasks: tasks.filter(t => !t.parent && t.duration >= 50).map(t => t.duration),
}, null, 1));
