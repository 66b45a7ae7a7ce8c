import { ConfigError, loadConfig } from '../../src/config';
import { startServer } from '../../src/server';
import { authEnv, capturedLog, rawRequest } from '../helpers/auth';
import { startTestServer, testEnv } from '../helpers/server';

/** Without authentication, Baton serves loopback only, unless told otherwise, and says so. */
// Each test starts an engine: seconds on a loaded machine, past jest's 5 s default.
jest.setTimeout(60_000);

describe('default bind', () => {
  const env = (extra: Record<string, string>): Record<string, string> => ({ PORT: '0', MONGODB_URI: '', ...extra });

  it('binds 127.0.0.1 without authentication and 0.0.0.0 with it', () => {
    expect(loadConfig([], env({})).host).toBe('127.0.0.1');
    expect(loadConfig([], env(authEnv)).host).toBe('0.0.0.0');
    expect(loadConfig([], env({ HOST: '::1' })).host).toBe('::1');
  });

  it('refuses another address without authentication unless the operator consents, by flag or variable', () => {
    expect(() => loadConfig([], env({ HOST: '0.0.0.0' }))).toThrow(ConfigError);
    expect(() => loadConfig(['--host', '10.1.2.3'], env({}))).toThrow(/--allow-unauthenticated-bind/);
    expect(loadConfig(['--host', '0.0.0.0', '--allow-unauthenticated-bind'], env({})).host).toBe('0.0.0.0');
    expect(loadConfig([], env({ HOST: '0.0.0.0', BATON_ALLOW_UNAUTHENTICATED: 'true' })).allowUnauthenticatedBind).toBe(true);
    expect(() => loadConfig([], env({ HOST: '0.0.0.0', BATON_ALLOW_UNAUTHENTICATED: 'maybe' }))).toThrow(/true or false/);
    expect(loadConfig([], env({ ...authEnv, HOST: '0.0.0.0' })).adminKey?.keyId).toBe(authEnv.BATON_ADMIN_KEY_ID);
  });

  it('checks the bootstrap key and the allow-list at start-up', () => {
    expect(() => loadConfig([], env({ BATON_ADMIN_KEY_ID: 'root' }))).toThrow(/go together/);
    expect(() => loadConfig([], env({ BATON_ADMIN_KEY_ID: 'root', BATON_ADMIN_KEY_SECRET: 'short' }))).toThrow(/at least 16/);
    expect(() => loadConfig([], env({ BATON_HTTP_TASK_ALLOW: '10.0.0.0/33' }))).toThrow(/BATON_HTTP_TASK_ALLOW.*CIDR/);
    expect(() => loadConfig([], env({ BATON_HTTP_TASK_ALLOW: 'bad host!' }))).toThrow(/BATON_HTTP_TASK_ALLOW/);
    expect(loadConfig([], env({ BATON_HTTP_TASK_ALLOW: '10.0.0.0/8, api.internal:443,*.corp.example,[::1]:8080' })).httpTaskAllow).toEqual([
      '10.0.0.0/8',
      'api.internal:443',
      '*.corp.example',
      '[::1]:8080',
    ]);
  });

  it('says at start-up that authentication is off and only loopback is served', async () => {
    const { log, lines } = capturedLog();
    const config = loadConfig([], { ...testEnv('sqlite'), HOST: '' });
    const running = await startServer(config, { log });
    try {
      expect(running.server.address()).toMatchObject({ address: '127.0.0.1' });
      expect(lines()).toContain('authentication is off: serving 127.0.0.1 only');
    } finally {
      await running.close();
    }
  });

  it('warns when it serves another address without authentication', async () => {
    const { log, lines } = capturedLog();
    const config = loadConfig(['--allow-unauthenticated-bind'], { ...testEnv('sqlite'), HOST: '0.0.0.0' });
    const running = await startServer(config, { log });
    try {
      const warning = lines()
        .split('\n')
        .filter((l) => l.includes('authentication is off and the engine listens on 0.0.0.0'))
        .map((l) => JSON.parse(l) as { level: number });
      expect(warning).toHaveLength(1);
      expect(warning[0]?.level).toBe(40);
    } finally {
      await running.close();
    }
  });

  it('answers only loopback Host names while unauthenticated on loopback (no DNS rebinding)', async () => {
    const s = await startTestServer('sqlite');
    try {
      const url = `${s.url}/api/metadata/taskdefs`;
      expect((await rawRequest(url, 'GET', { host: `localhost:${s.running.port}` })).status).toBe(200);
      expect((await rawRequest(url, 'GET', { host: `127.0.0.1:${s.running.port}` })).status).toBe(200);
      expect((await rawRequest(url, 'GET', { host: `[::1]:${s.running.port}` })).status).toBe(200);
      const rebound = await rawRequest(url, 'GET', { host: 'attacker.example:8080' });
      expect(rebound.status).toBe(403);
      expect(rebound.body.code).toBe('HOST_NOT_ALLOWED');
    } finally {
      await s.close();
    }
  });
});
