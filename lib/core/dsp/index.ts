/** MNE-exact signal processing for maps: FIR design and zero-phase filtering, Welch PSD, window metrics, ERPs. */
export * from './fft';
export * from './fir';
export * from './filter';
export * from './welch';
export * from './metrics';
