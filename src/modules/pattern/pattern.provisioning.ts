import { ValidationError } from '../../errors.js';
import { defineSection } from '../../provisioning/section.js';
import { checkGroupName, checkPatternList, type PatternInput } from './pattern.manager.js';

type PatternGroupsSection = { name: string; patterns: PatternInput[] }[];

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

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
    if (!isRecord(value))
      throw new ValidationError(
        'pattern/invalid_provisioning',
        'must map group names to their patterns',
        path,
      );
    return Object.entries(value).map(([name, body]) => {
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
    return body.map((item, i) => {
      if (!isRecord(item) || typeof item.name !== 'string' || typeof item.regex !== 'string')
        throw new ValidationError(
          'pattern/invalid_provisioning',
          'each list item must be { name: string, regex: string }',
          `${path}[${i}]`,
        );
      return { name: item.name, regex: item.regex };
    });
  if (!isRecord(body))
    throw new ValidationError(
      'pattern/invalid_provisioning',
      'must map pattern names to regular expressions',
      path,
    );
  return Object.entries(body).map(([name, regex]) => {
    if (typeof regex !== 'string')
      throw new ValidationError(
        'pattern/invalid_provisioning',
        `the regular expression must be a string (quote it in YAML, e.g. '12345')`,
        `${path}.${name}`,
      );
    return { name, regex };
  });
}

function exportPatterns(patterns: PatternInput[]): Record<string, string> | PatternInput[] {
  const asObject = Object.fromEntries(patterns.map((p) => [p.name, p.regex]));
  const keepsOrder = Object.keys(asObject).every((name, i) => name === patterns[i]?.name);
  return keepsOrder ? asObject : patterns.map((p) => ({ name: p.name, regex: p.regex }));
}
