/**
 * @baton/protocol: Baton's wire types as TypeBox schemas. One source for the engine's request
 * validators, its OpenAPI document (docs/openapi.json) and the SDK's TypeScript types.
 */
export * from './common';
export * from './task';
export * from './workflow';
export * from './reactions';
export * from './listeners';
