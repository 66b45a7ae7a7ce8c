import { INT32_MAX } from './bounds';

/**
 * Conductor's SchemaDef, as task definitions carry it in `inputSchema` and `outputSchema`. The
 * shape only: like Conductor, a definition that does not enforce its schemas may carry any
 * SchemaDef (one naming a schema in a registry, an AVRO one). Baton keeps no schema registry, so
 * a schema it enforces must be `type: "JSON"` with the JSON Schema itself in `data`; that is
 * checked with enforceSchema (validate/task-def.ts). Server-managed fields Conductor clients
 * send back (createTime, ownerApp...) are allowed.
 */
export const schemaDefSchema = {
  type: 'object',
  properties: {
    name: { type: 'string' },
    version: { type: 'integer', minimum: 0, maximum: INT32_MAX },
    type: { type: 'string', enum: ['JSON', 'AVRO', 'PROTOBUF'] },
    data: { type: 'object' },
    externalRef: { type: 'string' },
  },
} as const;
