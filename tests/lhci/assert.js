// Lighthouse CI's own assertion code on recorded reports: the reference psdata.check is
// compared with (tests/test_check_lhci.py). Reads a JSON request on stdin, writes JSON:
//   {"presets": true}                        -> Lighthouse CI's preset tables
//   {"cases": [{"name", "lhrs": [paths of .json.gz reports], "options"?, "budgets"?}]}
//     -> {name: every assertion result (includePassedAssertions), or {"error": message}}
// "budgets" is a budget.json list, converted as `lhci assert --budgetsFile` converts it.
'use strict';

const fs = require('fs');
const zlib = require('zlib');
const {getAllAssertionResults} = require('@lhci/utils/src/assertions.js');
const {convertBudgetsToAssertions} = require('@lhci/utils/src/budgets-converter.js');

const PRESETS = ['all', 'recommended', 'no-pwa'];

async function judge(testCase) {
  const lhrs = testCase.lhrs.map(path => JSON.parse(zlib.gunzipSync(fs.readFileSync(path))));
  try {
    const options = testCase.budgets
      ? await convertBudgetsToAssertions(testCase.budgets)
      : testCase.options;
    return getAllAssertionResults({...options, includePassedAssertions: true}, lhrs);
  } catch (error) {
    return {error: error.message};
  }
}

async function main() {
  const request = JSON.parse(fs.readFileSync(0, 'utf8'));
  const answer = {};
  if (request.presets) {
    for (const name of PRESETS) {
      answer[`lighthouse:${name}`] = require(`@lhci/utils/src/presets/${name}.js`).assertions;
    }
  }
  for (const testCase of request.cases || []) answer[testCase.name] = await judge(testCase);
  process.stdout.write(JSON.stringify(answer));
}

main().catch(error => {
  process.stderr.write(`${error.stack}\n`);
  process.exit(1);
});
