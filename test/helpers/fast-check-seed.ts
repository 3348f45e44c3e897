/** Property tests are reproducible: one seed for every fast-check run (override with FC_SEED to explore). */
import fc from 'fast-check';

fc.configureGlobal({ seed: Number(process.env.FC_SEED ?? 20261128) });
