/** The API's data, named: each is a schema of the OpenAPI document (./generated/api.ts). */
import type { components } from './generated/api.js';

type Schemas = components['schemas'];

export type SandboxInfo = Schemas['Sandbox'];
export type CreateSandboxInput = Schemas['CreateSandboxInput'];
export type UpdateSandboxInput = Schemas['UpdateSandboxInput'];
export type SandboxDeleted = Schemas['SandboxDeleted'];
export type SandboxPurged = Schemas['SandboxPurged'];
export type ExecInput = Schemas['ExecInput'];
export type ExecResult = Schemas['ExecResult'];
export type ExecExit = Schemas['ExecExitEvent'];
export type BackgroundExec = Schemas['BackgroundExec'];
export type FileEntry = Schemas['FileEntry'];
export type FileListing = Schemas['FileListing'];
export type FileWritten = Schemas['FileWritten'];
export type FileDeleted = Schemas['FileDeleted'];
export type DirectoryMade = Schemas['DirectoryMade'];
export type Services = Schemas['Services'];
export type ServiceSpec = Schemas['ServiceSpecInput'];
export type PreviewToken = Schemas['PreviewToken'];
export type PreviewTokensRotated = Schemas['PreviewTokensRotated'];
export type TaskInfo = Schemas['Task'];
export type CreateTaskInput = Schemas['CreateTaskInput'];
export type TaskEvent = Schemas['TaskEvent'];
export type TaskUndone = Schemas['TaskUndone'];
export type Snapshot = Schemas['Snapshot'];
export type SnapshotRestored = Schemas['SnapshotRestored'];
export type SnapshotDeleted = Schemas['SnapshotDeleted'];
export type TakeSnapshotInput = Schemas['TakeSnapshotInput'];
export type ReconcileResult = Schemas['ReconcileResult'];
export type TerminalSession = Schemas['Terminal'];
export type TerminalEnded = Schemas['TerminalEnded'];
export type CreateTerminalInput = Schemas['CreateTerminalInput'];
export type SessionInfo = Schemas['Session'];
export type SystemInfo = Schemas['SystemInfo'];
export type SandboxUsage = Schemas['SandboxUsage'];

/** Which sandboxes a list answers: by status, and by metadata (each key's exact value; several are ANDed). */
export interface SandboxFilter {
  status?: SandboxInfo['status'];
  metadata?: Record<string, string>;
  signal?: AbortSignal;
}

export interface SandboxPageOptions extends SandboxFilter {
  /** At most this many (1-1000). */
  limit?: number;
  /** The `next_cursor` of the page before. */
  cursor?: string;
}
