import type { Filter } from './endpoint.js';

/**
 * Payload filters with MongoDB's meaning, evaluated on the envelope: every key is a dotted
 * path, every value an operator object or a bare value (`$eq`). All keys must match.
 * `$ne`/`$nin` match a missing field; comparisons across types never match.
 */
const OPERATORS = ['$eq', '$ne', '$in', '$nin', '$gt', '$gte', '$lt', '$lte', '$exists'] as const;
type Operator = (typeof OPERATORS)[number];

const MISSING = Symbol('missing');

export function matchesFilter(filter: Filter | null, envelope: unknown): boolean {
  if (!filter) return true;
  return Object.entries(filter).every(([path, condition]) => matchesCondition(readPath(envelope, path), condition));
}

/** Returns the problems of a filter, each naming its path; empty when it is valid. */
export function validateFilter(filter: unknown): string[] {
  if (filter === null) return [];
  if (!isPlainObject(filter)) return ['filter must be an object of dotted paths'];
  const problems: string[] = [];
  for (const [path, condition] of Object.entries(filter)) {
    if (!/^[^.$][^.]*(\.[^.]+)*$/.test(path)) problems.push(`${path}: not a dotted path`);
    if (!isOperatorObject(condition)) continue;
    for (const [op, operand] of Object.entries(condition)) {
      if (!(OPERATORS as readonly string[]).includes(op)) problems.push(`${path}.${op}: unknown operator`);
      else if ((op === '$in' || op === '$nin') && !Array.isArray(operand)) problems.push(`${path}.${op}: needs an array`);
      else if (op === '$exists' && typeof operand !== 'boolean') problems.push(`${path}.${op}: needs true or false`);
    }
  }
  return problems;
}

function matchesCondition(value: unknown, condition: unknown): boolean {
  if (!isOperatorObject(condition)) return equals(value, condition);
  return Object.entries(condition).every(([op, operand]) => applyOperator(op as Operator, value, operand));
}

function applyOperator(op: Operator, value: unknown, operand: unknown): boolean {
  switch (op) {
    case '$eq':
      return equals(value, operand);
    case '$ne':
      return !equals(value, operand);
    case '$in':
      return (operand as unknown[]).some((candidate) => equals(value, candidate));
    case '$nin':
      return !(operand as unknown[]).some((candidate) => equals(value, candidate));
    case '$exists':
      return (value !== MISSING) === operand;
    case '$gt':
      return compare(value, operand, (a, b) => a > b);
    case '$gte':
      return compare(value, operand, (a, b) => a >= b);
    case '$lt':
      return compare(value, operand, (a, b) => a < b);
    case '$lte':
      return compare(value, operand, (a, b) => a <= b);
  }
}

function compare(value: unknown, operand: unknown, test: (a: number | string, b: number | string) => boolean): boolean {
  if (typeof value === 'number' && typeof operand === 'number') return test(value, operand);
  if (typeof value === 'string' && typeof operand === 'string') return test(value, operand);
  return false;
}

/** Like MongoDB, an array field matches when any element equals the operand. */
function equals(value: unknown, operand: unknown): boolean {
  if (value === MISSING) return false;
  if (Array.isArray(value) && !Array.isArray(operand)) return value.some((item) => deepEqual(item, operand));
  return deepEqual(value, operand);
}

function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  return JSON.stringify(a) === JSON.stringify(b);
}

function readPath(root: unknown, path: string): unknown {
  let current: unknown = root;
  for (const key of path.split('.')) {
    if (!isPlainObject(current) && !Array.isArray(current)) return MISSING;
    if (!Object.hasOwn(current as object, key)) return MISSING;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

function isOperatorObject(value: unknown): value is Record<string, unknown> {
  return isPlainObject(value) && Object.keys(value).length > 0 && Object.keys(value).every((k) => k.startsWith('$'));
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
