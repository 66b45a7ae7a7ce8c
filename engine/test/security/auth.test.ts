import { hashSecret } from '../../src/auth/keys';
import { ADMIN, ShiftClock, authEnv, bearer, createKey, tokenFor } from '../helpers/auth';
import { eventually } from '../helpers/eventually';
import { startTestServer, storeKinds, uniqueDbName, type TestServer } from '../helpers/server';

describe.each(storeKinds())('authentication (%s)', (kind) => {
  let s: TestServer;
  let clock: ShiftClock;
  let admin: string;
  beforeEach(async () => {
    clock = new ShiftClock();
    s = await startTestServer(kind, { env: authEnv, clock });
    admin = await tokenFor(s, ADMIN.keyId, ADMIN.keySecret);
  });
  afterEach(async () => {
    await s.close();
  });

  it("exchanges a key id and secret for a token at POST /api/token, Conductor's SDK contract", async () => {
    const r = await s.req('POST', '/api/token', { keyId: ADMIN.keyId, keySecret: ADMIN.keySecret });
    expect(r.status).toBe(200);
    expect(Object.keys(r.body)).toEqual(['token']);
    expect(r.body.token.split('.')).toHaveLength(3);
    const wrong = await s.req('POST', '/api/token', { keyId: ADMIN.keyId, keySecret: 'not-the-secret-at-all' });
    expect(wrong.status).toBe(401);
    expect(wrong.body).toMatchObject({ code: 'UNAUTHENTICATED', error: 'INVALID_CREDENTIALS' });
    expect((await s.req('POST', '/api/token', { keyId: 'nobody', keySecret: 'x' })).status).toBe(401);
    const missing = await s.req('POST', '/api/token', { keyId: ADMIN.keyId });
    expect(missing.status).toBe(400);
    expect(missing.body.errors).toEqual([{ pointer: '/keySecret', message: 'is required' }]);
    const form = await s.req('POST', '/api/token', `keyId=${ADMIN.keyId}&keySecret=${ADMIN.keySecret}`, {
      'content-type': 'application/x-www-form-urlencoded',
    });
    expect(form.status).toBe(415);
  });

  it('accepts the token as X-Authorization and as Authorization: Bearer, and the key itself as Basic', async () => {
    expect((await s.req('GET', '/api/metadata/taskdefs', undefined, { 'x-authorization': admin })).status).toBe(200);
    expect((await s.req('GET', '/api/metadata/taskdefs', undefined, { authorization: `Bearer ${admin}` })).status).toBe(200);
    const basic = Buffer.from(`${ADMIN.keyId}:${ADMIN.keySecret}`).toString('base64');
    expect((await s.req('GET', '/metrics', undefined, { authorization: `Basic ${basic}` })).status).toBe(200);
    const badBasic = Buffer.from(`${ADMIN.keyId}:wrong`).toString('base64');
    expect((await s.req('GET', '/metrics', undefined, { authorization: `Basic ${badBasic}` })).status).toBe(401);
    const garbage = await s.req('GET', '/api/metadata/taskdefs', undefined, { 'x-authorization': 'not.a.token' });
    expect(garbage.status).toBe(401);
    expect(garbage.body.error).toBe('INVALID_TOKEN');
    const anonymous = await s.req('GET', '/api/metadata/taskdefs');
    expect(anonymous.status).toBe(401);
    expect(anonymous.body.error).toBe('MISSING_TOKEN');
    const raw = await fetch(`${s.url}/api/metadata/taskdefs`);
    expect(raw.headers.get('www-authenticate')).toMatch(/^Bearer/);
    // A token signed with another secret is refused.
    const [h, p] = admin.split('.');
    expect((await s.req('GET', '/api/metadata/taskdefs', undefined, bearer(`${h}.${p}.AAAA`))).body.error).toBe('INVALID_TOKEN');
  });

  it('answers EXPIRED_TOKEN once a token outlives BATON_TOKEN_TTL_SECONDS, and a new token works', async () => {
    expect((await s.req('GET', '/api/workflow/search', undefined, bearer(admin))).status).toBe(200);
    clock.shift = 3601_000;
    const r = await s.req('GET', '/api/workflow/search', undefined, bearer(admin));
    expect(r.status).toBe(401);
    expect(r.body).toMatchObject({ code: 'UNAUTHENTICATED', error: 'EXPIRED_TOKEN' });
    const fresh = await tokenFor(s, ADMIN.keyId, ADMIN.keySecret);
    expect((await s.req('GET', '/api/workflow/search', undefined, bearer(fresh))).status).toBe(200);
  });

  it('stores keys hashed, shows a secret once, and applies a role change, a rotation and a deletion to tokens already issued', async () => {
    const k = await createKey(s, admin, { keyId: 'ops-1', role: 'operator', description: 'on call' });
    expect(k.keySecret.length).toBeGreaterThanOrEqual(40);
    const stored = await s.engine.store.getApiKey('ops-1');
    expect(stored).toMatchObject({ role: 'operator', createdBy: ADMIN.keyId, secretHash: hashSecret(k.keySecret) });
    expect(JSON.stringify(stored)).not.toContain(k.keySecret);
    const listed = (await s.req('GET', '/api/admin/keys', undefined, bearer(admin))).body as any[];
    expect(listed.map((x) => [x.keyId, x.role, x.source])).toEqual([
      [ADMIN.keyId, 'admin', 'configuration'],
      ['ops-1', 'operator', 'store'],
    ]);
    expect(JSON.stringify(listed)).not.toMatch(/secret/i);

    const token = await tokenFor(s, 'ops-1', k.keySecret);
    expect((await s.req('PUT', '/api/metadata/taskdefs', { name: 'x' }, bearer(token))).status).toBe(200);
    // Demoted to viewer: the same token can read but no longer write.
    expect((await s.req('PUT', '/api/admin/keys/ops-1', { role: 'viewer' }, bearer(admin))).status).toBe(200);
    expect((await s.req('PUT', '/api/metadata/taskdefs', { name: 'x' }, bearer(token))).status).toBe(403);
    expect((await s.req('GET', '/api/metadata/taskdefs', undefined, bearer(token))).status).toBe(200);
    // A new secret: tokens of the old one stop working, the old secret too.
    const rotated = await s.req('POST', '/api/admin/keys/ops-1/rotate', undefined, bearer(admin));
    expect(rotated.status).toBe(200);
    expect((await s.req('GET', '/api/metadata/taskdefs', undefined, bearer(token))).body.error).toBe('INVALID_TOKEN');
    expect((await s.req('POST', '/api/token', { keyId: 'ops-1', keySecret: k.keySecret })).status).toBe(401);
    const token2 = await tokenFor(s, 'ops-1', rotated.body.keySecret);
    expect((await s.req('GET', '/api/metadata/taskdefs', undefined, bearer(token2))).status).toBe(200);
    // Deleted: its tokens stop working.
    expect((await s.req('DELETE', '/api/admin/keys/ops-1', undefined, bearer(admin))).status).toBe(200);
    expect((await s.req('GET', '/api/metadata/taskdefs', undefined, bearer(token2))).body.error).toBe('INVALID_TOKEN');
    expect((await s.req('DELETE', '/api/admin/keys/ops-1', undefined, bearer(admin))).status).toBe(404);
  });

  it('validates key requests and protects the bootstrap key', async () => {
    const bad = async (body: unknown) => (await s.req('POST', '/api/admin/keys', body, bearer(admin))).body;
    expect((await bad({ role: 'root' })).errors[0]).toMatchObject({ pointer: '/role' });
    expect((await bad({ role: 'worker' })).errors).toEqual([
      { pointer: '/taskTypes', message: expect.stringContaining('required for role worker') },
    ]);
    expect((await bad({ role: 'viewer', taskTypes: ['a'] })).errors[0].pointer).toBe('/taskTypes');
    expect((await bad({ role: 'viewer', keyId: 'has space' })).errors[0].pointer).toBe('/keyId');
    expect((await bad({ role: 'viewer', secretHash: 'x' })).errors[0]).toEqual({ pointer: '/secretHash', message: 'is not allowed' });
    await createKey(s, admin, { keyId: 'dup', role: 'viewer' });
    expect((await s.req('POST', '/api/admin/keys', { keyId: 'dup', role: 'viewer' }, bearer(admin))).status).toBe(409);
    expect((await s.req('DELETE', `/api/admin/keys/${ADMIN.keyId}`, undefined, bearer(admin))).status).toBe(409);
    expect((await s.req('POST', '/api/admin/keys', { keyId: ADMIN.keyId, role: 'viewer' }, bearer(admin))).status).toBe(409);
    const w = await createKey(s, admin, { role: 'worker', taskTypes: ['pay_*'] });
    const info = await s.req('GET', '/api/token/userInfo', undefined, bearer(await tokenFor(s, w.keyId, w.keySecret)));
    expect(info.body).toMatchObject({ id: w.keyId, roles: [{ name: 'worker' }], taskTypes: ['pay_*'] });
  });
});

describe('authentication off', () => {
  it('answers 404 at /api/token (what Conductor SDKs read as "no authentication") and has no key management', async () => {
    const s = await startTestServer('sqlite');
    try {
      const r = await s.req('POST', '/api/token', { keyId: 'a', keySecret: 'b' });
      expect(r.status).toBe(404);
      expect(r.body.detail).toContain('BATON_ADMIN_KEY_ID');
      expect((await s.req('POST', '/api/admin/keys', { role: 'admin' })).status).toBe(404);
      expect((await s.req('GET', '/api/metadata/taskdefs')).status).toBe(200);
    } finally {
      await s.close();
    }
  });
});

const mongo = storeKinds().includes('mongodb') ? describe : describe.skip;
mongo('tokens across engines sharing one MongoDB database', () => {
  it('a token and a key made on one engine work on another; a deletion reaches the other within the key cache time', async () => {
    const db = uniqueDbName('baton_auth_shared');
    const a = await startTestServer('mongodb', { env: { ...authEnv, BATON_MONGODB_DB: db } });
    const b = await startTestServer('mongodb', { env: { ...authEnv, BATON_MONGODB_DB: db } });
    try {
      const adminA = await tokenFor(a, ADMIN.keyId, ADMIN.keySecret);
      expect((await b.req('GET', '/api/metadata/taskdefs', undefined, bearer(adminA))).status).toBe(200);
      const k = await createKey(a, adminA, { keyId: 'shared-op', role: 'operator' });
      const opOnB = await tokenFor(b, k.keyId, k.keySecret);
      expect((await a.req('GET', '/api/workflow/search', undefined, bearer(opOnB))).status).toBe(200);
      expect((await b.req('GET', '/api/workflow/search', undefined, bearer(opOnB))).status).toBe(200);
      expect((await a.req('DELETE', '/api/admin/keys/shared-op', undefined, bearer(adminA))).status).toBe(200);
      expect((await a.req('GET', '/api/workflow/search', undefined, bearer(opOnB))).status).toBe(401);
      const onB = await eventually(
        async () => (await b.req('GET', '/api/workflow/search', undefined, bearer(opOnB))).status,
        (st) => st === 401,
        15_000,
      );
      expect(onB).toBe(401);
    } finally {
      await a.close();
      await b.close();
    }
  }, 30_000);
});
