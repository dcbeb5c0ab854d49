// Mocha reporter: mocha's spec output, then the closing line CI reads, `N passed, N failed,
// N skipped`. A run that executed no test fails.
const Mocha = require('mocha');

const { Spec } = Mocha.reporters;
const { EVENT_RUN_END } = Mocha.Runner.constants;

class SummaryReporter extends Spec {
  constructor(runner, options) {
    super(runner, options);
    runner.once(EVENT_RUN_END, () => {
      const { passes, failures, pending } = runner.stats;
      if (passes + failures === 0) {
        console.log('no test was executed: failing the run');
        process.exitCode = 1;
      }
      console.log(`${passes} passed, ${failures} failed, ${pending} skipped`);
    });
  }
}

module.exports = SummaryReporter;
