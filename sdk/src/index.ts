/** @sandboxed/sdk: a typed client for the sandboxed API. */
export { Sandboxed, type SandboxedOptions, type SandboxPage } from './client.js';
export { SandboxedError } from './errors.js';
export { Sandbox } from './sandbox.js';
export { Session } from './session.js';
export { argv, type Command, type Exec, type ExecChunk, type ExecOptions } from './exec.js';
export { Events, type EventStreamOptions, type LifecycleEvent } from './events.js';
export { Files, type UploadBody, type WriteOptions } from './files.js';
export { Logs, type LogEvent, type LogFollowOptions, type LogSource, type Tail } from './logs.js';
export { Snapshots } from './snapshots.js';
export { Task, Tasks } from './tasks.js';
export { Terminal, type TerminalSignal } from './terminal.js';
export { Terminals, type TerminalOptions } from './terminals.js';
export type { FollowOptions } from './sse.js';
export type { WebSocketConstructor, WebSocketLike } from './websocket.js';
export type * from './types.js';
export type { paths, components, operations } from './generated/api.js';
