import { parse, validate } from 'graphql';
import { expect, test } from 'vitest';
import { schema } from '../src/graphql/schema.js';
import { graphiqlExample } from '../src/graphql/yoga.js';
import { LAB_EXAMPLES } from '../web/src/features/lab/examples.js';

test('the GraphiQL examples (Lab and /graphql) are valid operations on the current schema', () => {
  for (const source of [LAB_EXAMPLES, graphiqlExample]) {
    const errors = validate(schema, parse(source)).map((e) => e.message);
    expect(errors).toEqual([]);
  }
});
