'use strict';
// The body of `npm test` after the build: picks the MongoDB the tests use, runs jest, cleans up.
//
//   node scripts/test-run.js [jest arguments...]     e.g. node scripts/test-run.js engine/test/mongo
//
// With MONGODB_URI set, the tests use that server. Otherwise this starts the in-memory
// mongo-java-server (scripts/mongo-test-server.js; Java 17+ and Maven), passes its URI to jest as
// MONGODB_URI with BATON_TEST_MONGO_PROVISIONED=1, and stops it when jest ends, fails or is
// interrupted. Exits with jest's exit code. Plain CommonJS, no npm dependencies.
//
// Tests make folders in the temporary directory (the engine helper's `baton-test-*` stores, crash
// tests' data, Chromium profiles), including from child processes and from tests that fail before
// their teardown. jest gets a scratch TMPDIR of its own, removed when it ends, so a run leaves
// nothing behind; BATON_KEEP_TEST_FILES=1 keeps it (the path is printed) to look at after a failure.

const { spawn } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { startMongoTestServer } = require('./mongo-test-server');

const ROOT = path.resolve(__dirname, '..');
const JEST = path.join(ROOT, 'node_modules', 'jest', 'bin', 'jest.js');

function log(message) {
  process.stderr.write(`${message}\n`);
}

// Hides a password in a connection string before printing it.
function redact(uri) {
  return uri.replace(/^(mongodb(?:\+srv)?:\/\/[^:@/]+):[^@/]*@/, '$1:***@');
}

function signalExitCode(signal) {
  return 128 + (os.constants.signals[signal] ?? 1);
}

async function main() {
  const jestArgs = process.argv.slice(2);
  let server = null;
  let serverStarting = null;
  let jest = null;
  let interrupted = null;

  const cleanup = async () => {
    if (serverStarting) {
      try {
        server = await serverStarting;
      } catch {
        server = null;
      }
    }
    if (server) await server.stop();
  };

  const onSignal = (signal) => {
    if (interrupted) return;
    interrupted = signal;
    if (jest && jest.exitCode === null) {
      // jest shares our terminal's process group for Ctrl-C; forwarding covers a plain `kill`.
      jest.kill(signal);
    } else {
      cleanup().finally(() => process.exit(signalExitCode(signal)));
    }
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  const env = { ...process.env };
  if (process.env.MONGODB_URI) {
    console.log(`MongoDB for the tests: ${redact(process.env.MONGODB_URI)} (from MONGODB_URI)`);
  } else {
    serverStarting = startMongoTestServer({ log });
    try {
      server = await serverStarting;
    } catch (err) {
      log(err && err.message ? err.message : String(err));
      log('Set MONGODB_URI to a MongoDB server to run the tests without Java and Maven.');
      return 1;
    } finally {
      serverStarting = null;
    }
    if (interrupted) {
      await server.stop();
      return signalExitCode(interrupted);
    }
    env.MONGODB_URI = server.uri;
    env.BATON_TEST_MONGO_PROVISIONED = '1';
    console.log(`MongoDB for the tests: ${server.uri} (in-memory mongo-java-server started for this run)`);
  }

  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'baton-test-run-'));
  env.TMPDIR = scratch;
  let code;
  try {
    code = await new Promise((resolve) => {
      jest = spawn(process.execPath, [JEST, ...jestArgs], { cwd: ROOT, env, stdio: 'inherit' });
      jest.on('error', (err) => {
        log(`cannot run jest (${JEST}): ${err.message}`);
        resolve(1);
      });
      jest.on('exit', (exitCode, signal) => {
        resolve(exitCode ?? signalExitCode(signal));
      });
    });
  } finally {
    await cleanup();
    if (process.env.BATON_KEEP_TEST_FILES === '1') log(`test files kept in ${scratch}`);
    else fs.rmSync(scratch, { recursive: true, force: true, maxRetries: 3 });
  }
  return interrupted && code === 0 ? signalExitCode(interrupted) : code;
}

main().then(
  (code) => process.exit(code),
  (err) => {
    log(err && err.stack ? err.stack : String(err));
    process.exit(1);
  },
);
