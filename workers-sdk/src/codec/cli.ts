#!/usr/bin/env node
// `baton-codec`: the command-line side of codecs (docs/payloads.md, "Codecs").
//   baton-codec serve     runs a codec server with AES-256-GCM keys from the environment
//   baton-codec decode    decodes JSON from stdin (or a file) through a codec endpoint
//   baton-codec workflow  prints a workflow from the engine, decoded through a codec endpoint
// Keys come from the environment only (flags show in `ps`): BATON_CODEC_KEYS="id:base64,id:base64"
// and BATON_CODEC_CURRENT_KEY=id. The engine is never sent a key or a decoded value.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { AesGcmCodec } from './aes-gcm';
import { createCodecServer } from './codec-server';

const usage = `usage:
  baton-codec serve [--port 8888] [--host 127.0.0.1] [--allow-origin URL]...
      keys from BATON_CODEC_KEYS ("id:base64key,...") and BATON_CODEC_CURRENT_KEY
  baton-codec decode --endpoint URL [file]            JSON from the file, or stdin
  baton-codec workflow <id> --endpoint URL [--server http://127.0.0.1:8080] [--header "name: value"]...`;

async function main(argv: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      port: { type: 'string', default: '8888' },
      host: { type: 'string', default: '127.0.0.1' },
      'allow-origin': { type: 'string', multiple: true, default: [] },
      endpoint: { type: 'string' },
      server: { type: 'string', default: process.env.BATON_URL ?? 'http://127.0.0.1:8080' },
      header: { type: 'string', multiple: true, default: [] },
      help: { type: 'boolean', default: false },
    },
  });
  const [command, arg] = positionals;
  if (values.help || command === undefined) return void process.stdout.write(`${usage}\n`);
  if (command === 'serve') return serve(Number(values.port), values.host, values['allow-origin']);
  const endpoint = values.endpoint?.replace(/\/+$/, '');
  if (!endpoint) throw new UsageError('--endpoint is required: the URL of your codec server');
  if (command === 'decode') {
    const text = arg === undefined ? readFileSync(0, 'utf8') : readFileSync(arg, 'utf8');
    return print(await decodeThrough(endpoint, JSON.parse(text) as unknown));
  }
  if (command === 'workflow') {
    if (!arg) throw new UsageError('workflow needs the workflow id');
    const headers = Object.fromEntries(values.header.map((h) => [h.slice(0, h.indexOf(':')).trim(), h.slice(h.indexOf(':') + 1).trim()]));
    const res = await fetch(`${values.server.replace(/\/+$/, '')}/api/workflow/${encodeURIComponent(arg)}?includeTasks=true`, { headers });
    if (!res.ok) throw new Error(`the engine answered ${res.status}: ${await res.text()}`);
    return print(await decodeThrough(endpoint, await res.json()));
  }
  throw new UsageError(`unknown command ${JSON.stringify(command)}`);
}

function serve(port: number, host: string, origins: string[]): void {
  const keys = Object.fromEntries(
    (process.env.BATON_CODEC_KEYS ?? '')
      .split(',')
      .filter((k) => k.trim() !== '')
      .map((pair) => [pair.slice(0, pair.indexOf(':')).trim(), pair.slice(pair.indexOf(':') + 1).trim()]),
  );
  if (Object.keys(keys).length === 0) throw new UsageError('BATON_CODEC_KEYS is not set ("id:base64key,...")');
  const currentKeyId = process.env.BATON_CODEC_CURRENT_KEY ?? Object.keys(keys).at(-1) ?? '';
  const server = createCodecServer(new AesGcmCodec({ keys, currentKeyId }), { allowedOrigins: origins });
  server.listen(port, host, () => {
    const address = server.address();
    const actual = typeof address === 'object' && address !== null ? address.port : port;
    process.stdout.write(`codec server listening on http://${host}:${actual} (current key ${currentKeyId})\n`);
  });
  const stop = (): void => void server.close(() => process.exit(0));
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

async function decodeThrough(endpoint: string, value: unknown): Promise<unknown> {
  const res = await fetch(`${endpoint}/decode`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ payloads: [value] }),
  });
  const body = (await res.json()) as { payloads?: unknown[]; detail?: string };
  if (!res.ok || !Array.isArray(body.payloads))
    throw new Error(`the codec endpoint answered ${res.status}: ${body.detail ?? JSON.stringify(body)}`);
  return body.payloads[0];
}

function print(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

class UsageError extends Error {}

main(process.argv.slice(2)).catch((err: unknown) => {
  process.stderr.write(`baton-codec: ${err instanceof Error ? err.message : String(err)}\n`);
  if (err instanceof UsageError) process.stderr.write(`\n${usage}\n`);
  process.exit(err instanceof UsageError ? 2 : 1);
});
