// Which files `--config DIR` reads, shared by the CLI (cli.js) and the plan-review page
// (viewer/app.js) so that both read the same configuration: Terraform's own files of each module
// directory, the module manifest `terraform init` writes, and nothing from hidden directories or
// node_modules except what `terraform init` downloaded into .terraform/modules.

export const MANIFEST = '.terraform/modules/modules.json';

/** The files Terraform reads in a module directory. */
export const isConfigFile = (name) => name.endsWith('.tf') || name.endsWith('.tf.json');

/** Whether a directory of DIR is skipped (hidden, or node_modules). */
export const isSkippedDir = (name) => name.startsWith('.') || name === 'node_modules';

/**
 * A path relative to DIR (`platform/main.tf`) as `--config DIR` reads it, or null when it does
 * not: the manifest; the Terraform files outside hidden directories; those under
 * .terraform/modules/ (what `terraform init` downloaded).
 */
/** The other files of DIR (what `file()` reads) are read up to this size; larger ones are null. */
export const MAX_OTHER_FILE = 1 << 20;

/**
 * A path relative to DIR of a file that is not Terraform's own but that `file()` and
 * `templatefile()` may read, or null: outside hidden directories and node_modules.
 */
export function otherPath(path) {
  const parts = path.split('/');
  return parts.slice(0, -1).some(isSkippedDir) || isConfigFile(parts[parts.length - 1]) ? null : path;
}

export function configPath(path) {
  if (path === MANIFEST) return path;
  const parts = path.split('/');
  const dirs = path.startsWith('.terraform/modules/') ? parts.slice(2, -1) : parts.slice(0, -1);
  return !dirs.some(isSkippedDir) && isConfigFile(parts[parts.length - 1]) ? path : null;
}
