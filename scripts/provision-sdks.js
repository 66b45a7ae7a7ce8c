'use strict';
// Installs the official Conductor SDKs that the compatibility tests (engine/test/compat) run
// against Baton, as a user would: the JavaScript SDK with npm into compat/js-sdk/node_modules, the
// Python SDK with pip into a virtual environment, compat/python-sdk/.venv. Also the API fuzzer,
// schemathesis, into scripts/fuzz/.venv (scripts/fuzz.js, engine/test/reliability/api-fuzz.test.ts). Downloads only from
// the package registries, only here (never while tests run), and only when the pinned versions
// changed since the last install (a stamp file holds what was installed).
//
//   node scripts/provision-sdks.js          (npm test runs it before jest)
//
// Needs npm and python3 (3.10+, with the venv module). Plain CommonJS, no npm dependencies.

const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..');
const JS_DIR = path.join(ROOT, 'compat', 'js-sdk');
const PY_DIR = path.join(ROOT, 'compat', 'python-sdk');
const VENV = path.join(PY_DIR, '.venv');

function log(message) {
  process.stderr.write(`provision-sdks: ${message}\n`);
}

function run(cmd, args, cwd) {
  const r = spawnSync(cmd, args, { cwd, stdio: ['ignore', 'inherit', 'inherit'], env: process.env });
  if (r.error) throw new Error(`${cmd} could not run: ${r.error.message}`);
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (exit ${r.status})`);
}

/** Runs `install` unless the stamp holds `wanted` (the pinned versions). */
function once(stamp, wanted, install) {
  if (fs.existsSync(stamp) && fs.readFileSync(stamp, 'utf8') === wanted) return false;
  install();
  fs.writeFileSync(stamp, wanted);
  return true;
}

function provisionJs() {
  const wanted = fs.readFileSync(path.join(JS_DIR, 'package-lock.json'), 'utf8');
  const stamp = path.join(JS_DIR, 'node_modules', '.baton-provisioned');
  const done = once(stamp, wanted, () => {
    log('installing the Conductor JavaScript SDK (compat/js-sdk)');
    const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
    run(npm, ['ci', '--no-audit', '--no-fund'], JS_DIR);
  });
  if (!done) log('Conductor JavaScript SDK already installed');
}

function python() {
  for (const candidate of [process.env.BATON_PYTHON, 'python3', 'python'].filter(Boolean)) {
    const r = spawnSync(candidate, ['-c', 'import sys, venv; assert sys.version_info >= (3, 10); print(sys.version.split()[0])'], {
      encoding: 'utf8',
    });
    if (r.status === 0) return candidate;
  }
  throw new Error('no python3 (3.10+ with venv) on PATH; set BATON_PYTHON to one');
}

function provisionPython() {
  const wanted = fs.readFileSync(path.join(PY_DIR, 'requirements.txt'), 'utf8');
  const stamp = path.join(VENV, '.baton-provisioned');
  const done = once(stamp, wanted, () => {
    log('installing the Conductor Python SDK into compat/python-sdk/.venv');
    if (!fs.existsSync(path.join(VENV, 'bin', 'python'))) run(python(), ['-m', 'venv', VENV], PY_DIR);
    run(
      path.join(VENV, 'bin', 'python'),
      ['-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', '-r', 'requirements.txt'],
      PY_DIR,
    );
  });
  if (!done) log('Conductor Python SDK already installed');
}

const FUZZ_DIR = path.join(ROOT, 'scripts', 'fuzz');
const FUZZ_VENV = path.join(FUZZ_DIR, '.venv');

function provisionFuzzer() {
  const wanted = fs.readFileSync(path.join(FUZZ_DIR, 'requirements.txt'), 'utf8');
  const stamp = path.join(FUZZ_VENV, '.baton-provisioned');
  const done = once(stamp, wanted, () => {
    log('installing schemathesis (the API fuzzer) into scripts/fuzz/.venv');
    if (!fs.existsSync(path.join(FUZZ_VENV, 'bin', 'python'))) run(python(), ['-m', 'venv', FUZZ_VENV], FUZZ_DIR);
    run(
      path.join(FUZZ_VENV, 'bin', 'python'),
      ['-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', '-r', 'requirements.txt'],
      FUZZ_DIR,
    );
  });
  if (!done) log('schemathesis already installed');
}

try {
  provisionJs();
  provisionPython();
  provisionFuzzer();
} catch (err) {
  log(err.message);
  process.exit(1);
}
