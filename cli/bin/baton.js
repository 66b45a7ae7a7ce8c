#!/usr/bin/env node
// The `baton` command. A committed shim, so that npm links the bin on a fresh clone before `npm run build`
// has produced dist/ (it then says to build first instead of failing with a missing module).
try {
  require.resolve('../dist/main.js');
} catch {
  process.stderr.write('baton: the CLI is not built yet; run `npm run build` in the repository first\n');
  process.exit(2);
}
require('../dist/main.js');
