/**
 * MATLAB values as plain data, shared by the v5 (`mat5.ts`) and v7.3/HDF5 (`../eeglab/mat73.ts`) readers.
 * Arrays keep MATLAB's column-major order; `dims` are MATLAB's (at least two).
 */

export type NumericClass =
  | 'double'
  | 'single'
  | 'int8'
  | 'uint8'
  | 'int16'
  | 'uint16'
  | 'int32'
  | 'uint32'
  | 'int64'
  | 'uint64'
  | 'logical';

export interface MatNumeric {
  kind: 'numeric';
  cls: NumericClass;
  dims: number[];
  /** Real part, column-major (64-bit integers beyond 2^53 lose precision). */
  real: Float64Array;
  imag?: Float64Array;
}

export interface MatChar {
  kind: 'char';
  dims: number[];
  /** The characters in column-major order (for a row vector: the string itself). */
  text: string;
}

export interface MatStruct {
  kind: 'struct';
  dims: number[];
  fieldNames: string[];
  /** One record per element, column-major. */
  elements: Map<string, MatValue>[];
}

export interface MatCell {
  kind: 'cell';
  dims: number[];
  elements: MatValue[];
}

/** A class this reader does not decode (sparse, function handle, opaque objects): kept as a marker. */
export interface MatUnsupported {
  kind: 'unsupported';
  cls: string;
  dims: number[];
}

export type MatValue = MatNumeric | MatChar | MatStruct | MatCell | MatUnsupported;

/** A MAT-file's top-level variables by name. */
export type MatVariables = Map<string, MatValue>;

export const numel = (dims: readonly number[]): number => dims.reduce((a, b) => a * b, 1);
