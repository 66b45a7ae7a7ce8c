'use strict';
// Provisions the MongoDB wire-protocol server that Baton's tests use when MONGODB_URI is not set:
// mongo-java-server with its in-memory backend (scripts/mongo-test-server/, a small Maven project).
//
//   const { startMongoTestServer } = require('./mongo-test-server');
//   const server = await startMongoTestServer({ log: console.error });
//   // ... server.uri is mongodb://127.0.0.1:<port>/
//   await server.stop();
//
// Run directly (`node scripts/mongo-test-server.js [port]`), it starts a server, prints its URI on
// stdout and runs until Ctrl-C. BATON_TEST_MONGO_LOG=1 copies the server's own log (stderr) to ours.
//
// The jar is built with Maven (`mvn -q -B package`) when it is missing or older than the pom or a
// Java source. Needs Java 17+ and Maven 3.8+ on PATH (or JAVA_HOME for java). Plain CommonJS, no
// npm dependencies: it runs before the TypeScript build matters.

const { spawn } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const readline = require('node:readline');

const PROJECT_DIR = path.join(__dirname, 'mongo-test-server');
const TARGET_DIR = path.join(PROJECT_DIR, 'target');
const JAR = path.join(TARGET_DIR, 'mongo-test-server.jar');
const LIB_DIR = path.join(TARGET_DIR, 'lib');

const START_TIMEOUT_MS = 120_000;
const STOP_TIMEOUT_MS = 10_000;
const STDERR_TAIL_CHARS = 4_000;

// Modest heap, and the collector that starts fastest for a small short-lived JVM.
const JVM_OPTIONS = ['-Xmx1g', '-XX:+UseSerialGC'];

function defaultLog(message) {
  process.stderr.write(`${message}\n`);
}

function javaCommand() {
  const home = process.env.JAVA_HOME;
  if (home) {
    const candidate = path.join(home, 'bin', process.platform === 'win32' ? 'java.exe' : 'java');
    if (fs.existsSync(candidate)) return candidate;
  }
  return 'java';
}

// Newest modification time (ms) of the pom and every file under src/.
function newestSourceMtime() {
  let newest = fs.statSync(path.join(PROJECT_DIR, 'pom.xml')).mtimeMs;
  const walk = (dir) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else newest = Math.max(newest, fs.statSync(full).mtimeMs);
    }
  };
  walk(path.join(PROJECT_DIR, 'src'));
  return newest;
}

function needsBuild() {
  if (!fs.existsSync(JAR) || !fs.existsSync(LIB_DIR)) return true;
  return newestSourceMtime() > fs.statSync(JAR).mtimeMs;
}

class Tail {
  constructor(limit) {
    this.limit = limit;
    this.text = '';
  }
  push(chunk) {
    this.text = (this.text + chunk).slice(-this.limit);
  }
  toString() {
    return this.text.trim();
  }
}

// Runs `mvn -q -B package` in scripts/mongo-test-server.
function buildJar({ log = defaultLog } = {}) {
  const started = Date.now();
  log(`mongo-test-server: building the jar with Maven (${path.relative(process.cwd(), PROJECT_DIR) || '.'})...`);
  return new Promise((resolve, reject) => {
    const tail = new Tail(STDERR_TAIL_CHARS);
    const mvn = spawn('mvn', ['-q', '-B', 'package'], {
      cwd: PROJECT_DIR,
      stdio: ['ignore', 'pipe', 'pipe'],
      shell: process.platform === 'win32',
    });
    for (const stream of [mvn.stdout, mvn.stderr]) {
      stream.on('data', (chunk) => {
        // Maven 3.8 writes colour resets even in batch mode: drop them. The output (only problems,
        // with -q) is shown in the error if the build fails.
        // eslint-disable-next-line no-control-regex -- ESC starts the colour codes being removed
        tail.push(chunk.toString().replace(/\x1b\[[0-9;]*m/g, ''));
      });
    }
    mvn.on('error', (err) => {
      reject(
        new Error(
          `mongo-test-server: cannot run Maven (${err.code === 'ENOENT' ? 'mvn is not on PATH' : err.message}). ` +
            'Install Java 17+ and Maven 3.8+, or set MONGODB_URI to an existing MongoDB server.',
        ),
      );
    });
    mvn.on('close', (code, signal) => {
      if (code === 0 && fs.existsSync(JAR)) {
        log(`mongo-test-server: jar built in ${((Date.now() - started) / 1000).toFixed(1)} s`);
        resolve(JAR);
      } else {
        reject(
          new Error(
            `mongo-test-server: Maven build failed (${signal ? `signal ${signal}` : `exit code ${code}`})` +
              (tail.toString() ? `:\n${tail}` : ''),
          ),
        );
      }
    });
  });
}

async function ensureJar({ log = defaultLog } = {}) {
  if (needsBuild()) await buildJar({ log });
  return JAR;
}

/**
 * Starts mongo-java-server (in-memory) on 127.0.0.1, building it first if needed.
 * Resolves to { uri, port, pid, stop() } once the server accepts connections; stop() kills it and
 * resolves when it has exited (idempotent).
 */
async function startMongoTestServer({ log = defaultLog, port = 0 } = {}) {
  const jar = await ensureJar({ log });
  const started = Date.now();
  // stdin stays an open pipe: the server exits when it closes, so it never outlives this process.
  const child = spawn(javaCommand(), [...JVM_OPTIONS, '-jar', jar, String(port)], {
    cwd: PROJECT_DIR,
    stdio: ['pipe', 'pipe', 'pipe'],
    windowsHide: true,
  });
  const stderrTail = new Tail(STDERR_TAIL_CHARS);
  let ready = false;
  let exited = false;
  const exitPromise = new Promise((resolve) => {
    child.on('exit', (code, signal) => {
      exited = true;
      resolve({ code, signal });
    });
  });
  child.stdin.on('error', () => {}); // EPIPE if the server died first.
  // The server logs every failed command (a duplicate key included) with a stack trace: keep only
  // the tail for error messages, unless BATON_TEST_MONGO_LOG=1 asks for all of it on our stderr.
  const forwardLog = process.env.BATON_TEST_MONGO_LOG === '1';
  child.stderr.on('data', (chunk) => {
    const text = chunk.toString();
    stderrTail.push(text);
    if (ready && forwardLog) process.stderr.write(text.replace(/^(?=.)/gm, '[mongo-test-server] '));
  });

  const listeningPort = await new Promise((resolve, reject) => {
    const lines = readline.createInterface({ input: child.stdout });
    const fail = (reason, withStderr = true) => {
      clearTimeout(timer);
      lines.close();
      const tail = stderrTail.toString();
      const details = !withStderr ? '' : tail ? `; its stderr ends with:\n${tail}` : ' (it wrote nothing to stderr)';
      reject(new Error(`mongo-test-server: ${reason}${details}`));
    };
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      fail(`no LISTENING line within ${START_TIMEOUT_MS / 1000} s (killed)`);
    }, START_TIMEOUT_MS);
    child.on('error', (err) => {
      fail(
        err.code === 'ENOENT'
          ? 'java is not on PATH (install Java 17+, or set MONGODB_URI to an existing MongoDB server)'
          : `cannot start java: ${err.message}`,
        false,
      );
    });
    child.on('exit', (code, signal) => {
      if (!ready) fail(`the server exited before listening (${signal ? `signal ${signal}` : `exit code ${code}`})`);
    });
    lines.on('line', (line) => {
      const match = /^LISTENING (\d+)$/.exec(line.trim());
      if (!ready && match) {
        ready = true;
        clearTimeout(timer);
        // Keep draining stdout so the server can never block on a full pipe.
        lines.removeAllListeners('line');
        child.stdout.resume();
        resolve(Number(match[1]));
      }
    });
  });

  log(`mongo-test-server: listening on 127.0.0.1:${listeningPort} (pid ${child.pid}, started in ${Date.now() - started} ms)`);

  let stopping = null;
  exitPromise.then(({ code, signal }) => {
    if (stopping) return;
    const tail = stderrTail.toString();
    log(
      `mongo-test-server: exited unexpectedly (${signal ? `signal ${signal}` : `exit code ${code}`})` +
        (tail ? `; its stderr ends with:\n${tail}` : ''),
    );
  });
  const stop = () => {
    if (!stopping) {
      stopping = (async () => {
        if (exited) return;
        // End of stdin asks for a clean shutdown; SIGTERM too; SIGKILL if it hangs.
        child.stdin.end();
        child.kill('SIGTERM');
        const timer = setTimeout(() => {
          if (!exited) child.kill('SIGKILL');
        }, STOP_TIMEOUT_MS);
        await exitPromise;
        clearTimeout(timer);
      })();
    }
    return stopping;
  };

  return {
    uri: `mongodb://127.0.0.1:${listeningPort}/`,
    port: listeningPort,
    pid: child.pid,
    stop,
  };
}

module.exports = { startMongoTestServer, ensureJar, buildJar, JAR };

if (require.main === module) {
  const portArg = process.argv[2] ?? '0';
  if (!/^\d+$/.test(portArg)) {
    process.stderr.write('usage: node scripts/mongo-test-server.js [port]\n');
    process.exit(2);
  }
  startMongoTestServer({ port: Number(portArg) }).then(
    (server) => {
      process.stdout.write(`${server.uri}\n`);
      process.stderr.write('mongo-test-server: running; Ctrl-C stops it\n');
      const shutdown = (signal) => {
        server.stop().then(() => process.exit(signal === 'SIGINT' ? 130 : 143));
      };
      process.once('SIGINT', shutdown);
      process.once('SIGTERM', shutdown);
    },
    (err) => {
      process.stderr.write(`${err.message}\n`);
      process.exit(1);
    },
  );
}
