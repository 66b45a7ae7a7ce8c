import { startTestServer, storeKinds, type TestServer } from '../helpers/server';

/** A NUL in freeText (found by the API fuzzer) is text like any other, never a 500. */
describe.each(storeKinds())('freeText with a NUL character (%s)', (kind) => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer(kind);
  });
  afterAll(() => s.close());

  it.each(['/api/workflow/search-v2', '/api/workflow/search', '/api/tasks/search'])('%s answers 200', async (path) => {
    const r = await s.req('GET', `${path}?freeText=%00r%C3%85`);
    expect(r.status).toBe(200);
    expect(r.body.totalHits).toBe(0);
  });
});
