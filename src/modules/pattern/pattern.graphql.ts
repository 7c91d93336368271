import { builder } from '../../graphql/builder.js';
import type { PatternGroupView, PatternTestRow, PatternView } from './pattern.manager.js';

const PatternRef = builder.objectRef<PatternView>('Pattern').implement({
  description: 'A named regular expression of a pattern group; it must match the whole value.',
  fields: (t) => ({
    id: t.exposeInt('id'),
    name: t.exposeString('name', { description: 'What a match reports, e.g. `ex2`.' }),
    regex: t.exposeString('regex', { description: 'RE2 syntax (close to java.util.regex), e.g. `123.*`.' }),
    position: t.exposeInt('position', { description: '0-based place in the group: the first match wins.' }),
    createdAt: t.field({ type: 'DateTime', resolve: (p) => p.createdAt }),
    updatedAt: t.field({ type: 'DateTime', resolve: (p) => p.updatedAt }),
  }),
});

const PatternGroupRef = builder.objectRef<PatternGroupView>('PatternGroup').implement({
  description: 'An ordered list of named patterns, e.g. the callback exception list `Callback_exceptions`.',
  fields: (t) => ({
    id: t.exposeInt('id'),
    name: t.exposeString('name'),
    patterns: t.field({ type: [PatternRef], resolve: (g) => g.patterns }),
    createdAt: t.field({ type: 'DateTime', resolve: (g) => g.createdAt }),
    updatedAt: t.field({ type: 'DateTime', resolve: (g) => g.updatedAt }),
  }),
});

const PatternTestRowRef = builder.objectRef<PatternTestRow>('PatternTestRow').implement({
  description: 'One pattern of the group and whether it matches the whole tested value.',
  fields: (t) => ({
    patternName: t.exposeString('patternName'),
    regex: t.exposeString('regex'),
    matched: t.exposeBoolean('matched'),
  }),
});

interface GroupTest {
  group: string;
  value: string;
  rows: PatternTestRow[];
}

const PatternGroupTestRef = builder.objectRef<GroupTest>('PatternGroupTest').implement({
  fields: (t) => ({
    group: t.exposeString('group'),
    value: t.exposeString('value'),
    firstMatch: t.string({
      nullable: true,
      description: 'Name of the first matching pattern: what the legacy test route answers.',
      resolve: (r) => r.rows.find((row) => row.matched)?.patternName ?? null,
    }),
    rows: t.field({ type: [PatternTestRowRef], description: 'Every row, in order.', resolve: (r) => r.rows }),
  }),
});

const PatternParamMatchRef = builder
  .objectRef<{ param: string; patternName: string }>('PatternParamMatch')
  .implement({
    fields: (t) => ({
      param: t.exposeString('param'),
      patternName: t.exposeString('patternName', { description: 'The first pattern matching its value.' }),
    }),
  });

const PatternInput = builder.inputType('PatternInput', {
  fields: (t) => ({
    name: t.string({ required: true }),
    regex: t.string({ required: true }),
  }),
});

const PatternParamInput = builder.inputType('PatternParamInput', {
  fields: (t) => ({
    name: t.string({ required: true }),
    value: t.string({ required: true }),
  }),
});

builder.queryFields((t) => ({
  patternGroups: t.field({
    type: [PatternGroupRef],
    authScopes: { admin: true },
    description: 'Every pattern group by name, with its patterns in order.',
    resolve: (_root, _args, ctx) => ctx.managers.patterns.listGroups(),
  }),
  patternGroup: t.field({
    type: PatternGroupRef,
    nullable: true,
    authScopes: { admin: true },
    args: { name: t.arg.string({ required: true }) },
    resolve: (_root, args, ctx) => ctx.managers.patterns.findGroup(args.name),
  }),
  testPatternGroup: t.field({
    type: PatternGroupTestRef,
    authScopes: { admin: true },
    description: 'Test a value against every pattern of a group; the admin UI highlights matching rows.',
    args: { group: t.arg.string({ required: true }), value: t.arg.string({ required: true }) },
    errors: {},
    resolve: async (_root, args, ctx) => ({
      group: args.group,
      value: args.value,
      rows: await ctx.managers.patterns.testGroup(args.group, args.value),
    }),
  }),
  matchPatterns: t.field({
    type: [PatternParamMatchRef],
    authScopes: { public: true },
    description:
      'What `POST /genesys/1/patterns[/group/{group}]` answers: the parameters whose value a pattern matches, ' +
      'each with the first matching pattern. Without `group`, the general list (every group by name).',
    args: {
      group: t.arg.string({ required: false }),
      params: t.arg({ type: [PatternParamInput], required: true }),
    },
    errors: {},
    resolve: async (_root, args, ctx) => {
      const matched = await ctx.managers.patterns.matchValues(
        args.group ?? null,
        args.params.map((p) => ({ field: p.name, value: p.value })),
      );
      return Object.entries(matched).map(([param, patternName]) => ({ param, patternName }));
    },
  }),
}));

builder.mutationFields((t) => ({
  createPatternGroup: t.field({
    type: PatternGroupRef,
    authScopes: { admin: true },
    args: {
      name: t.arg.string({ required: true }),
      patterns: t.arg({ type: [PatternInput], required: false }),
    },
    errors: {},
    resolve: (_root, args, ctx) => ctx.managers.patterns.createGroup(args.name, args.patterns ?? []),
  }),
  renamePatternGroup: t.field({
    type: PatternGroupRef,
    authScopes: { admin: true },
    args: { name: t.arg.string({ required: true }), newName: t.arg.string({ required: true }) },
    errors: {},
    resolve: (_root, args, ctx) => ctx.managers.patterns.renameGroup(args.name, args.newName),
  }),
  deletePatternGroup: t.field({
    type: PatternGroupRef,
    authScopes: { admin: true },
    description: 'Delete a group and its patterns; answers what was deleted.',
    args: { name: t.arg.string({ required: true }) },
    errors: {},
    resolve: (_root, args, ctx) => ctx.managers.patterns.deleteGroup(args.name),
  }),
  addPattern: t.field({
    type: PatternGroupRef,
    authScopes: { admin: true },
    description: 'Add a named pattern; it is validated first. `position` is 0-based (default: last).',
    args: {
      group: t.arg.string({ required: true }),
      name: t.arg.string({ required: true }),
      regex: t.arg.string({ required: true }),
      position: t.arg.int({ required: false }),
    },
    errors: {},
    resolve: (_root, args, ctx) =>
      ctx.managers.patterns.addPattern(args.group, { name: args.name, regex: args.regex }, args.position),
  }),
  updatePattern: t.field({
    type: PatternGroupRef,
    authScopes: { admin: true },
    description: 'Rename a pattern, change its expression or move it; omitted fields stay as they are.',
    args: {
      group: t.arg.string({ required: true }),
      name: t.arg.string({ required: true }),
      newName: t.arg.string({ required: false }),
      regex: t.arg.string({ required: false }),
      position: t.arg.int({ required: false }),
    },
    errors: {},
    resolve: (_root, args, ctx) =>
      ctx.managers.patterns.updatePattern(args.group, args.name, {
        name: args.newName,
        regex: args.regex,
        position: args.position,
      }),
  }),
  removePattern: t.field({
    type: PatternGroupRef,
    authScopes: { admin: true },
    args: { group: t.arg.string({ required: true }), name: t.arg.string({ required: true }) },
    errors: {},
    resolve: (_root, args, ctx) => ctx.managers.patterns.removePattern(args.group, args.name),
  }),
  replacePatterns: t.field({
    type: PatternGroupRef,
    authScopes: { admin: true },
    description:
      'Replace the whole ordered list (e.g. to reorder); patterns keeping their name keep their id.',
    args: {
      group: t.arg.string({ required: true }),
      patterns: t.arg({ type: [PatternInput], required: true }),
    },
    errors: {},
    resolve: (_root, args, ctx) => ctx.managers.patterns.replacePatterns(args.group, args.patterns),
  }),
}));
