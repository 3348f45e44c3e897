/** Small readers of MatValue trees (after scipy's `squeeze_me`: 1x1 values read as scalars). */
import type { MatNumeric, MatValue } from './types';
import { numel } from './types';

export const isEmpty = (v: MatValue | undefined): boolean => v === undefined || numel(v.dims) === 0;

/** Field `name` of struct element `index` (0 for a scalar struct). */
export function field(v: MatValue | undefined, name: string, index = 0): MatValue | undefined {
  return v?.kind === 'struct' ? v.elements[index]?.get(name) : undefined;
}

export function hasField(v: MatValue | undefined, name: string): boolean {
  return v?.kind === 'struct' && v.fieldNames.includes(name);
}

/** The text of a char array (row vector), or undefined when not a char array. */
export function asString(v: MatValue | undefined): string | undefined {
  if (v?.kind === 'char') return v.text;
  if (v?.kind === 'cell' && v.elements.length === 1) return asString(v.elements[0]);
  return undefined;
}

/** The first real value of a non-empty numeric array. */
export function asNumber(v: MatValue | undefined): number | undefined {
  if (v?.kind === 'numeric' && v.real.length > 0) return v.real[0];
  if (v?.kind === 'cell' && v.elements.length === 1) return asNumber(v.elements[0]);
  return undefined;
}

export const asNumeric = (v: MatValue | undefined): MatNumeric | undefined =>
  v?.kind === 'numeric' ? v : undefined;

/** The records of a struct array, or of a cell array of scalar structs (EEGLAB writes both). */
export function records(v: MatValue | undefined): Map<string, MatValue>[] {
  if (v?.kind === 'struct') return v.elements;
  if (v?.kind === 'cell') {
    return v.elements.flatMap((e) => (e.kind === 'struct' ? e.elements : []));
  }
  return [];
}

/** A scalar struct's fields as a map, or undefined. */
export function structFields(v: MatValue | undefined): Map<string, MatValue> | undefined {
  return v?.kind === 'struct' && v.elements.length === 1 ? v.elements[0] : undefined;
}

/** Python's str() of a value as scipy hands it to MNE (char → text, double 1 → '1.0', int 1 → '1'). */
export function pythonStr(v: MatValue | undefined): string {
  if (v === undefined) return 'None';
  if (v.kind === 'char') return v.text;
  if (v.kind === 'numeric' && v.real.length === 1) {
    const x = v.real[0] ?? NaN;
    const isFloat = v.cls === 'double' || v.cls === 'single';
    if (v.cls === 'logical') return x ? 'True' : 'False';
    return isFloat ? pythonFloat(x) : String(x);
  }
  if (v.kind === 'cell' && v.elements.length === 1) return pythonStr(v.elements[0]);
  return numel(v.dims) === 0 ? '[]' : `<${v.kind}>`;
}

function pythonFloat(x: number): string {
  if (Number.isNaN(x)) return 'nan';
  if (!Number.isFinite(x)) return x > 0 ? 'inf' : '-inf';
  if (Number.isInteger(x) && Math.abs(x) < 1e16) return `${x}.0`;
  return String(x);
}
