// Writes Baton's OpenAPI document to docs/openapi.json, the checked-in copy of what the engine
// serves at /api-docs (engine/src/api/openapi/). A test regenerates it and fails when the copy is
// stale, so a change to a wire schema or a route shows up in review as a change to this file.
//
//   npm run openapi            write docs/openapi.json
//   npm run openapi -- --check exit 1 when docs/openapi.json is not up to date
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openApiDocument } from '@baton/engine';

export const OPENAPI_FILE = join(__dirname, '..', '..', 'docs', 'openapi.json');

export function renderOpenApi(): string {
  return `${JSON.stringify(openApiDocument(), null, 2)}\n`;
}

if (require.main === module) {
  const text = renderOpenApi();
  let current = '';
  try {
    current = readFileSync(OPENAPI_FILE, 'utf8');
  } catch {
    /* first write */
  }
  if (process.argv.includes('--check')) {
    if (current !== text) {
      process.stderr.write(`${OPENAPI_FILE} is stale: run \`npm run openapi\`\n`);
      process.exit(1);
    }
    process.stdout.write(`${OPENAPI_FILE} is up to date\n`);
  } else if (current !== text) {
    writeFileSync(OPENAPI_FILE, text);
    process.stdout.write(`wrote ${OPENAPI_FILE}\n`);
  } else {
    process.stdout.write(`${OPENAPI_FILE} is up to date\n`);
  }
}
