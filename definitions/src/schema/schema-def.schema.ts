import { INT32_MAX } from './bounds';

/**
 * Conductor's SchemaDef, as task definitions carry it in `inputSchema` and `outputSchema`. Baton
 * keeps no schema registry: the JSON Schema itself travels in `data`, so `data` is required and
 * only `type: "JSON"` is accepted (AVRO and PROTOBUF would need a registry and a codec).
 * Server-managed fields Conductor clients send back (createTime, ownerApp...) are allowed.
 */
export const schemaDefSchema = {
  type: 'object',
  required: ['name', 'version', 'type', 'data'],
  properties: {
    name: { type: 'string', minLength: 1, pattern: '\\S' },
    version: { type: 'integer', minimum: 0, maximum: INT32_MAX },
    type: { type: 'string', enum: ['JSON'] },
    data: { type: 'object' },
    externalRef: { type: 'string' },
  },
} as const;
