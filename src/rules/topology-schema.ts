import { DEFAULT_SHARD_COUNT, MAX_SHARD_COUNT, TOPOLOGY_API_VERSION, TOPOLOGY_KIND } from './topology.js';

export const TOPOLOGY_SCHEMA_ID = 'https://drctl.dev/schema/topology-v1.json';

const text = (title: string, description: string) => ({ type: 'string', title, description }) as const;
const range = {
  type: 'string',
  title: 'shard range',
  description: 'Shards NN or NN-MM (inclusive), e.g. "00-19".',
  pattern: '^\\s*\\d+\\s*(-\\s*\\d+\\s*)?$',
} as const;

const zone = {
  type: 'object',
  title: 'zone',
  additionalProperties: false,
  required: ['capacity'],
  description: 'A logical zone (unit): the shards it owns, the most it may own, and its ordered failover partners.',
  properties: {
    capacity: { type: 'integer', minimum: 0, title: 'capacity', description: 'The most shards this zone may own (after a flip too).' },
    shards: {
      title: 'shards',
      description: 'Shards owned in the initial map: a range or a list of ranges.',
      anyOf: [range, { type: 'integer', minimum: 0 }, { type: 'array', items: { anyOf: [range, { type: 'integer', minimum: 0 }] } }],
    },
    partners: {
      type: 'array',
      items: { type: 'string' },
      title: 'partners',
      description: 'Zones that take over its shards when its data center is cut, in order: the first one not cut.',
    },
    description: text('description', 'What the zone is.'),
  },
} as const;

/**
 * The topology file's JSON Schema (cities → data centers → zones), for editors and `drctl schema topology`.
 * drctl's own checks (rules/validate-topology.ts) also check what a schema cannot: shards owned twice or
 * by nobody, partners that exist, capacity for a city cut.
 */
export const topologySchema = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  $id: TOPOLOGY_SCHEMA_ID,
  title: 'drctl topology',
  description: 'The multi-active topology: cities → data centers → logical zones, the shards each zone owns and its failover partners.',
  type: 'object',
  additionalProperties: false,
  required: ['apiVersion', 'kind', 'spec'],
  properties: {
    apiVersion: { const: TOPOLOGY_API_VERSION, title: 'apiVersion', description: 'Topology format version.' },
    kind: { const: TOPOLOGY_KIND, title: 'kind', description: 'This file is a topology (runbooks say Runbook).' },
    metadata: {
      type: 'object',
      title: 'metadata',
      additionalProperties: false,
      properties: { name: text('name', "The topology's name."), description: text('description', 'What it describes.') },
    },
    spec: {
      type: 'object',
      title: 'spec',
      additionalProperties: false,
      required: ['cities'],
      properties: {
        shardCount: {
          type: 'integer',
          minimum: 1,
          maximum: MAX_SHARD_COUNT,
          default: DEFAULT_SHARD_COUNT,
          title: 'shardCount',
          description: `Shards 0 … shardCount-1; a user's shard is userId mod shardCount (default ${DEFAULT_SHARD_COUNT}).`,
        },
        cities: {
          type: 'object',
          title: 'cities',
          description: 'Cities by name.',
          additionalProperties: {
            type: 'object',
            title: 'city',
            additionalProperties: false,
            required: ['dcs'],
            properties: {
              description: text('description', 'The city.'),
              dcs: {
                type: 'object',
                title: 'dcs',
                description: 'Data centers of the city, by name (unique across cities).',
                additionalProperties: {
                  type: 'object',
                  title: 'data center',
                  additionalProperties: false,
                  required: ['zones'],
                  properties: {
                    description: text('description', 'The data center.'),
                    zones: {
                      type: 'object',
                      title: 'zones',
                      description: 'Zones in this data center, by name (unique).',
                      additionalProperties: zone,
                    },
                  },
                },
              },
            },
          },
        },
      },
    },
  },
} as const;
