/** The catalog and query operations of the OpenAPI document (GET /v1/analytics/datasets, POST /v1/analytics/query). */
import { DATASETS, datasetView, type Dataset } from '../../lib/analytics/catalog.ts';
import { AGGREGATIONS, FILTER_OPS, TIME_GRAINS, type ColumnType } from '../../lib/analytics/types.ts';
import { querySchema } from '../analytics-schemas.ts';
import { json, jsonBody, notModified, problem, responses, schemaOf, type JsonSchema } from './parts.ts';

const COLUMN_TYPES_DOC: ColumnType[] = ['string', 'integer', 'number', 'money', 'date', 'timestamp', 'boolean'];
const label = { type: 'object', required: ['en', 'zh'], properties: { en: { type: 'string' }, zh: { type: 'string' } } };

const datasetSchema = {
  type: 'object',
  required: ['name', 'label', 'description', 'timeField', 'grains', 'fields', 'dimensions', 'measures'],
  properties: {
    name: { type: 'string' },
    label,
    description: { type: 'string' },
    timeField: { type: ['string', 'null'], description: 'the field the grains cut; null: no grains' },
    grains: { type: 'array', items: { type: 'string', enum: [...TIME_GRAINS] } },
    fields: {
      type: 'array',
      items: {
        type: 'object',
        required: ['name', 'label', 'type', 'dimension', 'aggregations'],
        properties: {
          name: { type: 'string' },
          label,
          type: { type: 'string', enum: COLUMN_TYPES_DOC },
          dimension: { type: 'boolean', description: 'may be grouped by' },
          aggregations: { type: 'array', items: { type: 'string', enum: [...AGGREGATIONS] } },
        },
      },
    },
    dimensions: { type: 'array', items: { type: 'string' }, description: 'fields and grains that may be grouped by' },
    measures: { type: 'array', items: { type: 'string' }, description: 'numeric fields (every field takes count)' },
  },
};

const queryResultSchema = {
  type: 'object',
  required: ['columns', 'rows', 'truncated', 'sql_ms'],
  properties: {
    columns: {
      type: 'array',
      items: {
        type: 'object',
        required: ['name', 'type', 'role'],
        properties: { name: { type: 'string' }, type: { type: 'string', enum: COLUMN_TYPES_DOC }, role: { type: 'string', enum: ['dimension', 'measure'] } },
      },
    },
    rows: { type: 'array', items: { type: 'object', additionalProperties: { type: ['string', 'number', 'boolean', 'null'] } } },
    truncated: { type: 'boolean', description: 'more groups matched than `limit`' },
    sql_ms: { type: 'number', description: 'time the database spent, in ms' },
  },
};

/**
 * The request as zod validates it, its names narrowed to the catalog's (any dataset's), so a client, and a
 * fuzzer, sees what exists; whether a name belongs to the chosen source stays the engine's to say (400).
 */
const querySchemaDoc = schemaOf(querySchema, 'input');
const names = (pick: (d: Dataset) => string[]) => ({ type: 'string', enum: [...new Set(Object.values(DATASETS).flatMap(pick))] });
const fieldNames = names((d) => [...d.fields.map((f) => f.name), ...(d.timeField ? TIME_GRAINS : [])]);
const props = querySchemaDoc.properties as Record<string, JsonSchema>;
const itemFields = (key: string) => (props[key]!.items as { properties: Record<string, JsonSchema> }).properties;
props.source = { type: 'string', enum: Object.keys(DATASETS) };
props.dimensions = { ...props.dimensions, items: names((d) => datasetView(d).dimensions) };
itemFields('measures').field = fieldNames;
itemFields('filters').field = fieldNames;

const queryDescription =
  'Aggregation pushed down into the database. `dimensions`: fields and grains (' + TIME_GRAINS.join(', ') + ', cut in the ' +
  'deployment’s ANALYTICS_TIME_ZONE; periods are the date of their first day, weekday is 1 = Monday … 7). `measures`: ' +
  `{ field, agg (${AGGREGATIONS.join(', ')}), as? }; a column is named by \`as\`, else <agg>_<field>. Filters: ` +
  `{ field, op (${FILTER_OPS.join(', ')}), value }; in/not_in take a list (an empty \`in\` matches nothing), between [low, high] ` +
  'inclusive, a date on a time field is the whole day; `ne` and `not_in` keep rows where the field is empty; contains is a ' +
  'case-insensitive substring. Money is exact to the cent. Answers are cached until the TTL or the next ERP import. ' +
  'The catalog names every source, field and allowed aggregation: GET /v1/analytics/datasets.';

export const analyticsPaths = {
  '/v1/analytics/datasets': {
    get: {
      summary: 'The analytics catalog: each source with its fields, types, dimensions, grains and measures (scope `reports`)',
      responses: responses({
        '200': { description: 'The datasets', ...json({ type: 'object', required: ['datasets'], properties: { datasets: { type: 'array', items: datasetSchema } } }) },
        ...notModified,
        '404': problem('No ERP for this tenant'),
      }),
    },
  },
  '/v1/analytics/datasets/{name}': {
    get: {
      summary: 'One dataset of the catalog',
      parameters: [{ name: 'name', in: 'path', required: true, schema: { type: 'string', maxLength: 63 }, description: 'a dataset name, e.g. orders' }],
      responses: responses({ '200': { description: 'The dataset', ...json(datasetSchema) }, ...notModified, '404': problem('No such dataset, or no ERP for this tenant') }),
    },
  },
  '/v1/analytics/query': {
    post: {
      summary: 'Aggregate a dataset: dimensions × measures under filters, sorted and limited (scope `reports`)',
      description: queryDescription,
      requestBody: jsonBody(querySchemaDoc),
      responses: responses({
        '200': { description: 'Columns and rows', ...json(queryResultSchema) },
        '400': problem('Invalid field; a name the catalog lacks, an aggregation or operator its type does not take, a value of the wrong type (errors[].field names it)'),
        '404': problem('No ERP for this tenant'),
        '413': problem('Body over 64 KiB'),
        '415': problem('Not UTF-8 JSON'),
        '422': problem('Over a limit (`limit`: cost, the planner’s estimate over ANALYTICS_MAX_COST; statement_timeout, ran too long)'),
      }),
    },
  },
};
