import { createServer } from 'node:http';
import { createSchema, createYoga } from 'graphql-yoga';

/** The yardstick: a bare graphql-yoga "hello" server, measured in the same run as ours. */
const yoga = createYoga({
  schema: createSchema({
    typeDefs: 'type Query { hello: String! }',
    resolvers: { Query: { hello: () => 'world' } },
  }),
  logging: false,
  graphiql: false,
});
const server = createServer(yoga);
server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  const a = server.address();
  process.stdout.write(`LISTENING ${typeof a === 'object' && a ? a.port : ''}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
