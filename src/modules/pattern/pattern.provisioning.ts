import { z } from 'zod';
import { defineSection, parseWith } from '../../provisioning/section.js';
import { checkGroupName, checkPatternList, type PatternInput } from './pattern.manager.js';

type PatternGroupsSection = { name: string; patterns: PatternInput[] }[];

const CODE = 'pattern/invalid_provisioning';
const ITEM = 'each list item must be { name: string, regex: string }';

/** The file's shapes (a group is a map name → regex, or a list of { name, regex } to keep an order). */
const groupsSchema = z.record(z.string(), z.unknown(), { error: 'must map group names to their patterns' });
const patternListSchema = z.array(
  z.object({ name: z.string({ error: ITEM }), regex: z.string({ error: ITEM }) }, { error: ITEM }),
);
const patternMapSchema = z.record(
  z.string(),
  z.string({ error: `the regular expression must be a string (quote it in YAML, e.g. '12345')` }),
  { error: 'must map pattern names to regular expressions' },
);

/**
 * `pattern_groups`: group name → { pattern name: regex }, in order.
 *
 *   pattern_groups:
 *     Callback_exceptions:
 *       exception1: 555.*
 *       ex2: 123.*
 *
 * JavaScript objects put integer-like keys (`911`) first whatever the file says, so a group whose
 * order matters with such names may be written as a list instead: `- { name: '911', regex: '911' }`.
 * The export uses the list form exactly when the object form would lose the order.
 */
export const patternGroupsSection = defineSection<PatternGroupsSection>({
  key: 'pattern_groups',
  order: 10,
  parse(value, path) {
    return Object.entries(parseWith(groupsSchema, value, path, CODE)).map(([name, body]) => {
      const groupPath = `${path}.${name}`;
      checkGroupName(name, groupPath);
      const patterns = parsePatterns(body, groupPath);
      checkPatternList(patterns, (p) => `${groupPath}.${p.name}`);
      return { name, patterns };
    });
  },
  apply: (groups, managers) => managers.patterns.applyGroups(groups),
  async export(managers) {
    const groups = await managers.patterns.exportGroups();
    return Object.fromEntries(groups.map((g) => [g.name, exportPatterns(g.patterns)]));
  },
});

function parsePatterns(body: unknown, path: string): PatternInput[] {
  if (body === null || body === undefined) return [];
  if (Array.isArray(body))
    // A bad item is reported at the item (`G[0]`), not at its field.
    return parseWith(patternListSchema, body, path, CODE, { depth: 1 }).map((p) => ({
      name: p.name,
      regex: p.regex,
    }));
  return Object.entries(parseWith(patternMapSchema, body, path, CODE)).map(([name, regex]) => ({
    name,
    regex,
  }));
}

function exportPatterns(patterns: PatternInput[]): Record<string, string> | PatternInput[] {
  const asObject = Object.fromEntries(patterns.map((p) => [p.name, p.regex]));
  const keepsOrder = Object.keys(asObject).every((name, i) => name === patterns[i]?.name);
  return keepsOrder ? asObject : patterns.map((p) => ({ name: p.name, regex: p.regex }));
}
