import { join } from 'node:path';
import type { Config } from './config';

/**
 * The human lines `npm start` prints on stderr around the JSON logs on stdout (which log shippers
 * parse, so they stay JSON only): what store it uses, where to open it, how to stop it.
 */
export function startingLine(config: Config): string {
  return `Baton engine starting: store ${storeOf(config)}`;
}

export function listeningLine(config: Config, port: number): string {
  const url = `http://${displayHost(config.host)}:${port}`;
  return `Baton engine ready at ${url} (UI ${url}/, REST API ${url}/api, docs ${url}/swagger-ui/); press Ctrl-C to stop`;
}

function storeOf(config: Config): string {
  if (!config.mongodbUri) return `SQLite ${join(config.dataDir, 'baton.sqlite')}`;
  // Never print a password from the connection string.
  const uri = config.mongodbUri.replace(/^(mongodb(?:\+srv)?:\/\/[^:@/]+):[^@/]*@/, '$1:***@');
  return `MongoDB ${uri}${config.mongodbDb ? ` (database ${config.mongodbDb})` : ''}`;
}

/** A wildcard bind is reachable as localhost; IPv6 literals need brackets in a URL. */
function displayHost(host: string): string {
  if (host === '0.0.0.0' || host === '::' || host === '') return 'localhost';
  return host.includes(':') ? `[${host}]` : host;
}
