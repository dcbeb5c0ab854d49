// Where model files come from and go to. The entry point says how: the Node entry (index.ts)
// with the file system and fetch, the browser entry (browser.ts) with fetch only, so that no
// Node built-in reaches the browser bundle.
import type { ModelArtifacts } from './artifacts';

/** An opened model.json: its parsed contents, a name for messages, and a reader of its weight files. */
export interface ModelFile {
  name: string;
  json: unknown;
  /** The files named in its weightsManifest (relative to model.json), in order. */
  read(paths: string[]): Promise<ArrayBuffer[]>;
}

export interface ModelIO {
  /** Opens a model.json given as a path, a directory or a URL. */
  open(source: string | URL): Promise<ModelFile>;
  /** Writes model.json and its weights file into a directory. */
  write(directory: string | URL, artifacts: ModelArtifacts): Promise<void>;
}

let io: ModelIO | null = null;

export function configureModelIO(x: ModelIO): void {
  io = x;
}

export function modelIO(): ModelIO {
  if (!io) throw new Error('convkit was loaded without its entry point (index or browser): no way to read or write model files');
  return io;
}
