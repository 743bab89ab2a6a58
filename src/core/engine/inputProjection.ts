/**
 * Hands a policy only the columns of `input.users` it can read. The embedded compiler proves which row fields a
 * compiled policy reads through constant names (compiler/projection.go) and says "whole" whenever it cannot (a row
 * used as a value, a computed key, `with input`, ...); a policy that reads rows only through those names gets the
 * same results from the projected input. A 5,000-user report is ~14 MB of JSON; a policy reading three columns gets
 * well under 1 MB, and OPA's wasm parses (and holds in its 256 MiB) only that.
 *
 * `CREDCHECK_PROJECTION=off` turns it off (the differential test compares both ways).
 */
import { PolicyInput } from '../model';

export type InputProjection = { whole: true; reason?: string; fields?: undefined } | { whole?: false; fields?: string[]; reason?: undefined };

/** Projected inputs per input object and field set: the same object each time, so a worker's stored copy is reused. */
const projected = new WeakMap<object, Map<string, PolicyInput>>();

export function projectionEnabled(): boolean {
  return process.env.CREDCHECK_PROJECTION !== 'off';
}

/** The input a policy with this projection needs: the input itself when it may read rows whole. */
export function projectInput<T extends PolicyInput>(input: T, projection: InputProjection | undefined): T | PolicyInput {
  if (!projection || projection.whole || !projectionEnabled() || !Array.isArray(input.users)) return input;
  // No fields at all (the compiler leaves the empty list out): the policy never reads a row's columns.
  const fields = projection.fields ?? [];
  const key = fields.join('\u0000');
  let byFields = projected.get(input);
  const hit = byFields?.get(key);
  if (hit) return hit;
  const users = input.users.map((row) => {
    const kept: Record<string, unknown> = {};
    for (const field of fields) if (Object.hasOwn(row, field)) kept[field] = (row as unknown as Record<string, unknown>)[field];
    return kept;
  });
  const result = { ...input, users } as unknown as PolicyInput;
  if (!byFields) projected.set(input, (byFields = new Map()));
  byFields.set(key, result);
  return result;
}
