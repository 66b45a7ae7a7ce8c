import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { AesGcmCodec, BatonClient } from '@baton/workers-sdk';
import { startTestServer, type TestServer } from '../helpers/server';

// Generous: the machine is shared, and a start-up under load takes seconds.
jest.setTimeout(120_000);

const CLI = join(__dirname, '../../../workers-sdk/dist/codec/cli.js');

function run(args: string[], stdin?: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = execFile(process.execPath, [CLI, ...args], { timeout: 60_000 }, (err, stdout, stderr) =>
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
    if (stdin !== undefined) child.stdin?.end(stdin);
  });
}

/** `baton-codec`: a runnable codec server, and the command line decoding through it (docs/payloads.md). */
describe('baton-codec', () => {
  const k1 = AesGcmCodec.generateKey();
  const codec = new AesGcmCodec({ keys: { k1 }, currentKeyId: 'k1' });
  let s: TestServer;
  let serve: ChildProcess;
  let endpoint = '';

  beforeAll(async () => {
    s = await startTestServer('sqlite');
    serve = spawn(process.execPath, [CLI, 'serve', '--port', '0'], {
      env: { ...process.env, BATON_CODEC_KEYS: `k1:${k1}`, BATON_CODEC_CURRENT_KEY: 'k1' },
    });
    endpoint = await new Promise<string>((resolve, reject) => {
      let out = '';
      serve.stdout?.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        const m = /listening on (http:\/\/\S+)/.exec(out);
        if (m?.[1]) resolve(m[1]);
      });
      serve.once('exit', (code) => reject(new Error(`baton-codec serve exited with ${code}`)));
    });
  });
  afterAll(async () => {
    if (serve.exitCode === null) {
      const exited = new Promise((resolve) => serve.once('exit', resolve));
      serve.kill('SIGTERM');
      await exited;
    }
    await s?.close();
  });

  it('prints a workflow decoded through the codec server; the engine holds ciphertext', async () => {
    const client = new BatonClient({ serverUrl: s.url, codec });
    await client.registerWorkflowDef(
      {
        name: 'cli_codec',
        version: 1,
        payloadCodec: { clearFields: ['orderId'] },
        tasks: [{ name: 'hold', taskReferenceName: 'hold', type: 'HUMAN' }],
      },
      { overwrite: true },
    );
    const id = await client.startWorkflow('cli_codec', { orderId: 'C-1', card: '5555-4444' });
    expect((await s.req('GET', `/api/workflow/${id}`)).text).not.toContain('5555-4444');
    const out = await run(['workflow', id, '--endpoint', endpoint, '--server', s.url]);
    expect(out.stderr).toBe('');
    expect(out.code).toBe(0);
    expect(JSON.parse(out.stdout)).toMatchObject({ workflowId: id, input: { orderId: 'C-1', card: '5555-4444' } });
  });

  it('decodes JSON from stdin, and says what is wrong', async () => {
    const out = await run(['decode', '--endpoint', endpoint], JSON.stringify({ a: await codec.encode({ b: 1 }) }));
    expect(JSON.parse(out.stdout)).toEqual({ a: { b: 1 } });
    const stranger = await new AesGcmCodec({ keys: { k2: AesGcmCodec.generateKey() }, currentKeyId: 'k2' }).encode(1);
    const failed = await run(['decode', '--endpoint', endpoint], JSON.stringify(stranger));
    expect(failed.code).toBe(1);
    expect(failed.stderr).toMatch(/422.*unknown key id "k2"/);
    const usage = await run(['decode']);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toMatch(/--endpoint is required/);
  });
});
