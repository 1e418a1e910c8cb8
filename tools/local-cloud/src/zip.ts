import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { type Zippable, zipSync } from 'fflate';

/** Every file under `dir`, zipped with paths relative to it (as CodePipeline stores a source artifact). */
export function zipDirectory(dir: string): Uint8Array {
  const files: Zippable = {};
  const walk = (current: string): void => {
    for (const entry of readdirSync(current, { withFileTypes: true })) {
      const path = join(current, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.isFile() || (entry.isSymbolicLink() && statSync(path).isFile())) {
        files[relative(dir, path).split(sep).join('/')] = readFileSync(path);
      }
    }
  };
  walk(dir);
  return zipSync(files, { level: 6 });
}
