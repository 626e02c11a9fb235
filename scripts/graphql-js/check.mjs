// Validates the SDL and every GraphQL document the REST layer runs with
// graphql-js, the reference implementation, so that anything async-graphql
// accepts but the spec does not is caught before a client (or a gateway) does.
//
// Usage: node check.mjs <schema.graphql> <operations.json>
import { readFileSync } from 'node:fs';
import {
  buildSchema,
  parse,
  specifiedRules,
  validate,
  validateSchema,
  version,
} from 'graphql';

const [schemaPath, operationsPath] = process.argv.slice(2);
if (!schemaPath || !operationsPath) {
  console.error('usage: node check.mjs <schema.graphql> <operations.json>');
  process.exit(2);
}

// "line:column" of each location, so a failure points into the document.
const where = (error) =>
  (error.locations ?? []).map((l) => ` (${l.line}:${l.column})`).join('');

let failures = 0;
const fail = (label, error) => {
  failures += 1;
  console.error(`FAIL ${label}: ${error.message}${where(error)}`);
};

// The SDL is built as is: buildSchema runs the spec's SDL rules and throws with
// every violation (an unknown directive or scalar among them), and
// validateSchema then checks the type system as a whole; validate() refuses
// an invalid schema, so documents are checked only against a valid one.
let schema;
try {
  schema = buildSchema(readFileSync(schemaPath, 'utf8'));
  for (const error of validateSchema(schema)) fail(`schema ${schemaPath}`, error);
} catch (error) {
  fail(`schema ${schemaPath}`, error);
}
if (failures > 0) {
  console.error(`graphql-js ${version}: schema ${schemaPath} is invalid, no document checked`);
  process.exit(1);
}

const operations = JSON.parse(readFileSync(operationsPath, 'utf8'));
for (const { name, document } of operations) {
  let ast;
  try {
    ast = parse(document);
  } catch (error) {
    fail(name, error);
    continue;
  }
  for (const error of validate(schema, ast, specifiedRules)) fail(name, error);
}

console.log(
  `graphql-js ${version}: schema ${schemaPath} and ${operations.length} documents, ` +
    `${failures} failure${failures === 1 ? '' : 's'}`,
);
process.exit(failures === 0 ? 0 : 1);
