import { BatonWorker } from '../src';
import { FakeBatonServer, eventually } from './support/fake-baton-server';

/**
 * Against a server without external payload storage (404 on the location route), a large output
 * goes inline, as before. The round trip with the engine's payload store is tested end to end in
 * engine/test/payloads/large-payloads.test.ts.
 */
describe('BatonWorker and external payloads', () => {
  it('reports a large output inline when the server has no payload store', async () => {
    const server = await new FakeBatonServer().listen();
    const worker = new BatonWorker({ serverUrl: server.url, pollTimeoutMs: 100, externalPayloadThresholdBytes: 16 }).register({
      taskType: 'big_out',
      handler: () => ({ text: 'more than sixteen bytes of output' }),
    });
    try {
      await worker.start();
      const taskId = server.enqueue('big_out', {});
      await eventually(() => server.task(taskId).status === 'COMPLETED', 4_000, 'task completed');
      expect(server.task(taskId).outputData).toEqual({ text: 'more than sixteen bytes of output' });
      expect(server.requests.some((r) => r.path.startsWith('/api/tasks/external-storage-location'))).toBe(true);
    } finally {
      await worker.stop();
      await server.close();
    }
  });
});
