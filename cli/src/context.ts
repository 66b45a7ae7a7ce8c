import type { EngineClient } from './client';
import type { Output } from './output';

/** What every command gets: the engine client (made on first use, after the flags are parsed) and the output. */
export interface Context {
  client(): EngineClient;
  readonly out: Output;
}
