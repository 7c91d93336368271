import { GraphQLError, type ValidationRule } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { findValueProblem, hasNul, valueProblemMessage } from '../http/input-guard.js';

const badInput = (message: string) =>
  new GraphQLError(message, { extensions: { code: 'BAD_USER_INPUT', http: { status: 400 } } });

/** A NUL written as `"\u0000"` in the document itself (the lexer already refuses a raw one). */
const NoNulInStringLiterals: ValidationRule = (context) => ({
  StringValue(node) {
    if (hasNul(node.value))
      context.reportError(
        new GraphQLError('A string literal contains a NUL character (U+0000), which is not accepted', {
          nodes: [node],
        }),
      );
  },
});

/**
 * The shared input rules (http/input-guard.ts) on GraphQL, HTTP and WebSocket alike: string
 * literals are checked by a validation rule, variables (uploaded files' names included) before
 * execution. The caller gets a BAD_USER_INPUT error naming the variable, never "Unexpected error"
 * from a database that refused the text.
 */
/** What the guard refuses in an operation's variables (null: nothing), for paths that bypass envelop. */
export function variablesProblem(variables: unknown): GraphQLError | null {
  if (!variables) return null;
  const problem = findValueProblem(variables, 'variables');
  return problem ? badInput(valueProblemMessage(problem)) : null;
}

export function useInputGuard(): Plugin {
  const check = variablesProblem;
  return {
    // yoga's GET and urlencoded parsers JSON.parse `variables`/`extensions` unguarded: a SyntaxError
    // there was masked as a 500 "Unexpected error". Any parser failure is the request's fault.
    onRequestParse({ requestParser, setRequestParser }) {
      if (!requestParser) return;
      setRequestParser(async (request) => {
        try {
          return await requestParser(request);
        } catch (err) {
          if (err instanceof GraphQLError) throw err;
          throw new GraphQLError(`Malformed GraphQL request: ${(err as Error).message}`, {
            extensions: { code: 'BAD_REQUEST', http: { status: 400 } },
          });
        }
      });
    },
    onValidate({ addValidationRule }) {
      addValidationRule(NoNulInStringLiterals);
    },
    onExecute({ args, setResultAndStopExecution }) {
      const error = check(args.variableValues);
      if (error) setResultAndStopExecution({ errors: [error] });
    },
    onSubscribe({ args, setResultAndStopExecution }) {
      const error = check(args.variableValues);
      if (error) setResultAndStopExecution({ errors: [error] });
    },
  };
}
