/** The version of this `sit`, printed by `sit --version` (kept equal to package.json by a test). */
export const VERSION = '0.6.0';
