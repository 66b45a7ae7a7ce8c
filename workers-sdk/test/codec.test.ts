import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { AesGcmCodec, CodecError, ConfigError, createCodecServer, decodePayload, encodePayload, isEncodedValue } from '../src';

// Generous: the machine is shared, and a start-up under load takes seconds.
jest.setTimeout(120_000);

const k1 = AesGcmCodec.generateKey();
const k2 = AesGcmCodec.generateKey();
const codec = new AesGcmCodec({ keys: { k1, k2 }, currentKeyId: 'k2' });

describe('AesGcmCodec', () => {
  it('round-trips any JSON value, with a fresh nonce each time', async () => {
    for (const value of [{ card: '4111', n: [1, 2, { x: null }] }, 'text', 42, true, null, []]) {
      const encoded = await codec.encode(value);
      expect(encoded).toEqual({ __baton_codec: 'aes-256-gcm', keyId: 'k2', data: expect.any(String) });
      expect(await codec.decode(encoded)).toEqual(value);
    }
    const a = await codec.encode('same');
    const b = await codec.encode('same');
    expect(a.data).not.toBe(b.data);
  });

  it('decrypts values of an older key after rotation, and refuses unknown key ids by name', async () => {
    const before = new AesGcmCodec({ keys: { k1 }, currentKeyId: 'k1' });
    const old = await before.encode({ secret: 1 });
    expect(await codec.decode(old)).toEqual({ secret: 1 });
    await expect(before.decode(await codec.encode('new'))).rejects.toThrow(/unknown key id "k2": this codec knows k1/);
  });

  it('detects altered data and a relabelled key id', async () => {
    const encoded = await codec.encode({ amount: 10 });
    const bytes = Buffer.from(encoded.data, 'base64');
    bytes[bytes.length - 20] = (bytes[bytes.length - 20] as number) ^ 1;
    await expect(codec.decode({ ...encoded, data: bytes.toString('base64') })).rejects.toThrow(CodecError);
    // Same key under both ids: only the authenticated key id decrypts.
    const twin = new AesGcmCodec({ keys: { a: k1, b: k1 }, currentKeyId: 'a' });
    await expect(twin.decode({ ...(await twin.encode(1)), keyId: 'b' })).rejects.toThrow(/failed authentication/);
    await expect(codec.decode({ __baton_codec: 'other', data: 'eA==' })).rejects.toThrow(/encoded by "other"/);
  });

  it('checks its options', () => {
    expect(() => new AesGcmCodec({ keys: { k1: Buffer.alloc(16).toString('base64') }, currentKeyId: 'k1' })).toThrow(/must be 32 bytes/);
    expect(() => new AesGcmCodec({ keys: { k1 }, currentKeyId: 'k9' })).toThrow(ConfigError);
  });
});

describe('encodePayload / decodePayload', () => {
  it('encodes each top-level field but the clear ones, keeps envelopes as they are, and decodes at any depth', async () => {
    const already = await codec.encode('kept');
    const payload = { orderId: 'A-1', payment: { card: '4111' }, items: [1, 2], kept: already };
    const encoded = (await encodePayload(payload, codec, ['orderId'])) as Record<string, unknown>;
    expect(Object.keys(encoded)).toEqual(['orderId', 'payment', 'items', 'kept']);
    expect(encoded.orderId).toBe('A-1');
    expect(isEncodedValue(encoded.payment) && isEncodedValue(encoded.items)).toBe(true);
    expect(encoded.kept).toBe(already);
    expect(await decodePayload({ nested: [encoded] }, codec)).toEqual({ nested: [{ ...payload, kept: 'kept' }] });
    // A payload that is not an object is encoded whole.
    expect(await decodePayload(await encodePayload([1, 2], codec), codec)).toEqual([1, 2]);
  });
});

describe('createCodecServer over HTTP', () => {
  let server: Server;
  let url: string;
  beforeAll(async () => {
    server = createCodecServer(codec, { allowedOrigins: ['http://ui.example'], authorize: (h) => h['authorization'] !== 'Bearer wrong' });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  const post = async (path: string, body: unknown, headers: Record<string, string> = {}) => {
    const res = await fetch(`${url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
    return { status: res.status, headers: res.headers, body: (await res.json()) as any };
  };

  it('encodes with clear fields and decodes back', async () => {
    const encoded = await post('/encode', { payloads: [{ orderId: 'A-1', card: '4111' }, 'whole'], clearFields: ['orderId'] });
    expect(encoded.status).toBe(200);
    const [first, second] = encoded.body.payloads;
    expect(first).toEqual({ orderId: 'A-1', card: { __baton_codec: 'aes-256-gcm', keyId: 'k2', data: expect.any(String) } });
    expect(isEncodedValue(second)).toBe(true);
    const decoded = await post('/decode', { payloads: encoded.body.payloads });
    expect(decoded).toMatchObject({ status: 200, body: { payloads: [{ orderId: 'A-1', card: '4111' }, 'whole'] } });
  });

  it('answers the UI origin with CORS, preflight included, and no other origin', async () => {
    const preflight = await fetch(`${url}/decode`, {
      method: 'OPTIONS',
      headers: { origin: 'http://ui.example', 'access-control-request-method': 'POST' },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe('http://ui.example');
    expect(preflight.headers.get('access-control-allow-methods')).toContain('POST');
    const allowed = await post('/decode', { payloads: [] }, { origin: 'http://ui.example' });
    expect(allowed.headers.get('access-control-allow-origin')).toBe('http://ui.example');
    const other = await post('/decode', { payloads: [] }, { origin: 'http://evil.example' });
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('names what is wrong: bad JSON, a bad shape, a payload it cannot decode, an unauthorized caller', async () => {
    expect(await post('/decode', '{nope')).toMatchObject({ status: 400, body: { errors: [{ pointer: '' }] } });
    expect(await post('/decode', { payloads: 'x' })).toMatchObject({ status: 400, body: { errors: [{ pointer: '/payloads' }] } });
    const stranger = await new AesGcmCodec({ keys: { k9: AesGcmCodec.generateKey() }, currentKeyId: 'k9' }).encode(1);
    const failed = await post('/decode', { payloads: [{ ok: 1 }, { x: stranger }] });
    expect(failed).toMatchObject({
      status: 422,
      body: { errors: [{ pointer: '/payloads/1', message: expect.stringMatching(/unknown key id "k9"/) }] },
    });
    expect((await post('/decode', { payloads: [] }, { authorization: 'Bearer wrong' })).status).toBe(403);
    expect((await fetch(`${url}/decode`)).status).toBe(405);
    expect((await fetch(`${url}/other`, { method: 'POST' })).status).toBe(404);
  });
});
