'use strict';
// API fuzzing (docs/reliability.md, "API fuzzing"): starts a Baton engine on a fresh embedded
// store, runs schemathesis (installed by scripts/provision-sdks.js into scripts/fuzz/.venv) against
// the engine's own OpenAPI document (/api-docs) in its examples, coverage, fuzzing and stateful
// phases (the stateful phase follows the document's links), with a fixed seed and a bounded number
// of examples per operation, and checks every answer: no server error (5xx), status codes, content
// types, headers and bodies as documented. Reports (JUnit, JSON, NDJSON events) go to fuzz-report/
// (git-ignored), the CI artifact.
//
//   node scripts/fuzz.js [--examples N] [--seed N] [--report-dir DIR]     (npm run fuzz builds first)
//
// Exits with schemathesis's code: 0 when every check passed. Plain CommonJS, no npm dependencies.

const { spawn } = require('node:child_process');
const fs = require('node:fs');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..');
const ST = path.join(__dirname, 'fuzz', '.venv', 'bin', 'schemathesis');

/** The checks that make "0 server errors and 0 answers that break the documented schema". */
const CHECKS = [
  'not_a_server_error',
  'status_code_conformance',
  'content_type_conformance',
  'response_headers_conformance',
  'response_schema_conformance',
];

function arg(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback;
}

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
    srv.once('error', reject);
  });
}

async function waitHealthy(url, proc, log) {
  const deadline = Date.now() + 120_000;
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`the engine exited while starting:\n${log()}`);
    try {
      if ((await fetch(`${url}/health`)).ok) return;
    } catch {
      /* not listening yet */
    }
    if (Date.now() > deadline) throw new Error(`the engine did not start in 120 s:\n${log()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function main() {
  if (!fs.existsSync(ST)) throw new Error(`${ST} is missing: run node scripts/provision-sdks.js first`);
  const reportDir = path.resolve(arg('report-dir', path.join(ROOT, 'fuzz-report')));
  fs.rmSync(reportDir, { recursive: true, force: true });
  fs.mkdirSync(reportDir, { recursive: true });
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'baton-fuzz-'));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  let engineLog = '';
  const engine = spawn(process.execPath, [path.join(ROOT, 'engine/dist/main.js')], {
    env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', MONGODB_URI: '', BATON_DATA_DIR: dataDir, LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const keep = (b) => {
    engineLog = (engineLog + b.toString()).slice(-200_000);
  };
  engine.stdout.on('data', keep);
  engine.stderr.on('data', keep);
  try {
    await waitHealthy(url, engine, () => engineLog.slice(-3000));
    const args = [
      'run',
      `${url}/api-docs`,
      '--phases',
      'examples,coverage,fuzzing,stateful',
      '--max-examples',
      arg('examples', '25'),
      '--seed',
      arg('seed', '14'),
      '--checks',
      CHECKS.join(','),
      '--workers',
      '1',
      '--request-timeout',
      '60',
      '--report',
      'junit,json,ndjson',
      '--report-dir',
      reportDir,
      '--no-color',
      '--output-truncate',
      'false',
    ];
    process.stdout.write(`fuzz: schemathesis ${args.join(' ')}\n`);
    const code = await new Promise((resolve) => {
      // baton_hooks.py: a text/plain deserializer, so the stateful phase can follow links from a workflow id.
      const env = { ...process.env, SCHEMATHESIS_HOOKS: path.join(__dirname, 'fuzz', 'baton_hooks.py') };
      const st = spawn(ST, args, { cwd: reportDir, stdio: ['ignore', 'pipe', 'pipe'], env });
      let out = '';
      st.stdout.on('data', (b) => {
        out += b.toString();
        process.stdout.write(b);
      });
      st.stderr.on('data', (b) => process.stderr.write(b));
      st.on('exit', (c) => {
        fs.writeFileSync(path.join(reportDir, 'schemathesis.txt'), out);
        resolve(c ?? 1);
      });
    });
    fs.writeFileSync(path.join(reportDir, 'engine.log'), engineLog);
    const unhandled = engineLog.split('"msg":"unhandled error"').length - 1;
    process.stdout.write(
      `fuzz: schemathesis exit ${code}; the engine logged ${unhandled} unhandled errors; reports in ${path.relative(ROOT, reportDir)}/\n`,
    );
    return code === 0 && unhandled === 0 ? 0 : 1;
  } finally {
    engine.kill('SIGTERM');
    await new Promise((r) => (engine.exitCode !== null ? r() : engine.once('exit', r)));
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

main().then(
  (code) => process.exit(code),
  (err) => {
    process.stderr.write(`fuzz: ${err && err.stack ? err.stack : String(err)}\n`);
    process.exit(2);
  },
);
