// Print, as JSON, what psdata's Lighthouse reports take from Lighthouse itself: the
// default config's categories (auditRefs, weights, groups, acronyms) and group titles,
// every default audit's en-US title, failure title, description, score display mode and
// gather modes, the en-US table column labels, and the form factors' presets (screen
// emulation, throttling, user agent). Run by scripts/vendor_lighthouse_report.sh with the pinned
// lighthouse package installed beside it:
//     node scripts/lighthouse_report_facts.mjs /path/to/node_modules/lighthouse > facts.json
import fs from 'node:fs';
import path from 'node:path';
import {pathToFileURL} from 'node:url';

const root = process.argv[2];
if (!root) throw new Error('usage: lighthouse_report_facts.mjs LIGHTHOUSE_PACKAGE_DIR');
const load = (relative) => import(pathToFileURL(path.join(root, relative)).href);

const {default: config} = await load('core/config/default-config.js');
const constants = await load('core/config/constants.js');
const {getFormatted} = await load('shared/localization/format.js');
const version = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')).version;
const enUS = JSON.parse(
  fs.readFileSync(path.join(root, 'shared/localization/locales/en-US.json'), 'utf8'));

const text = (message) => (message === undefined ? undefined : getFormatted(message, 'en-US'));

const audits = {};
for (const entry of config.audits) {
  const relative = typeof entry === 'string' ? entry : entry.path;
  const {default: Audit} = await load(`core/audits/${relative}.js`);
  const meta = Audit.meta;
  audits[meta.id] = {
    title: text(meta.title),
    failureTitle: text(meta.failureTitle),
    description: text(meta.description),
    scoreDisplayMode: meta.scoreDisplayMode ?? 'binary',
    supportedModes: meta.supportedModes ?? ['navigation', 'timespan', 'snapshot'],
  };
}

const categories = {};
for (const [id, category] of Object.entries(config.categories)) {
  categories[id] = {
    title: text(category.title),
    description: text(category.description),
    manualDescription: text(category.manualDescription),
    supportedModes: category.supportedModes,
    auditRefs: category.auditRefs.map(({id, weight, group, acronym}) =>
      ({id, weight, group, acronym})),
  };
}

const categoryGroups = {};
for (const [id, group] of Object.entries(config.groups)) {
  categoryGroups[id] = {title: text(group.title), description: text(group.description)};
}

const columns = {};
for (const [id, {message}] of Object.entries(enUS)) {
  if (/ \| column\w+$/.test(id)) columns[id] = message;
}

const presets = {};
for (const formFactor of ['mobile', 'desktop']) {
  presets[formFactor] = {
    formFactor,
    screenEmulation: constants.screenEmulationMetrics[formFactor],
    emulatedUserAgent: constants.userAgents[formFactor],
    throttling: formFactor === 'mobile' ?
      constants.throttling.mobileSlow4G : constants.throttling.desktopDense4G,
  };
}

process.stdout.write(JSON.stringify(
  {lighthouseVersion: version, categories, categoryGroups, audits, columns, presets},
  null, 1) + '\n');
