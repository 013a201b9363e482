import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The project folder, from src/ (tsx, vitest) and from dist/ (compiled) alike. */
export const PROJECT_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
