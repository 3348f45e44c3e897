/** Re-export: the counting SourceFs lives with the byte sources. */
export { countingFs } from '../../../lib/readers/source';
