// `GET /rest/v1/`: a Swagger 2.0 description of the exposed schema's tables and functions, in
// the outline PostgREST produces (paths per relation and /rpc/NAME, definitions per relation).
import type { SchemaCache } from './schema-cache.ts';

const JSON_TYPES: Record<string, { type: string; format?: string }> = {
  int2: { type: 'integer' }, int4: { type: 'integer' }, int8: { type: 'integer' },
  float4: { type: 'number' }, float8: { type: 'number' }, numeric: { type: 'number' },
  bool: { type: 'boolean' }, json: { type: 'object' }, jsonb: { type: 'object' },
};

export function openApiDocument(cache: SchemaCache, schema: string, host: string) {
  const paths: Record<string, unknown> = { '/': { get: { produces: ['application/openapi+json', 'application/json'], responses: { 200: { description: 'OK' } } } } };
  const definitions: Record<string, unknown> = {};
  for (const t of cache.tables.values()) {
    if (t.schema !== schema) continue;
    const ref = { $ref: `#/definitions/${t.name}` };
    paths[`/${t.name}`] = {
      get: { tags: [t.name], responses: { 200: { description: 'OK', schema: { type: 'array', items: ref } } } },
      ...(t.isView ? {} : {
        post: { tags: [t.name], responses: { 201: { description: 'Created' } } },
        patch: { tags: [t.name], responses: { 204: { description: 'No Content' } } },
        delete: { tags: [t.name], responses: { 204: { description: 'No Content' } } },
      }),
    };
    const properties: Record<string, unknown> = {};
    for (const c of t.columnList) properties[c.name] = { format: c.type, ...(JSON_TYPES[c.baseType] ?? { type: c.baseType.startsWith('_') ? 'array' : 'string' }) };
    definitions[t.name] = {
      type: 'object', properties,
      required: t.columnList.filter((c) => !c.nullable && c.default === null && !c.generated).map((c) => c.name),
    };
  }
  for (const [, routines] of cache.routines) {
    for (const r of routines) {
      if (r.schema !== schema) continue;
      const call = { tags: ['(rpc) ' + r.name], responses: { 200: { description: 'OK' } } };
      paths[`/rpc/${r.name}`] = r.volatility === 'volatile' ? { post: call } : { get: call, post: call };
    }
  }
  return {
    swagger: '2.0',
    info: { title: 'standard public schema', description: '', version: '13.0.0 (emily local stack)' },
    host, basePath: '/', schemes: ['http'],
    consumes: ['application/json', 'application/vnd.pgrst.object+json;nulls=stripped', 'application/vnd.pgrst.object+json', 'text/csv'],
    produces: ['application/json', 'application/vnd.pgrst.object+json;nulls=stripped', 'application/vnd.pgrst.object+json', 'text/csv'],
    paths, definitions,
  };
}
