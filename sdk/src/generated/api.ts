/**
 * Generated from the daemon's OpenAPI document by `npm run sdk:types`
 * (openapi-typescript). Do not edit: change the routes, then regenerate.
 */
export interface paths {
    "/healthz": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Liveness: the process answers */
        get: operations["getHealth"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/readyz": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Readiness: SQLite and Docker answer, disks and network isolation are in place */
        get: operations["getReadiness"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/openapi.json": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * This document
         * @description Browsable at /docs.
         */
        get: operations["getOpenApiDocument"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/admin/reconcile": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Converge Docker to SQLite now */
        post: operations["reconcile"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/metrics": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Prometheus metrics
         * @description Behind the API token like every route; SANDBOXD_METRICS_BIND also serves them on a listener of their own without it.
         */
        get: operations["getMetrics"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/sandboxes": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * List the live sandboxes
         * @description Oldest first. Filters: status, and metadata.<key>=<value> (exact match; several are ANDed, at most 16), e.g. ?metadata.user=42&status=running.
         *     Pages: limit (and then cursor=<next_cursor>); without limit and cursor every matching sandbox comes back, with next_cursor null. A token without admin sees only its own sandboxes.
         */
        get: operations["listSandboxes"];
        put?: never;
        /**
         * Create a sandbox and start it
         * @description Every field is optional; without an id a lowercase ULID is generated.
         */
        post: operations["createSandbox"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/sandboxes/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** One sandbox */
        get: operations["getSandbox"];
        put?: never;
        post?: never;
        /** Remove the container, keep the workspace */
        delete: operations["deleteSandbox"];
        options?: never;
        head?: never;
        /**
         * Change idle policy, visibility, services, metadata or lifetimes
         * @description metadata is merged: a key set to null is removed. ttl_s still counts from create.
         */
        patch: operations["updateSandbox"];
        trace?: never;
    };
    "/v1/sandboxes/{id}/purge": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Remove the container and the workspace (also of a deleted sandbox) */
        post: operations["purgeSandbox"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/sandboxes/{id}/keepalive": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Postpone the idle stop */
        post: operations["keepaliveSandbox"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/sandboxes/{id}/stop": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Stop (idempotent); a preview request wakes it */
        post: operations["stopSandbox"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/sandboxes/{id}/start": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Start (idempotent) */
        post: operations["startSandbox"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/sandboxes/{id}/exec": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Run a command
         * @description Runs as the sandbox user in /home/sandbox/workspace/app unless cwd says otherwise; a stopped sandbox is started first.
         *     Foreground: waits up to timeout_s (the whole process group is killed then) and returns the output, each stream capped at SANDBOXD_EXEC_OUTPUT_LIMIT_BYTES.
         *     Streamed (stream: true or Accept: text/event-stream): the output comes as SSE while the command runs, then an exit event; the stream opens once the command starts, so a missing sandbox or a refused wake is still a plain error.
         *     background: true returns 202 at once with the log file's path and logs_url, where its log is read or followed.
         */
        post: operations["execCommand"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/sandboxes/{id}/files": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * List a directory, or read a file as JSON
         * @description Paths are relative to /home/sandbox or absolute under it; a symbolic link on the way is a 400.
         */
        get: operations["listFiles"];
        /**
         * Write a file: JSON {path, content, encoding?, append?, mode?}, or the bytes with ?path=
         * @description Paths are relative to /home/sandbox or absolute under it; a symbolic link on the way is a 400.
         */
        put: operations["writeFile"];
        post?: never;
        /**
         * Delete a file, or a directory (recursive=true if not empty)
         * @description Paths are relative to /home/sandbox or absolute under it; a symbolic link on the way is a 400.
         */
        delete: operations["deleteFile"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/sandboxes/{id}/files/content": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Read a file
         * @description Paths are relative to /home/sandbox or absolute under it; a symbolic link on the way is a 400.
         */
        get: operations["readFile"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/sandboxes/{id}/files/raw": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Download a file
         * @description Paths are relative to /home/sandbox or absolute under it; a symbolic link on the way is a 400.
         */
        get: operations["downloadFile"];
        /**
         * Upload a file’s bytes (any content type but forms and text)
         * @description Paths are relative to /home/sandbox or absolute under it; a symbolic link on the way is a 400.
         */
        put: operations["uploadFile"];
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/sandboxes/{id}/files/mkdir": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Make a directory
         * @description Paths are relative to /home/sandbox or absolute under it; a symbolic link on the way is a 400.
         */
        post: operations["makeDirectory"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/sandboxes/{id}/services": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Declared services and their supervisor status */
        get: operations["getServices"];
        /**
         * Replace the declared services
         * @description A running sandbox applies them at once.
         */
        put: operations["setServices"];
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/sandboxes/{id}/preview-token": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Issue a token for a private preview
         * @description Pass it once as ?token= (the edge sets a cookie for that one preview host and redirects) or as the X-Sandboxed-Preview-Token header.
         */
        post: operations["createPreviewToken"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/sandboxes/{id}/preview-token/rotate": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Revoke every token issued so far */
        post: operations["rotatePreviewTokens"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/sandboxes/{id}/tasks": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The sandbox’s tasks, oldest first */
        get: operations["listTasks"];
        put?: never;
        /**
         * Start a coding agent
         * @description One task runs per sandbox at a time (409 names the running one). Keys go in env: never stored, never logged.
         */
        post: operations["createTask"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/sandboxes/{id}/tasks/{taskId}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** One task and its result */
        get: operations["getTask"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/sandboxes/{id}/tasks/{taskId}/cancel": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Stop the agent; answers once the task has ended */
        post: operations["cancelTask"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/sandboxes/{id}/tasks/{taskId}/events": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * The task’s events (SSE)
         * @description Server-Sent Events: each message is `id: <seq>` and `data: <TaskEvent as JSON>`; a `: heartbeat` comment comes every 15 s.
         *     Replays the stored events after Last-Event-ID or ?after=, then follows live, and ends after task.completed or task.failed.
         *     Events are stored as they happen, so a stream of an ended task (or of a stopped sandbox) replays the whole run.
         */
        get: operations["streamTaskEvents"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/sandboxes/{id}/snapshots": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The sandbox’s snapshots, oldest first */
        get: operations["listSnapshots"];
        put?: never;
        /**
         * Snapshot the workspace
         * @description Running or stopped; the filesystem is frozen for the copy.
         */
        post: operations["takeSnapshot"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/sandboxes/{id}/snapshots/{snap}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** One snapshot */
        get: operations["getSnapshot"];
        put?: never;
        post?: never;
        /** Delete a snapshot */
        delete: operations["deleteSnapshot"];
        options?: never;
        head?: never;
        /** Mark or unmark a template */
        patch: operations["updateSnapshot"];
        trace?: never;
    };
    "/v1/sandboxes/{id}/snapshots/{snap}/restore": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Put the workspace back as the snapshot was
         * @description The sandbox stops for the swap and starts again if it ran; what it replaced is kept as a pre-restore snapshot.
         */
        post: operations["restoreSnapshot"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/snapshots": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Templates: snapshots new sandboxes may start from
         * @description A token without admin sees the templates of its own sandboxes.
         */
        get: operations["listTemplates"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/sandboxes/{id}/tasks/{taskId}/undo": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Undo an agent task: restore the checkpoint taken before it
         * @description Refused (409) while it or a later task runs, and after a later task unless force.
         */
        post: operations["undoTask"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/sandboxes/{id}/pty": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * The sandbox’s terminal sessions; as a WebSocket, a new session attached
         * @description Upgraded to a WebSocket (?cols=&rows=&cwd=&cmd=): A process on a TTY in the sandbox (default: a login shell as the sandbox user in ~/workspace/app); a stopped sandbox is woken.
         *     Sessions outlive their viewers for SANDBOXD_PTY_GRACE_SECONDS; at most SANDBOXD_PTY_MAX_PER_SANDBOX per sandbox and SANDBOXD_PTY_MAX_SESSIONS in all (429).
         */
        get: operations["listTerminals"];
        put?: never;
        /**
         * Start a terminal session
         * @description A process on a TTY in the sandbox (default: a login shell as the sandbox user in ~/workspace/app); a stopped sandbox is woken.
         *     Sessions outlive their viewers for SANDBOXD_PTY_GRACE_SECONDS; at most SANDBOXD_PTY_MAX_PER_SANDBOX per sandbox and SANDBOXD_PTY_MAX_SESSIONS in all (429). Attach to it at attach_url.
         */
        post: operations["createTerminal"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/sandboxes/{id}/pty/{session}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * One terminal session; as a WebSocket, attached to it
         * @description Upgraded to a WebSocket: one more viewer (at most 8 a session, 429), replaying from ?since=.
         */
        get: operations["getTerminal"];
        put?: never;
        post?: never;
        /**
         * End a terminal session
         * @description Its processes are killed; its viewers get the exit frame, then close 1000.
         */
        delete: operations["deleteTerminal"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/sandboxes/{id}/exec/{execId}/logs": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * A background exec’s log: its tail, or followed until the command ends (SSE)
         * @description Read from the host: works while the sandbox sleeps and never wakes it. A truncated or replaced file (a snapshot restore too) sends a reset event; a link, directory or FIFO, or the sandbox deleted, ends the stream with an error event.
         */
        get: operations["getExecLogs"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/sandboxes/{id}/services/{name}/logs": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * A service’s log: its tail, or followed live through stops and wakes (SSE)
         * @description Read from the host: works while the sandbox sleeps and never wakes it. A truncated or replaced file (a snapshot restore too) sends a reset event; a link, directory or FIFO, or the sandbox deleted, ends the stream with an error event.
         */
        get: operations["getServiceLogs"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/session": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Whether the API takes tokens, and who this request is signed in as */
        get: operations["getSession"];
        put?: never;
        /**
         * Exchange an API token for a session cookie (the dashboard’s sign-in)
         * @description The cookie is `sandboxed_session`: HttpOnly, SameSite=Strict, Path=/, valid for SANDBOXD_UI_SESSION_HOURS. It is an HMAC over the token’s name and the hash of its secret, so rotating or removing the token ends every session made with it. A cookie authorises state-changing requests and WebSockets only from the API’s own origin (the dashboard at /ui).
         */
        post: operations["signIn"];
        /** Sign out: the session cookie is cleared */
        delete: operations["signOut"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/system": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The version and the settings that matter */
        get: operations["getSystem"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/usage": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Memory and disk use of every live sandbox
         * @description Does not count as activity.
         */
        get: operations["listUsage"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/sandboxes/{id}/usage": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Memory and disk use of one sandbox
         * @description Does not count as activity.
         */
        get: operations["getUsage"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/events": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Lifecycle events of every sandbox (SSE)
         * @description Server-Sent Events: each message is `id: <id>` and `data: <LifecycleEvent as JSON>`; a `: heartbeat` comment comes every 15 s.
         *     Without a cursor only new events come; with Last-Event-ID or ?since= the stored ones after it are replayed first (with ?follow=false, only those: the stream ends after them; a cursor defaults to 0 then) (the store keeps SANDBOXD_EVENTS_MAX_COUNT events for at most SANDBOXD_EVENTS_MAX_AGE_SECONDS; older ones are announced by an `event: gap` message).
         *     A client more than SANDBOXD_EVENTS_CLIENT_BUFFER events behind is disconnected: reconnect with Last-Event-ID. At most SANDBOXD_EVENTS_MAX_CLIENTS streams (429).
         *     A token that is not an admin gets only the events of the sandboxes it owns, on at most SANDBOXD_EVENTS_MAX_CLIENTS_PER_TOKEN streams.
         */
        get: operations["streamEvents"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/webhooks/deliveries": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Webhook deliveries, newest first
         * @description Pending, delivered and given-up deliveries of SANDBOXD_WEBHOOKS, bounded like the events. For admin tokens.
         */
        get: operations["listWebhookDeliveries"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/images": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The images sandboxes may run, and which sandboxes run an old build */
        get: operations["listImages"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
}
export type webhooks = Record<string, never>;
export interface components {
    schemas: {
        AgentMessageEvent: {
            /** @constant */
            type: "agent.message";
            text: string;
            seq: number;
            /** Format: date-time */
            ts: string;
            raw: unknown;
        };
        /**
         * @example {
         *       "id": "01jh6x0q3c4v5b6n7m8k9j0h1g",
         *       "background": true,
         *       "log_path": "/home/sandbox/.sandboxed/logs/exec-01jh6x0q3c4v5b6n7m8k9j0h1g.log",
         *       "logs_url": "/v1/sandboxes/demo/exec/01jh6x0q3c4v5b6n7m8k9j0h1g/logs"
         *     }
         */
        BackgroundExec: {
            id: string;
            /** @constant */
            background: true;
            log_path: string;
            /** @description GET it for the log’s tail, with ?follow=1 to follow it live (SSE) until the command ends */
            logs_url: string;
        };
        CreatePreviewTokenInput: {
            /** @description A declared port; default: the first */
            port?: number;
            ttl_s?: number;
        };
        CreateSandboxInput: {
            id?: string;
            ports?: number[];
            env?: {
                [key: string]: string;
            };
            memory_mb?: number;
            disk_mb?: number;
            cpus?: number;
            /** @enum {string} */
            idle_policy?: "sleep" | "always_on";
            /** @enum {string} */
            visibility?: "public" | "private";
            services?: components["schemas"]["ServiceSpecInput"][];
            /** @enum {string} */
            runtime?: "runc" | "gvisor";
            from_snapshot?: string;
            image?: string;
            metadata?: components["schemas"]["MetadataInput"];
            /** @description Deleted this many seconds after create; 0: never. Default and maximum: SANDBOXD_DEFAULT_TTL_SECONDS, SANDBOXD_MAX_TTL_SECONDS */
            ttl_s?: number;
            /** @description Deleted once stopped and unused this many seconds; 0: never. Default and maximum: SANDBOXD_DEFAULT_AUTO_DELETE_AFTER_IDLE_SECONDS, SANDBOXD_MAX_AUTO_DELETE_AFTER_IDLE_SECONDS */
            auto_delete_after_idle_s?: number;
            /** @description An expiry purges (workspace and snapshots gone) instead of keeping the workspace like DELETE */
            purge_on_expiry?: boolean;
            egress?: components["schemas"]["EgressPolicyInput"];
        };
        CreateTaskInput: {
            prompt: string;
            /** @enum {string} */
            agent: "opencode" | "claude-code";
            model?: string;
            /** Format: uri */
            base_url?: string;
            env?: {
                [key: string]: string;
            };
            timeout_s?: number;
            continue_from?: string;
            checkpoint?: boolean;
            key_in_sandbox?: boolean;
            max_tokens_total?: number;
            max_cost_usd?: number;
        };
        CreateTerminalInput: {
            cmd?: string[];
            /** Format: starts_with */
            cwd?: string;
            env?: {
                [key: string]: string;
            };
            cols?: number;
            rows?: number;
        };
        /**
         * @example {
         *       "path": "/home/sandbox/workspace/app/assets",
         *       "created": true
         *     }
         */
        DirectoryMade: {
            path: string;
            created: boolean;
        };
        /** @description Where the sandbox may connect on ports 80 and 443, by host name: exact names, *.wildcards and CIDRs; deny wins. Absent: the settings' default (SANDBOXD_EGRESS_MODE). */
        EgressPolicyInput: {
            /** @enum {string} */
            mode: "open" | "allowlist";
            allow?: string[];
            deny?: string[];
        };
        /**
         * @description Every 4xx and 5xx answer
         * @example {
         *       "error": "sandbox demo not found"
         *     }
         */
        Error: {
            /** @description What went wrong, in words; a field error names the field (`body.ports: …`) */
            error: string;
        };
        /** @description `event: gap`: events after `after` were pruned before this stream asked; the replay resumes at `oldest_id` */
        EventGap: {
            after: number;
            oldest_id: number;
        };
        EventStreamMessage: components["schemas"]["LifecycleEvent"] | components["schemas"]["EventGap"];
        /** @description The `data` of one SSE message of a streamed exec; its kind is the `event:` name */
        ExecEvent: components["schemas"]["ExecOutputEvent"] | components["schemas"]["ExecExitEvent"] | components["schemas"]["StreamErrorEvent"];
        /** @description `event: exit`: the last message */
        ExecExitEvent: {
            exit_code: number | null;
            timed_out: boolean;
            truncated: boolean;
            duration_ms: number;
        };
        ExecInput: {
            cmd: string[];
            env?: {
                [key: string]: string;
            };
            /** Format: starts_with */
            cwd?: string;
            timeout_s?: number;
            background?: boolean;
            stream?: boolean;
        };
        /** @description `event: stdout` or `event: stderr`: UTF-8 text as it came */
        ExecOutputEvent: {
            text: string;
        };
        /**
         * @example {
         *       "exit_code": 0,
         *       "stdout": "hi\n",
         *       "stderr": "",
         *       "timed_out": false,
         *       "truncated": false,
         *       "duration_ms": 41
         *     }
         */
        ExecResult: {
            exit_code: number | null;
            stdout: string;
            stderr: string;
            timed_out: boolean;
            /** @description A stream passed the output limit and was cut */
            truncated: boolean;
            duration_ms: number;
        };
        FileChangedEvent: {
            /** @constant */
            type: "file.changed";
            /** @description Relative to ~/workspace/app when inside it */
            path: string;
            tool: string;
            seq: number;
            /** Format: date-time */
            ts: string;
            raw: unknown;
        };
        /**
         * @example {
         *       "path": "/home/sandbox/workspace/app/index.html",
         *       "content": "<h1>hello</h1>",
         *       "encoding": "utf8",
         *       "size": 14
         *     }
         */
        FileContent: {
            path: string;
            content: string;
            /** @enum {string} */
            encoding: "utf8" | "base64";
            size: number;
        };
        /**
         * @example {
         *       "path": "/home/sandbox/workspace/app/assets",
         *       "deleted": true
         *     }
         */
        FileDeleted: {
            path: string;
            /** @constant */
            deleted: true;
        };
        FileEntry: {
            name: string;
            path: string;
            /** @enum {string} */
            type: "file" | "directory" | "symlink" | "other";
            size: number;
            /** Format: date-time */
            mtime: string;
        };
        /**
         * @example {
         *       "path": "/home/sandbox/workspace/app",
         *       "truncated": false,
         *       "entries": [
         *         {
         *           "name": "index.html",
         *           "path": "/home/sandbox/workspace/app/index.html",
         *           "type": "file",
         *           "size": 14,
         *           "mtime": "2025-01-01T12:00:00.000Z"
         *         }
         *       ]
         *     }
         */
        FileListing: {
            path: string;
            entries: components["schemas"]["FileEntry"][];
            truncated: boolean;
            /** @description Pass as ?cursor= for the next page */
            next_cursor?: string;
        };
        /**
         * @example {
         *       "path": "/home/sandbox/workspace/app/index.html",
         *       "size": 14
         *     }
         */
        FileWritten: {
            path: string;
            size: number;
        };
        /**
         * @example {
         *       "status": "ok"
         *     }
         */
        Health: {
            /** @constant */
            status: "ok";
        };
        Image: {
            name: string;
            reference: string;
            default: boolean;
            /** @description The engine’s id of the reference now; null: not on this host (creates with it answer 503) */
            id: string | null;
            /** @description Live sandboxes with this image */
            sandboxes: number;
            /** @description Of them, those whose container was made from another build than `id` (stop and start one to move it) */
            outdated: number;
        };
        /**
         * @description The images sandboxes may run (SANDBOXD_IMAGES)
         * @example {
         *       "images": [
         *         {
         *           "name": "default",
         *           "reference": "sandboxed/sandbox:latest",
         *           "default": true,
         *           "id": "sha256:5e62550790e3…",
         *           "sandboxes": 3,
         *           "outdated": 1
         *         }
         *       ],
         *       "count": 1
         *     }
         */
        ImageList: {
            images: components["schemas"]["Image"][];
            count: number;
        };
        /**
         * @description A lifecycle event: the `data` of one SSE message of GET /v1/events (its `id:` is `id`), and a webhook’s body
         * @example {
         *       "id": 42,
         *       "type": "sandbox.stopped",
         *       "time": "2025-01-01T12:35:00.000Z",
         *       "sandbox_id": "demo",
         *       "metadata": {
         *         "user": "42"
         *       },
         *       "reason": "idle"
         *     }
         */
        LifecycleEvent: components["schemas"]["SandboxCreatedEvent"] | components["schemas"]["SandboxStartedEvent"] | components["schemas"]["SandboxStoppedEvent"] | components["schemas"]["SandboxDeletedEvent"] | components["schemas"]["SandboxPurgedEvent"] | components["schemas"]["SandboxExpiredEvent"] | components["schemas"]["SandboxFailedEvent"] | components["schemas"]["TaskStartedLifecycleEvent"] | components["schemas"]["TaskSucceededLifecycleEvent"] | components["schemas"]["TaskFailedLifecycleEvent"] | components["schemas"]["WakeRefusedEvent"];
        /** @description `event: error`: the log cannot be followed (a link, a directory); the last message */
        LogErrorEvent: {
            error: string;
        };
        /** @description The `data` of one SSE message of a followed log; its `id:` is a byte offset to resume from */
        LogEvent: components["schemas"]["LogTextEvent"] | components["schemas"]["LogResetEvent"] | components["schemas"]["LogExitEvent"] | components["schemas"]["LogErrorEvent"];
        /** @description `event: exit`: a background exec ended; the last message */
        LogExitEvent: {
            exit_code: number | null;
        };
        /** @description `event: reset`: the file was truncated or replaced; reading starts again at 0 */
        LogResetEvent: {
            reason: string;
            offset: number;
        };
        /** @description `event: log`: text from `offset`; the SSE id is the offset just past it */
        LogTextEvent: {
            offset: number;
            text: string;
        };
        MakeDirectoryInput: {
            path: string;
            parents?: boolean;
            mode?: string | number;
        };
        /**
         * @description At most 64 keys of 1-64 characters (A-Z a-z 0-9 _ . / -, a letter or digit first), values of at most 512 bytes without control characters, 16384 bytes in all; keys starting with "sandboxed." are the daemon's.
         * @example {
         *       "user": "42",
         *       "plan": "free"
         *     }
         */
        MetadataInput: {
            [key: string]: string;
        };
        /** @description Keys set to a string are set, keys set to null removed. At most 64 keys of 1-64 characters (A-Z a-z 0-9 _ . / -, a letter or digit first), values of at most 512 bytes without control characters, 16384 bytes in all; keys starting with "sandboxed." are the daemon's. */
        MetadataPatchInput: {
            [key: string]: string | null;
        };
        /** @description This document (OpenAPI 3.1) */
        OpenApiDocument: {
            openapi: string;
        } & {
            [key: string]: unknown;
        };
        /**
         * @example {
         *       "token": "v1.demo.3000.1735736400.0.k3J…",
         *       "expires_at": "2025-01-01T13:00:00.000Z",
         *       "url": "http://s-demo-3000.preview.localhost/?token=v1.demo…",
         *       "port": 3000
         *     }
         */
        PreviewToken: {
            token: string;
            /** Format: date-time */
            expires_at: string;
            /** @description The preview URL with ?token= */
            url: string;
            port: number;
        };
        /**
         * @example {
         *       "id": "demo",
         *       "rotated": true,
         *       "epoch": 1
         *     }
         */
        PreviewTokensRotated: {
            id: string;
            /** @constant */
            rotated: true;
            epoch: number;
        };
        /**
         * @example {
         *       "status": "ready"
         *     }
         */
        Ready: {
            /** @constant */
            status: "ready";
        };
        /**
         * @description What one reconcile pass did
         * @example {
         *       "created": 0,
         *       "started": 1,
         *       "stopped": 0,
         *       "removed": 0,
         *       "errors": []
         *     }
         */
        ReconcileResult: {
            created: number;
            started: number;
            stopped: number;
            removed: number;
            errors: {
                sandbox_id: string | null;
                action: string;
                error: string;
            }[];
        };
        /**
         * @description A sandbox
         * @example {
         *       "id": "demo",
         *       "status": "running",
         *       "ports": [
         *         3000
         *       ],
         *       "preview_urls": {
         *         "3000": "http://s-demo-3000.preview.localhost"
         *       },
         *       "container_id": "4f9c2d0e8b1a…",
         *       "created_at": "2025-01-01T12:00:00.000Z",
         *       "last_active_at": "2025-01-01T12:05:00.000Z",
         *       "idle_policy": "sleep",
         *       "visibility": "public",
         *       "memory_mb": 1024,
         *       "cpus": 1,
         *       "disk_mb": 5120,
         *       "services": [
         *         {
         *           "name": "web",
         *           "command": "npm run dev",
         *           "port": 3000
         *         }
         *       ],
         *       "env_names": [
         *         "API_KEY"
         *       ],
         *       "last_error": null,
         *       "image": "default",
         *       "image_id": "sha256:5e62550790e3…",
         *       "metadata": {
         *         "user": "42",
         *         "sandboxed.owner": "app"
         *       },
         *       "ttl_s": 86400,
         *       "expires_at": "2025-01-02T12:00:00.000Z",
         *       "auto_delete_after_idle_s": null,
         *       "purge_on_expiry": false,
         *       "runtime": "runc",
         *       "egress": {
         *         "mode": "open",
         *         "allow": [],
         *         "deny": []
         *       },
         *       "egress_default": true
         *     }
         */
        Sandbox: {
            id: string;
            /**
             * @description error: see last_error
             * @enum {string}
             */
            status: "running" | "starting" | "stopping" | "stopped" | "error";
            ports: number[];
            /** @description By port */
            preview_urls: {
                [key: string]: string;
            };
            container_id: string | null;
            /** Format: date-time */
            created_at: string;
            /** Format: date-time */
            last_active_at: string;
            /** @enum {string} */
            idle_policy: "sleep" | "always_on";
            /** @enum {string} */
            visibility: "public" | "private";
            memory_mb: number;
            cpus: number;
            disk_mb: number;
            services: components["schemas"]["Service"][];
            /** @description Names of the injected variables; values never leave the daemon */
            env_names: string[];
            last_error: string | null;
            /** @description The image’s name in SANDBOXD_IMAGES (GET /v1/images) */
            image: string;
            /** @description The build its container was made from; null before its first container */
            image_id: string | null;
            /** @description Labels for filtering; sandboxed.owner is the name of the token that created it */
            metadata: {
                [key: string]: string;
            };
            /** @description Deleted this long after create; null: never */
            ttl_s: number | null;
            /** @description created_at + ttl_s */
            expires_at: string | null;
            /** @description Deleted once stopped and unused this long; null: never */
            auto_delete_after_idle_s: number | null;
            purge_on_expiry: boolean;
            /**
             * @description gvisor: gVisor’s user-space kernel between the tenant and the host’s
             * @enum {string}
             */
            runtime: "runc" | "gvisor";
            /** @description Where the sandbox may connect on ports 80 and 443, by name (exact, *.wildcard, CIDR); deny wins */
            egress: {
                /** @enum {string} */
                mode: "open" | "allowlist";
                allow: string[];
                deny: string[];
            };
            /** @description The policy is the settings’ default (SANDBOXD_EGRESS_*), not the sandbox’s own */
            egress_default: boolean;
        };
        /** @description Created and running */
        SandboxCreatedEvent: {
            /** @constant */
            type: "sandbox.created";
            /** @description Monotonic; the SSE id, and what Last-Event-ID resumes after */
            id: number;
            /** Format: date-time */
            time: string;
            sandbox_id: string;
            /** @description The sandbox’s metadata when the event happened */
            metadata: {
                [key: string]: string;
            };
            image: string;
        };
        /**
         * @example {
         *       "id": "demo",
         *       "status": "destroyed",
         *       "workspace": "kept"
         *     }
         */
        SandboxDeleted: {
            id: string;
            /** @constant */
            status: "destroyed";
            /** @constant */
            workspace: "kept";
        };
        /** @description Deleted; its workspace is kept */
        SandboxDeletedEvent: {
            /** @constant */
            type: "sandbox.deleted";
            /** @description Monotonic; the SSE id, and what Last-Event-ID resumes after */
            id: number;
            /** Format: date-time */
            time: string;
            sandbox_id: string;
            /** @description The sandbox’s metadata when the event happened */
            metadata: {
                [key: string]: string;
            };
            /** @constant */
            workspace: "kept";
        };
        /** @description Its lifetime ran out; the deletion follows as its own event */
        SandboxExpiredEvent: {
            /** @constant */
            type: "sandbox.expired";
            /** @description Monotonic; the SSE id, and what Last-Event-ID resumes after */
            id: number;
            /** Format: date-time */
            time: string;
            sandbox_id: string;
            /** @description The sandbox’s metadata when the event happened */
            metadata: {
                [key: string]: string;
            };
        } & {
            [key: string]: unknown;
        };
        /** @description A start failed, or its container died while it should run */
        SandboxFailedEvent: {
            /** @constant */
            type: "sandbox.failed";
            /** @description Monotonic; the SSE id, and what Last-Event-ID resumes after */
            id: number;
            /** Format: date-time */
            time: string;
            sandbox_id: string;
            /** @description The sandbox’s metadata when the event happened */
            metadata: {
                [key: string]: string;
            };
            error: string;
        };
        /**
         * @example {
         *       "sandboxes": [
         *         {
         *           "id": "demo",
         *           "status": "running",
         *           "ports": [
         *             3000
         *           ],
         *           "preview_urls": {
         *             "3000": "http://s-demo-3000.preview.localhost"
         *           },
         *           "container_id": "4f9c2d0e8b1a…",
         *           "created_at": "2025-01-01T12:00:00.000Z",
         *           "last_active_at": "2025-01-01T12:05:00.000Z",
         *           "idle_policy": "sleep",
         *           "visibility": "public",
         *           "memory_mb": 1024,
         *           "cpus": 1,
         *           "disk_mb": 5120,
         *           "services": [
         *             {
         *               "name": "web",
         *               "command": "npm run dev",
         *               "port": 3000
         *             }
         *           ],
         *           "env_names": [
         *             "API_KEY"
         *           ],
         *           "last_error": null,
         *           "image": "default",
         *           "image_id": "sha256:5e62550790e3…",
         *           "metadata": {
         *             "user": "42",
         *             "sandboxed.owner": "app"
         *           },
         *           "ttl_s": 86400,
         *           "expires_at": "2025-01-02T12:00:00.000Z",
         *           "auto_delete_after_idle_s": null,
         *           "purge_on_expiry": false,
         *           "runtime": "runc",
         *           "egress": {
         *             "mode": "open",
         *             "allow": [],
         *             "deny": []
         *           },
         *           "egress_default": true
         *         }
         *       ],
         *       "count": 1,
         *       "next_cursor": null
         *     }
         */
        SandboxList: {
            sandboxes: components["schemas"]["Sandbox"][];
            /** @description Sandboxes in this answer */
            count: number;
            /** @description Pass as ?cursor= (with the same filters) for the next page; null: this was the last */
            next_cursor: string | null;
        };
        /**
         * @example {
         *       "id": "demo",
         *       "status": "purged",
         *       "workspace": "removed"
         *     }
         */
        SandboxPurged: {
            id: string;
            /** @constant */
            status: "purged";
            /** @constant */
            workspace: "removed";
        };
        /** @description Deleted with its workspace */
        SandboxPurgedEvent: {
            /** @constant */
            type: "sandbox.purged";
            /** @description Monotonic; the SSE id, and what Last-Event-ID resumes after */
            id: number;
            /** Format: date-time */
            time: string;
            sandbox_id: string;
            /** @description The sandbox’s metadata when the event happened */
            metadata: {
                [key: string]: string;
            };
            /** @constant */
            workspace: "removed";
        };
        /** @description Its container runs again */
        SandboxStartedEvent: {
            /** @constant */
            type: "sandbox.started";
            /** @description Monotonic; the SSE id, and what Last-Event-ID resumes after */
            id: number;
            /** Format: date-time */
            time: string;
            sandbox_id: string;
            /** @description The sandbox’s metadata when the event happened */
            metadata: {
                [key: string]: string;
            };
            /** @description request (start, wake, exec, task), reconcile (restarted after it died), observed */
            reason: string;
        };
        /** @description Stopped; a request wakes it */
        SandboxStoppedEvent: {
            /** @constant */
            type: "sandbox.stopped";
            /** @description Monotonic; the SSE id, and what Last-Event-ID resumes after */
            id: number;
            /** Format: date-time */
            time: string;
            sandbox_id: string;
            /** @description The sandbox’s metadata when the event happened */
            metadata: {
                [key: string]: string;
            };
            /** @description request, idle, memory pressure: …, observed */
            reason: string;
        };
        /**
         * @description What a sandbox uses now
         * @example {
         *       "id": "demo",
         *       "memory_bytes": 73400320,
         *       "memory_limit_bytes": 1073741824,
         *       "disk_used_bytes": 157286400,
         *       "disk_size_bytes": 5242880000,
         *       "measured_at": "2025-01-01T12:05:00.000Z"
         *     }
         */
        SandboxUsage: {
            id: string;
            /** @description Memory in use now, reclaimable page cache left out (as `docker stats`); null while it is not running */
            memory_bytes: number | null;
            /** @description Its memory_mb in bytes */
            memory_limit_bytes: number;
            /** @description Bytes in use on its workspace disk (as `df`); null without disk quotas (SANDBOXD_DISK_QUOTA=false) or while the disk is not mounted */
            disk_used_bytes: number | null;
            /** @description The size of that disk (its disk_mb, less the filesystem’s own overhead) */
            disk_size_bytes: number | null;
            /**
             * Format: date-time
             * @description When it was sampled: samples are reused for up to 5 s
             */
            measured_at: string;
        };
        /**
         * @example {
         *       "sandboxes": [
         *         {
         *           "id": "demo",
         *           "memory_bytes": 73400320,
         *           "memory_limit_bytes": 1073741824,
         *           "disk_used_bytes": 157286400,
         *           "disk_size_bytes": 5242880000,
         *           "measured_at": "2025-01-01T12:05:00.000Z"
         *         }
         *       ],
         *       "count": 1
         *     }
         */
        SandboxUsageList: {
            sandboxes: components["schemas"]["SandboxUsage"][];
            count: number;
        };
        /** @description A declared service: started at every container start and kept running */
        Service: {
            name: string;
            command: string;
            port?: number;
            cwd?: string;
        };
        ServiceSpecInput: {
            name: string;
            command: string;
            port?: number;
            /** Format: starts_with */
            cwd?: string;
        };
        ServiceStatus: {
            name: string;
            /** @description starting, running, backoff, failed, stopped or unknown */
            state: string;
            pid: number | null;
            restarts: number;
            last_exit_code: number | null;
            since: string | null;
            log_path: string;
        };
        /**
         * @example {
         *       "declared": [
         *         {
         *           "name": "web",
         *           "command": "python3 -m http.server 3000",
         *           "port": 3000
         *         }
         *       ],
         *       "services": [
         *         {
         *           "name": "web",
         *           "state": "running",
         *           "pid": 42,
         *           "restarts": 0,
         *           "last_exit_code": null,
         *           "since": "2025-01-01T12:00:00Z",
         *           "log_path": "/home/sandbox/.sandboxed/logs/web.log"
         *         }
         *       ]
         *     }
         */
        Services: {
            declared: components["schemas"]["Service"][];
            services: components["schemas"]["ServiceStatus"][];
        };
        /**
         * @example {
         *       "auth": true,
         *       "token_name": "dashboard",
         *       "expires_at": "2025-01-02T00:00:00.000Z"
         *     }
         */
        Session: {
            /** @description false: the API takes no token (SANDBOXD_API_TOKENS is not set); there is nothing to sign in to */
            auth: boolean;
            /** @description The token this request is signed in with (its name only); null: none */
            token_name: string | null;
            /** @description When the session cookie stops counting; null for a bearer token or no session */
            expires_at: string | null;
        };
        SetServicesInput: {
            services: components["schemas"]["ServiceSpecInput"][];
        };
        SignInInputInput: {
            /** @description A secret of SANDBOXD_API_TOKENS */
            token: string;
        };
        /**
         * @example {
         *       "signed_out": true
         *     }
         */
        SignedOut: {
            /** @constant */
            signed_out: true;
        };
        /**
         * @description A copy of a workspace
         * @example {
         *       "id": "01jh6x0q2b3c4d5e6f7g8h9j0k",
         *       "sandbox_id": "demo",
         *       "name": "before upgrade",
         *       "kind": "manual",
         *       "template": false,
         *       "task_id": null,
         *       "size_bytes": 367001600,
         *       "disk_mb": 5120,
         *       "created_at": "2025-01-01T12:00:00.000Z"
         *     }
         */
        Snapshot: {
            id: string;
            sandbox_id: string;
            name: string | null;
            /**
             * @description checkpoint: before an agent task; pre-restore: what a restore replaced
             * @enum {string}
             */
            kind: "manual" | "checkpoint" | "pre-restore";
            /** @description Kept when its sandbox is purged; new sandboxes start from it with from_snapshot */
            template: boolean;
            task_id: string | null;
            /** @description What the copy takes on the data disk */
            size_bytes: number;
            disk_mb: number;
            created_at: string;
        };
        SnapshotDeleted: {
            id: string;
            /** @constant */
            deleted: true;
        };
        /**
         * @example {
         *       "snapshots": [
         *         {
         *           "id": "01jh6x0q2b3c4d5e6f7g8h9j0k",
         *           "sandbox_id": "demo",
         *           "name": "before upgrade",
         *           "kind": "manual",
         *           "template": false,
         *           "task_id": null,
         *           "size_bytes": 367001600,
         *           "disk_mb": 5120,
         *           "created_at": "2025-01-01T12:00:00.000Z"
         *         }
         *       ],
         *       "count": 1,
         *       "size_bytes": 367001600,
         *       "next_cursor": null
         *     }
         */
        SnapshotList: {
            snapshots: components["schemas"]["Snapshot"][];
            count: number;
            /** @description A sandbox’s list: what all its snapshots take, every page included */
            size_bytes?: number;
            /** @description Pass as ?cursor= for the next page; null: this was the last */
            next_cursor: string | null;
        };
        SnapshotRestored: {
            sandbox: components["schemas"]["Sandbox"];
            restored: string;
            /** @description What the restore replaced, kept as a pre-restore snapshot */
            saved_as: components["schemas"]["Snapshot"];
        };
        /** @description `event: error`: the stream failed after it opened; the last message */
        StreamErrorEvent: {
            error: string;
        };
        /**
         * @description The version and the settings that matter
         * @example {
         *       "version": "0.1.0",
         *       "node": "v20.19.0",
         *       "started_at": "2025-01-01T12:00:00.000Z",
         *       "instance": "default",
         *       "auth": true,
         *       "edge": "builtin",
         *       "preview_domain": "localhost",
         *       "preview_tls": false,
         *       "http_port": 80,
         *       "idle_threshold_s": 2100,
         *       "limits": {
         *         "default_memory_mb": 1024,
         *         "max_memory_mb": 8192,
         *         "default_cpus": 1,
         *         "max_cpus": 4,
         *         "default_disk_mb": 5120,
         *         "max_disk_mb": 51200
         *       },
         *       "disk_quota": true,
         *       "network_isolation": true,
         *       "egress_mode": "open",
         *       "pool_size": 2,
         *       "snapshots": {
         *         "max_count": 20,
         *         "max_mb": 20480
         *       },
         *       "tasks": {
         *         "default_timeout_s": 1800,
         *         "max_timeout_s": 21600,
         *         "checkpoint": true
         *       },
         *       "terminals": {
         *         "max_per_sandbox": 8,
         *         "max_sessions": 64
         *       },
         *       "memory": {
         *         "available_mb": 5120,
         *         "total_mb": 7936,
         *         "floor_mb": 512,
         *         "wake_reserve_mb": 256
         *       }
         *     }
         */
        SystemInfo: {
            version: string;
            node: string;
            /** Format: date-time */
            started_at: string;
            /** @description SANDBOXED_INSTANCE: the label on everything this daemon made */
            instance: string;
            auth: boolean;
            /** @description builtin, traefik or none (SANDBOXED_EDGE) */
            edge: string;
            preview_domain: string;
            preview_tls: boolean;
            http_port: number;
            /** @description A `sleep` sandbox without activity for this long stops */
            idle_threshold_s: number;
            limits: {
                default_memory_mb: number;
                max_memory_mb: number;
                default_cpus: number;
                max_cpus: number;
                default_disk_mb: number;
                max_disk_mb: number;
            };
            disk_quota: boolean;
            network_isolation: boolean;
            egress_mode: string;
            pool_size: number;
            snapshots: {
                max_count: number;
                max_mb: number;
            };
            tasks: {
                default_timeout_s: number;
                max_timeout_s: number;
                checkpoint: boolean;
            };
            terminals: {
                max_per_sandbox: number;
                max_sessions: number;
            };
            /** @description Host memory as wake admission and the pressure reaper read it (cgroup-aware); null when it cannot be read */
            memory: {
                available_mb: number | null;
                total_mb: number | null;
                floor_mb: number;
                wake_reserve_mb: number;
            };
        };
        TakeSnapshotInput: {
            name?: string;
            template?: boolean;
        };
        /**
         * @description An agent run in a sandbox
         * @example {
         *       "id": "01jh6x0q3c4v5b6n7m8k9j0h1g",
         *       "sandbox_id": "demo",
         *       "agent": "claude-code",
         *       "model": "claude-sonnet-4-5",
         *       "base_url": null,
         *       "status": "succeeded",
         *       "prompt": "create index.html that says hello",
         *       "result": {
         *         "text": "Created index.html.",
         *         "files_changed": [
         *           "index.html"
         *         ],
         *         "files_changed_truncated": false,
         *         "usage": {
         *           "input_tokens": 1200,
         *           "output_tokens": 85,
         *           "cost_usd": 0.0049
         *         }
         *       },
         *       "error": null,
         *       "session_id": "b8f1c3e2-…",
         *       "continue_from": null,
         *       "checkpoint_id": "01jh6x0q2b3c4d5e6f7g8h9j0k",
         *       "env_names": [
         *         "ANTHROPIC_API_KEY"
         *       ],
         *       "timeout_s": 1800,
         *       "key_in_sandbox": false,
         *       "max_tokens_total": null,
         *       "max_cost_usd": null,
         *       "usage": {
         *         "input_tokens": 1200,
         *         "output_tokens": 85,
         *         "cost_usd": 0.0049
         *       },
         *       "created_at": "2025-01-01T12:00:00.000Z",
         *       "started_at": "2025-01-01T12:00:01.000Z",
         *       "ended_at": "2025-01-01T12:00:40.000Z",
         *       "events_url": "/v1/sandboxes/demo/tasks/01jh6x0q3c4v5b6n7m8k9j0h1g/events"
         *     }
         */
        Task: {
            id: string;
            sandbox_id: string;
            /** @enum {string} */
            agent: "opencode" | "claude-code";
            model: string | null;
            base_url: string | null;
            /** @enum {string} */
            status: "queued" | "running" | "succeeded" | "failed" | "cancelled" | "timed_out";
            prompt: string;
            result: components["schemas"]["TaskResult"] | null;
            error: string | null;
            session_id: string | null;
            continue_from: string | null;
            /** @description The snapshot taken right before the agent started; POST …/undo restores it */
            checkpoint_id: string | null;
            /** @description Names of the task’s variables; values are never stored */
            env_names: string[];
            timeout_s: number;
            /** @description The provider key was put in the agent’s env (no gateway, no budgets) */
            key_in_sandbox: boolean;
            /** @description The task’s token budget; the agent is stopped past it */
            max_tokens_total: number | null;
            /** @description The task’s cost budget in USD */
            max_cost_usd: number | null;
            /** @description What the model gateway counted so far (live while the task runs); null for key_in_sandbox tasks */
            usage: components["schemas"]["Usage"] | null;
            /** Format: date-time */
            created_at: string;
            started_at: string | null;
            ended_at: string | null;
            events_url: string;
        };
        TaskCompletedEvent: {
            /** @constant */
            type: "task.completed";
            /** @constant */
            status: "succeeded";
            result: components["schemas"]["TaskResult"];
            seq: number;
            /** Format: date-time */
            ts: string;
            raw: unknown;
        };
        /**
         * @description One event of a task, the `data` of one SSE message (its `id` is `seq`)
         * @example {
         *       "seq": 2,
         *       "ts": "2025-01-01T12:00:05.000Z",
         *       "type": "agent.message",
         *       "text": "I will create index.html.",
         *       "raw": {
         *         "type": "assistant"
         *       }
         *     }
         */
        TaskEvent: components["schemas"]["TaskStartedEvent"] | components["schemas"]["AgentMessageEvent"] | components["schemas"]["ToolStartedEvent"] | components["schemas"]["ToolCompletedEvent"] | components["schemas"]["FileChangedEvent"] | components["schemas"]["UsageEvent"] | components["schemas"]["TaskCompletedEvent"] | components["schemas"]["TaskFailedEvent"];
        TaskFailedEvent: {
            /** @constant */
            type: "task.failed";
            /** @enum {string} */
            status: "failed" | "cancelled" | "timed_out";
            reason: string;
            result: components["schemas"]["TaskResult"];
            seq: number;
            /** Format: date-time */
            ts: string;
            raw: unknown;
        };
        /** @description An agent task failed, was cancelled or timed out */
        TaskFailedLifecycleEvent: {
            /** @constant */
            type: "task.failed";
            /** @description Monotonic; the SSE id, and what Last-Event-ID resumes after */
            id: number;
            /** Format: date-time */
            time: string;
            sandbox_id: string;
            /** @description The sandbox’s metadata when the event happened */
            metadata: {
                [key: string]: string;
            };
            task_id: string;
            agent: string;
            /** @enum {string} */
            status: "failed" | "cancelled" | "timed_out";
            reason: string | null;
        };
        /**
         * @example {
         *       "tasks": [
         *         {
         *           "id": "01jh6x0q3c4v5b6n7m8k9j0h1g",
         *           "sandbox_id": "demo",
         *           "agent": "claude-code",
         *           "model": "claude-sonnet-4-5",
         *           "base_url": null,
         *           "status": "succeeded",
         *           "prompt": "create index.html that says hello",
         *           "result": {
         *             "text": "Created index.html.",
         *             "files_changed": [
         *               "index.html"
         *             ],
         *             "files_changed_truncated": false,
         *             "usage": {
         *               "input_tokens": 1200,
         *               "output_tokens": 85,
         *               "cost_usd": 0.0049
         *             }
         *           },
         *           "error": null,
         *           "session_id": "b8f1c3e2-…",
         *           "continue_from": null,
         *           "checkpoint_id": "01jh6x0q2b3c4d5e6f7g8h9j0k",
         *           "env_names": [
         *             "ANTHROPIC_API_KEY"
         *           ],
         *           "timeout_s": 1800,
         *           "key_in_sandbox": false,
         *           "max_tokens_total": null,
         *           "max_cost_usd": null,
         *           "usage": {
         *             "input_tokens": 1200,
         *             "output_tokens": 85,
         *             "cost_usd": 0.0049
         *           },
         *           "created_at": "2025-01-01T12:00:00.000Z",
         *           "started_at": "2025-01-01T12:00:01.000Z",
         *           "ended_at": "2025-01-01T12:00:40.000Z",
         *           "events_url": "/v1/sandboxes/demo/tasks/01jh6x0q3c4v5b6n7m8k9j0h1g/events"
         *         }
         *       ],
         *       "count": 1,
         *       "next_cursor": null
         *     }
         */
        TaskList: {
            tasks: components["schemas"]["Task"][];
            count: number;
            /** @description Pass as ?cursor= for the next page; null: this was the last */
            next_cursor: string | null;
        };
        TaskResult: {
            /** @description The agent’s final answer */
            text: string;
            files_changed: string[];
            /** @description More files changed than files_changed lists */
            files_changed_truncated?: boolean;
            usage: components["schemas"]["Usage"];
        };
        TaskStartedEvent: {
            /** @constant */
            type: "task.started";
            /** @enum {string} */
            agent: "opencode" | "claude-code";
            model: string | null;
            continue_from: string | null;
            seq: number;
            /** Format: date-time */
            ts: string;
            raw: unknown;
        };
        /** @description An agent task started */
        TaskStartedLifecycleEvent: {
            /** @constant */
            type: "task.started";
            /** @description Monotonic; the SSE id, and what Last-Event-ID resumes after */
            id: number;
            /** Format: date-time */
            time: string;
            sandbox_id: string;
            /** @description The sandbox’s metadata when the event happened */
            metadata: {
                [key: string]: string;
            };
            task_id: string;
            agent: string;
        };
        /** @description An agent task succeeded */
        TaskSucceededLifecycleEvent: {
            /** @constant */
            type: "task.succeeded";
            /** @description Monotonic; the SSE id, and what Last-Event-ID resumes after */
            id: number;
            /** Format: date-time */
            time: string;
            sandbox_id: string;
            /** @description The sandbox’s metadata when the event happened */
            metadata: {
                [key: string]: string;
            };
            task_id: string;
            agent: string;
            /** @constant */
            status: "succeeded";
        };
        TaskUndone: {
            sandbox: components["schemas"]["Sandbox"];
            task_id: string;
            saved_as: components["schemas"]["Snapshot"];
        };
        /**
         * @description A terminal session
         * @example {
         *       "id": "01jh6x0q3c4v5b6n7m8k9j0h1g",
         *       "sandbox_id": "demo",
         *       "cmd": [
         *         "bash",
         *         "-l"
         *       ],
         *       "cols": 120,
         *       "rows": 40,
         *       "created_at": "2025-01-01T12:00:00.000Z",
         *       "viewers": 1,
         *       "start": 0,
         *       "end": 5120,
         *       "exited": false,
         *       "exit_code": null,
         *       "attach_url": "/v1/sandboxes/demo/pty/01jh6x0q3c4v5b6n7m8k9j0h1g"
         *     }
         */
        Terminal: {
            id: string;
            sandbox_id: string;
            cmd: string[];
            cols: number;
            rows: number;
            /** Format: date-time */
            created_at: string;
            /** @description WebSockets attached now */
            viewers: number;
            /** @description Offset of the oldest output byte the buffer still holds */
            start: number;
            /** @description Offset just past the newest output byte */
            end: number;
            exited: boolean;
            exit_code: number | null;
            /** @description Attach over WebSocket here (add ?since=<offset> to replay from there) */
            attach_url: string;
        };
        /**
         * @description The session as it ended
         * @example {
         *       "id": "01jh6x0q3c4v5b6n7m8k9j0h1g",
         *       "sandbox_id": "demo",
         *       "cmd": [
         *         "bash",
         *         "-l"
         *       ],
         *       "cols": 120,
         *       "rows": 40,
         *       "created_at": "2025-01-01T12:00:00.000Z",
         *       "viewers": 0,
         *       "start": 0,
         *       "end": 5120,
         *       "exited": true,
         *       "exit_code": 129,
         *       "attach_url": "/v1/sandboxes/demo/pty/01jh6x0q3c4v5b6n7m8k9j0h1g",
         *       "ended": true
         *     }
         */
        TerminalEnded: {
            id: string;
            sandbox_id: string;
            cmd: string[];
            cols: number;
            rows: number;
            /** Format: date-time */
            created_at: string;
            /** @description WebSockets attached now */
            viewers: number;
            /** @description Offset of the oldest output byte the buffer still holds */
            start: number;
            /** @description Offset just past the newest output byte */
            end: number;
            exited: boolean;
            exit_code: number | null;
            /** @description Attach over WebSocket here (add ?since=<offset> to replay from there) */
            attach_url: string;
            /** @constant */
            ended: true;
        };
        /**
         * @example {
         *       "sessions": [
         *         {
         *           "id": "01jh6x0q3c4v5b6n7m8k9j0h1g",
         *           "sandbox_id": "demo",
         *           "cmd": [
         *             "bash",
         *             "-l"
         *           ],
         *           "cols": 120,
         *           "rows": 40,
         *           "created_at": "2025-01-01T12:00:00.000Z",
         *           "viewers": 1,
         *           "start": 0,
         *           "end": 5120,
         *           "exited": false,
         *           "exit_code": null,
         *           "attach_url": "/v1/sandboxes/demo/pty/01jh6x0q3c4v5b6n7m8k9j0h1g"
         *         }
         *       ],
         *       "count": 1
         *     }
         */
        TerminalList: {
            sessions: components["schemas"]["Terminal"][];
            count: number;
        };
        ToolCompletedEvent: {
            /** @constant */
            type: "tool.completed";
            tool_call_id: string;
            name: string;
            input: unknown;
            /** @description At most 2000 characters */
            output: string;
            /** @enum {string} */
            status: "ok" | "error";
            seq: number;
            /** Format: date-time */
            ts: string;
            raw: unknown;
        };
        ToolStartedEvent: {
            /** @constant */
            type: "tool.started";
            tool_call_id: string;
            name: string;
            input: unknown;
            seq: number;
            /** Format: date-time */
            ts: string;
            raw: unknown;
        };
        UndoTaskInput: {
            force?: boolean;
        };
        UpdateSandboxInput: {
            /** @enum {string} */
            idle_policy?: "sleep" | "always_on";
            /** @enum {string} */
            visibility?: "public" | "private";
            services?: components["schemas"]["ServiceSpecInput"][];
            metadata?: components["schemas"]["MetadataPatchInput"];
            /** @description Deleted this many seconds after create; 0: never. Default and maximum: SANDBOXD_DEFAULT_TTL_SECONDS, SANDBOXD_MAX_TTL_SECONDS */
            ttl_s?: number;
            /** @description Deleted once stopped and unused this many seconds; 0: never. Default and maximum: SANDBOXD_DEFAULT_AUTO_DELETE_AFTER_IDLE_SECONDS, SANDBOXD_MAX_AUTO_DELETE_AFTER_IDLE_SECONDS */
            auto_delete_after_idle_s?: number;
            /** @description An expiry purges (workspace and snapshots gone) instead of keeping the workspace like DELETE */
            purge_on_expiry?: boolean;
            egress?: components["schemas"]["EgressPolicyInput"] | null;
        };
        UpdateSnapshotInput: {
            template: boolean;
        };
        /** @description Model tokens and cost */
        Usage: {
            input_tokens: number;
            output_tokens: number;
            cost_usd: number;
        };
        UsageEvent: {
            /** @constant */
            type: "usage";
            input_tokens: number;
            output_tokens: number;
            cost_usd: number;
            seq: number;
            /** Format: date-time */
            ts: string;
            raw: unknown;
        };
        /** @description A preview request could not wake it for now (memory, disk); said at most once a minute per sandbox */
        WakeRefusedEvent: {
            /** @constant */
            type: "wake.refused";
            /** @description Monotonic; the SSE id, and what Last-Event-ID resumes after */
            id: number;
            /** Format: date-time */
            time: string;
            sandbox_id: string;
            /** @description The sandbox’s metadata when the event happened */
            metadata: {
                [key: string]: string;
            };
            port: number;
            reason: string;
            error: string;
            retry_after_s: number;
        };
        /**
         * @example {
         *       "id": 7,
         *       "webhook": "billing",
         *       "event_id": 42,
         *       "event_type": "sandbox.stopped",
         *       "sandbox_id": "demo",
         *       "status": "pending",
         *       "attempts": 2,
         *       "next_attempt_at": "2025-01-01T12:35:04.000Z",
         *       "created_at": "2025-01-01T12:35:00.000Z",
         *       "updated_at": "2025-01-01T12:35:02.000Z",
         *       "last_status": 503,
         *       "last_error": "answered 503: busy"
         *     }
         */
        WebhookDelivery: {
            id: number;
            /** @description The webhook’s name in SANDBOXD_WEBHOOKS (its URL and secret are never shown) */
            webhook: string;
            event_id: number;
            event_type: string;
            sandbox_id: string;
            /**
             * @description failed: given up (retried for SANDBOXD_WEBHOOK_RETRY_SECONDS, or the queue was full)
             * @enum {string}
             */
            status: "pending" | "delivered" | "failed";
            attempts: number;
            /** @description When a pending one is tried next */
            next_attempt_at: string | null;
            /** Format: date-time */
            created_at: string;
            /** Format: date-time */
            updated_at: string;
            /** @description The receiver’s HTTP status at the last attempt; null: none (refused, timed out) */
            last_status: number | null;
            last_error: string | null;
        };
        /**
         * @description Newest first
         * @example {
         *       "deliveries": [
         *         {
         *           "id": 7,
         *           "webhook": "billing",
         *           "event_id": 42,
         *           "event_type": "sandbox.stopped",
         *           "sandbox_id": "demo",
         *           "status": "pending",
         *           "attempts": 2,
         *           "next_attempt_at": "2025-01-01T12:35:04.000Z",
         *           "created_at": "2025-01-01T12:35:00.000Z",
         *           "updated_at": "2025-01-01T12:35:02.000Z",
         *           "last_status": 503,
         *           "last_error": "answered 503: busy"
         *         }
         *       ],
         *       "count": 1,
         *       "next_cursor": null
         *     }
         */
        WebhookDeliveryList: {
            deliveries: components["schemas"]["WebhookDelivery"][];
            count: number;
            /** @description Pass as ?cursor= for the next (older) page; null on the last one */
            next_cursor: string | null;
        };
        WriteFileInput: {
            path: string;
            content: string;
            append?: boolean;
            /**
             * @default utf8
             * @enum {string}
             */
            encoding?: "utf8" | "base64";
            mode?: string | number;
        };
    };
    responses: {
        /** @description The Docker engine failed; the message keeps its words */
        BadGateway: {
            headers: {
                /** @description This request’s id; the daemon’s log lines for it carry it as reqId */
                "x-request-id"?: string;
                [name: string]: unknown;
            };
            content: {
                /**
                 * @example {
                 *       "error": "docker create: No such image: sandboxed/sandbox:latest"
                 *     }
                 */
                "application/json": components["schemas"]["Error"];
            };
        };
        /** @description Invalid request: the message names the field */
        BadRequest: {
            headers: {
                /** @description This request’s id; the daemon’s log lines for it carry it as reqId */
                "x-request-id"?: string;
                [name: string]: unknown;
            };
            content: {
                /**
                 * @example {
                 *       "error": "body.ports: ports must be unique"
                 *     }
                 */
                "application/json": components["schemas"]["Error"];
            };
        };
        /** @description Conflicts with the current state */
        Conflict: {
            headers: {
                /** @description This request’s id; the daemon’s log lines for it carry it as reqId */
                "x-request-id"?: string;
                [name: string]: unknown;
            };
            content: {
                /**
                 * @example {
                 *       "error": "sandbox demo already exists"
                 *     }
                 */
                "application/json": components["schemas"]["Error"];
            };
        };
        /** @description A browser request from an origin not in SANDBOXD_API_ALLOWED_ORIGINS, or a token without admin on an operator route */
        Forbidden: {
            headers: {
                /** @description This request’s id; the daemon’s log lines for it carry it as reqId */
                "x-request-id"?: string;
                [name: string]: unknown;
            };
            content: {
                /**
                 * @example {
                 *       "error": "origin \"https://evil.example\" may not call this API; allow it in SANDBOXD_API_ALLOWED_ORIGINS"
                 *     }
                 */
                "application/json": components["schemas"]["Error"];
            };
        };
        /** @description Internal error; the daemon log has the details under this request’s id */
        InternalError: {
            headers: {
                /** @description This request’s id; the daemon’s log lines for it carry it as reqId */
                "x-request-id"?: string;
                [name: string]: unknown;
            };
            content: {
                /**
                 * @example {
                 *       "error": "internal error; see the daemon log"
                 *     }
                 */
                "application/json": components["schemas"]["Error"];
            };
        };
        /** @description The Host header does not name this API (SANDBOXD_API_HOSTNAMES) */
        MisdirectedRequest: {
            headers: {
                /** @description This request’s id; the daemon’s log lines for it carry it as reqId */
                "x-request-id"?: string;
                [name: string]: unknown;
            };
            content: {
                /**
                 * @example {
                 *       "error": "host \"rebind.example:9090\" is not a name of this API; add it to SANDBOXD_API_HOSTNAMES if it is one"
                 *     }
                 */
                "application/json": components["schemas"]["Error"];
            };
        };
        /** @description No such sandbox, task, file or route (another token’s sandbox is not found either) */
        NotFound: {
            headers: {
                /** @description This request’s id; the daemon’s log lines for it carry it as reqId */
                "x-request-id"?: string;
                [name: string]: unknown;
            };
            content: {
                /**
                 * @example {
                 *       "error": "sandbox demo not found"
                 *     }
                 */
                "application/json": components["schemas"]["Error"];
            };
        };
        /** @description The body or the file is larger than allowed */
        PayloadTooLarge: {
            headers: {
                /** @description This request’s id; the daemon’s log lines for it carry it as reqId */
                "x-request-id"?: string;
                [name: string]: unknown;
            };
            content: {
                /**
                 * @example {
                 *       "error": "file is larger than SANDBOXD_MAX_FILE_BYTES (52428800)"
                 *     }
                 */
                "application/json": components["schemas"]["Error"];
            };
        };
        /** @description Refused for now (memory, disk, network isolation): retry after Retry-After seconds */
        ServiceUnavailable: {
            headers: {
                /** @description This request’s id; the daemon’s log lines for it carry it as reqId */
                "x-request-id"?: string;
                /** @description Seconds to wait before trying again */
                "retry-after"?: string;
                [name: string]: unknown;
            };
            content: {
                /**
                 * @example {
                 *       "error": "not enough memory to start sandbox demo: 300 MiB available, 768 MiB needed; retry later"
                 *     }
                 */
                "application/json": components["schemas"]["Error"];
            };
        };
        /** @description A cap is reached (terminal sessions, viewers of one) or a token quota (the message names it): end something first */
        TooManyRequests: {
            headers: {
                /** @description This request’s id; the daemon’s log lines for it carry it as reqId */
                "x-request-id"?: string;
                [name: string]: unknown;
            };
            content: {
                /**
                 * @example {
                 *       "error": "sandbox demo has 8 terminal sessions, the most SANDBOXD_PTY_MAX_PER_SANDBOX allows; end one first"
                 *     }
                 */
                "application/json": components["schemas"]["Error"];
            };
        };
        /** @description No bearer token, or a wrong one (when the daemon has SANDBOXD_API_TOKENS) */
        Unauthorized: {
            headers: {
                /** @description This request’s id; the daemon’s log lines for it carry it as reqId */
                "x-request-id"?: string;
                /** @description `Bearer` */
                "www-authenticate"?: string;
                [name: string]: unknown;
            };
            content: {
                /**
                 * @example {
                 *       "error": "missing or invalid bearer token"
                 *     }
                 */
                "application/json": components["schemas"]["Error"];
            };
        };
        /** @description The body is not JSON (or bytes, where an upload takes them) */
        UnsupportedMediaType: {
            headers: {
                /** @description This request’s id; the daemon’s log lines for it carry it as reqId */
                "x-request-id"?: string;
                [name: string]: unknown;
            };
            content: {
                /**
                 * @example {
                 *       "error": "content type \"text/plain\" is not accepted; send JSON with content-type: application/json"
                 *     }
                 */
                "application/json": components["schemas"]["Error"];
            };
        };
    };
    parameters: never;
    requestBodies: never;
    headers: never;
    pathItems: never;
}
export type $defs = Record<string, never>;
export interface operations {
    getHealth: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    /** @description This request’s id; the daemon’s log lines for it carry it as reqId */
                    "x-request-id"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Health"];
                };
            };
            403: components["responses"]["Forbidden"];
            421: components["responses"]["MisdirectedRequest"];
            500: components["responses"]["InternalError"];
        };
    };
    getReadiness: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    /** @description This request’s id; the daemon’s log lines for it carry it as reqId */
                    "x-request-id"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Ready"];
                };
            };
            403: components["responses"]["Forbidden"];
            421: components["responses"]["MisdirectedRequest"];
            500: components["responses"]["InternalError"];
            503: components["responses"]["ServiceUnavailable"];
        };
    };
    getOpenApiDocument: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description This document (OpenAPI 3.1) */
            200: {
                headers: {
                    /** @description This request’s id; the daemon’s log lines for it carry it as reqId */
                    "x-request-id"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["OpenApiDocument"];
                };
            };
            403: components["responses"]["Forbidden"];
            421: components["responses"]["MisdirectedRequest"];
            500: components["responses"]["InternalError"];
        };
    };
    reconcile: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description What one reconcile pass did */
            200: {
                headers: {
                    /** @description This request’s id; the daemon’s log lines for it carry it as reqId */
                    "x-request-id"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ReconcileResult"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            413: components["responses"]["PayloadTooLarge"];
            415: components["responses"]["UnsupportedMediaType"];
            421: components["responses"]["MisdirectedRequest"];
            500: components["responses"]["InternalError"];
            502: components["responses"]["BadGateway"];
            503: components["responses"]["ServiceUnavailable"];
        };
    };
    getMetrics: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Prometheus text exposition (version 0.0.4): sandboxed_* metrics and Node’s process_*\/nodejs_* ones */
            200: {
                headers: {
                    /** @description This request’s id; the daemon’s log lines for it carry it as reqId */
                    "x-request-id"?: string;
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example # TYPE sandboxed_sandboxes gauge
                     *     sandboxed_sandboxes{status="running"} 3
                     */
                    "text/plain": string;
                };
            };
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            421: components["responses"]["MisdirectedRequest"];
            500: components["responses"]["InternalError"];
        };
    };
    listSandboxes: {
        parameters: {
            query?: {
                /** @description Only sandboxes with this status */
                status?: "running" | "starting" | "stopping" | "stopped" | "error";
                /** @description At most this many items (1-1000; 100 when only a cursor is given). Without limit and cursor: every item */
                limit?: number;
                /** @description The next_cursor of the previous page */
                cursor?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    /** @description This request’s id; the daemon’s log lines for it carry it as reqId */
                    "x-request-id"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["SandboxList"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            421: components["responses"]["MisdirectedRequest"];
            500: components["responses"]["InternalError"];
        };
    };
    createSandbox: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: {
            content: {
                "application/json": components["schemas"]["CreateSandboxInput"];
            };
        };
        responses: {
            /** @description A sandbox */
            201: {
                headers: {
                    /** @description This request’s id; the daemon’s log lines for it carry it as reqId */
                    "x-request-id"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Sandbox"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            413: components["responses"]["PayloadTooLarge"];
            415: components["responses"]["UnsupportedMediaType"];
            421: components["responses"]["MisdirectedRequest"];
            429: components["responses"]["TooManyRequests"];
            500: components["responses"]["InternalError"];
            502: components["responses"]["BadGateway"];
            503: components["responses"]["ServiceUnavailable"];
        };
    };
    getSandbox: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description A sandbox */
            200: {
                headers: {
                    /** @description This request’s id; the daemon’s log lines for it carry it as reqId */
                    "x-request-id"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Sandbox"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            421: components["responses"]["MisdirectedRequest"];
            500: components["responses"]["InternalError"];
        };
    };
    deleteSandbox: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    /** @description This request’s id; the daemon’s log lines for it carry it as reqId */
                    "x-request-id"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["SandboxDeleted"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            413: components["responses"]["PayloadTooLarge"];
            415: components["responses"]["UnsupportedMediaType"];
            421: components["responses"]["MisdirectedRequest"];
            500: components["responses"]["InternalError"];
            502: components["responses"]["BadGateway"];
        };
    };
    updateSandbox: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["UpdateSandboxInput"];
            };
        };
        responses: {
            /** @description A sandbox */
            200: {
                headers: {
                    /** @description This request’s id; the daemon’s log lines for it carry it as reqId */
                    "x-request-id"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Sandbox"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            413: components["responses"]["PayloadTooLarge"];
            415: components["responses"]["UnsupportedMediaType"];
            421: components["responses"]["MisdirectedRequest"];
            500: components["responses"]["InternalError"];
            502: components["responses"]["BadGateway"];
            503: components["responses"]["ServiceUnavailable"];
        };
    };
    purgeSandbox: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    /** @description This request’s id; the daemon’s log lines for it carry it as reqId */
                    "x-request-id"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["SandboxPurged"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            413: components["responses"]["PayloadTooLarge"];
            415: components["responses"]["UnsupportedMediaType"];
            421: components["responses"]["MisdirectedRequest"];
            500: components["responses"]["InternalError"];
            502: components["responses"]["BadGateway"];
        };
    };
    keepaliveSandbox: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description A sandbox */
            200: {
                headers: {
                    /** @description This request’s id; the daemon’s log lines for it carry it as reqId */
                    "x-request-id"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Sandbox"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            413: components["responses"]["PayloadTooLarge"];
            415: components["responses"]["UnsupportedMediaType"];
            421: components["responses"]["MisdirectedRequest"];
            500: components["responses"]["InternalError"];
        };
    };
    stopSandbox: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description A sandbox */
            200: {
                headers: {
                    /** @description This request’s id; the daemon’s log lines for it carry it as reqId */
                    "x-request-id"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Sandbox"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            413: components["responses"]["PayloadTooLarge"];
            415: components["responses"]["UnsupportedMediaType"];
            421: components["responses"]["MisdirectedRequest"];
            500: components["responses"]["InternalError"];
            502: components["responses"]["BadGateway"];
            503: components["responses"]["ServiceUnavailable"];
        };
    };
    startSandbox: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description A sandbox */
            200: {
                headers: {
                    /** @description This request’s id; the daemon’s log lines for it carry it as reqId */
                    "x-request-id"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Sandbox"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            413: components["responses"]["PayloadTooLarge"];
            415: components["responses"]["UnsupportedMediaType"];
            421: components["responses"]["MisdirectedRequest"];
            500: components["responses"]["InternalError"];
            502: components["responses"]["BadGateway"];
            503: components["responses"]["ServiceUnavailable"];
        };
    };
    execCommand: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["ExecInput"];
            };
        };
        responses: {
            /** @description The command’s result; or, with `stream: true` or `Accept: text/event-stream`, its output as SSE: `stdout`/`stderr` events, then `exit` */
            200: {
                headers: {
                    /** @description This request’s id; the daemon’s log lines for it carry it as reqId */
                    "x-request-id"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ExecResult"];
                    /**
                     * @example {
                     *       "text": "added 120 packages in 9s\n"
                     *     }
                     */
                    "text/event-stream": components["schemas"]["ExecEvent"];
                };
            };
            /** @description Accepted: runs on in the background */
            202: {
                headers: {
                    /** @description This request’s id; the daemon’s log lines for it carry it as reqId */
                    "x-request-id"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["BackgroundExec"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            413: components["responses"]["PayloadTooLarge"];
            415: components["responses"]["UnsupportedMediaType"];
            421: components["responses"]["MisdirectedRequest"];
            500: components["responses"]["InternalError"];
            502: components["responses"]["BadGateway"];
            503: components["responses"]["ServiceUnavailable"];
        };
    };
    listFiles: {
        parameters: {
            query?: {
                path?: string;
                recursive?: "0" | "1" | "true" | "false" | "";
                limit?: number;
                max_depth?: number;
                cursor?: string;
            };
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    /** @description This request’s id; the daemon’s log lines for it carry it as reqId */
                    "x-request-id"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["FileListing"] | components["schemas"]["FileContent"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            413: components["responses"]["PayloadTooLarge"];
            421: components["responses"]["MisdirectedRequest"];
            500: components["responses"]["InternalError"];
            503: components["responses"]["ServiceUnavailable"];
        };
    };
    writeFile: {
        parameters: {
            query?: {
                /** @description Where an application/octet-stream body goes */
                path?: string;
                append?: "0" | "1" | "true" | "false" | "";
                mode?: string;
            };
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["WriteFileInput"];
                "application/octet-stream": string;
            };
        };
        responses: {
            /** @description OK */
            200: {
                headers: {
                    /** @description This request’s id; the daemon’s log lines for it carry it as reqId */
                    "x-request-id"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["FileWritten"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            413: components["responses"]["PayloadTooLarge"];
            415: components["responses"]["UnsupportedMediaType"];
            421: components["responses"]["MisdirectedRequest"];
            500: components["responses"]["InternalError"];
            503: components["responses"]["ServiceUnavailable"];
        };
    };
    deleteFile: {
        parameters: {
            query?: {
                path?: string;
                recursive?: "0" | "1" | "true" | "false" | "";
            };
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    /** @description This request’s id; the daemon’s log lines for it carry it as reqId */
                    "x-request-id"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["FileDeleted"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            413: components["responses"]["PayloadTooLarge"];
            415: components["responses"]["UnsupportedMediaType"];
            421: components["responses"]["MisdirectedRequest"];
            500: components["responses"]["InternalError"];
            503: components["responses"]["ServiceUnavailable"];
        };
    };
    readFile: {
        parameters: {
            query?: {
                path?: string;
                encoding?: "utf8" | "base64";
            };
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The file: its bytes with a content type from its name, or JSON with ?encoding= */
            200: {
                headers: {
                    /** @description This request’s id; the daemon’s log lines for it carry it as reqId */
                    "x-request-id"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["FileContent"];
                    "*/*": string;
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            413: components["responses"]["PayloadTooLarge"];
            421: components["responses"]["MisdirectedRequest"];
            500: components["responses"]["InternalError"];
            503: components["responses"]["ServiceUnavailable"];
        };
    };
    downloadFile: {
        parameters: {
            query?: {
                path?: string;
            };
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The file’s bytes, as an attachment */
            200: {
                headers: {
                    /** @description This request’s id; the daemon’s log lines for it carry it as reqId */
                    "x-request-id"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/octet-stream": string;
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            413: components["responses"]["PayloadTooLarge"];
            421: components["responses"]["MisdirectedRequest"];
            500: components["responses"]["InternalError"];
            503: components["responses"]["ServiceUnavailable"];
        };
    };
    uploadFile: {
        parameters: {
            query: {
                path: string;
                append?: "0" | "1" | "true" | "false" | "";
                mode?: string;
            };
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/octet-stream": string;
            };
        };
        responses: {
            /** @description OK */
            200: {
                headers: {
                    /** @description This request’s id; the daemon’s log lines for it carry it as reqId */
                    "x-request-id"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["FileWritten"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            413: components["responses"]["PayloadTooLarge"];
            415: components["responses"]["UnsupportedMediaType"];
            421: components["responses"]["MisdirectedRequest"];
            500: components["responses"]["InternalError"];
            503: components["responses"]["ServiceUnavailable"];
        };
    };
    makeDirectory: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["MakeDirectoryInput"];
            };
        };
        responses: {
            /** @description OK */
            200: {
                headers: {
                    /** @description This request’s id; the daemon’s log lines for it carry it as reqId */
                    "x-request-id"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["DirectoryMade"];
                };
            };
            /** @description Created */
            201: {
                headers: {
                    /** @description This request’s id; the daemon’s log lines for it carry it as reqId */
                    "x-request-id"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["DirectoryMade"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            413: components["responses"]["PayloadTooLarge"];
            415: components["responses"]["UnsupportedMediaType"];
            421: components["responses"]["MisdirectedRequest"];
            500: components["responses"]["InternalError"];
            503: components["responses"]["ServiceUnavailable"];
        };
    };
    getServices: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    /** @description This request’s id; the daemon’s log lines for it carry it as reqId */
                    "x-request-id"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Services"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            421: components["responses"]["MisdirectedRequest"];
            500: components["responses"]["InternalError"];
        };
    };
    setServices: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["SetServicesInput"];
            };
        };
        responses: {
            /** @description OK */
            200: {
                headers: {
                    /** @description This request’s id; the daemon’s log lines for it carry it as reqId */
                    "x-request-id"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Services"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            413: components["responses"]["PayloadTooLarge"];
            415: components["responses"]["UnsupportedMediaType"];
            421: components["responses"]["MisdirectedRequest"];
            500: components["responses"]["InternalError"];
            502: components["responses"]["BadGateway"];
            503: components["responses"]["ServiceUnavailable"];
        };
    };
    createPreviewToken: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: {
            content: {
                "application/json": components["schemas"]["CreatePreviewTokenInput"];
            };
        };
        responses: {
            /** @description OK */
            200: {
                headers: {
                    /** @description This request’s id; the daemon’s log lines for it carry it as reqId */
                    "x-request-id"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["PreviewToken"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            413: components["responses"]["PayloadTooLarge"];
            415: components["responses"]["UnsupportedMediaType"];
            421: components["responses"]["MisdirectedRequest"];
            500: components["responses"]["InternalError"];
        };
    };
    rotatePreviewTokens: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    /** @description This request’s id; the daemon’s log lines for it carry it as reqId */
                    "x-request-id"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["PreviewTokensRotated"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            413: components["responses"]["PayloadTooLarge"];
            415: components["responses"]["UnsupportedMediaType"];
            421: components["responses"]["MisdirectedRequest"];
            500: components["responses"]["InternalError"];
        };
    };
    listTasks: {
        parameters: {
            query?: {
                /** @description At most this many items (1-1000; 100 when only a cursor is given). Without limit and cursor: every item */
                limit?: number;
                /** @description The next_cursor of the previous page */
                cursor?: string;
            };
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    /** @description This request’s id; the daemon’s log lines for it carry it as reqId */
                    "x-request-id"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["TaskList"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            421: components["responses"]["MisdirectedRequest"];
            500: components["responses"]["InternalError"];
        };
    };
    createTask: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["CreateTaskInput"];
            };
        };
        responses: {
            /** @description An agent run in a sandbox */
            202: {
                headers: {
                    /** @description This request’s id; the daemon’s log lines for it carry it as reqId */
                    "x-request-id"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Task"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            413: components["responses"]["PayloadTooLarge"];
            415: components["responses"]["UnsupportedMediaType"];
            421: components["responses"]["MisdirectedRequest"];
            429: components["responses"]["TooManyRequests"];
            500: components["responses"]["InternalError"];
            502: components["responses"]["BadGateway"];
            503: components["responses"]["ServiceUnavailable"];
        };
    };
    getTask: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
                taskId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description An agent run in a sandbox */
            200: {
                headers: {
                    /** @description This request’s id; the daemon’s log lines for it carry it as reqId */
                    "x-request-id"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Task"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            421: components["responses"]["MisdirectedRequest"];
            500: components["responses"]["InternalError"];
        };
    };
    cancelTask: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
                taskId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description An agent run in a sandbox */
            200: {
                headers: {
                    /** @description This request’s id; the daemon’s log lines for it carry it as reqId */
                    "x-request-id"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Task"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            413: components["responses"]["PayloadTooLarge"];
            415: components["responses"]["UnsupportedMediaType"];
            421: components["responses"]["MisdirectedRequest"];
            500: components["responses"]["InternalError"];
            502: components["responses"]["BadGateway"];
        };
    };
    streamTaskEvents: {
        parameters: {
            query?: {
                /** @description Replay the events after this seq */
                after?: number;
            };
            header?: {
                /** @description The last seq seen; what a reconnecting EventSource sends. Wins over ?after= */
                "last-event-id"?: string;
            };
            path: {
                id: string;
                taskId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The task's events, one SSE message each */
            200: {
                headers: {
                    /** @description This request’s id; the daemon’s log lines for it carry it as reqId */
                    "x-request-id"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "text/event-stream": components["schemas"]["TaskEvent"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            421: components["responses"]["MisdirectedRequest"];
            500: components["responses"]["InternalError"];
        };
    };
    listSnapshots: {
        parameters: {
            query?: {
                /** @description At most this many items (1-1000; 100 when only a cursor is given). Without limit and cursor: every item */
                limit?: number;
                /** @description The next_cursor of the previous page */
                cursor?: string;
            };
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    /** @description This request’s id; the daemon’s log lines for it carry it as reqId */
                    "x-request-id"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["SnapshotList"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            421: components["responses"]["MisdirectedRequest"];
            500: components["responses"]["InternalError"];
        };
    };
    takeSnapshot: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: {
            content: {
                "application/json": components["schemas"]["TakeSnapshotInput"];
            };
        };
        responses: {
            /** @description A copy of a workspace */
            201: {
                headers: {
                    /** @description This request’s id; the daemon’s log lines for it carry it as reqId */
                    "x-request-id"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Snapshot"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            413: components["responses"]["PayloadTooLarge"];
            415: components["responses"]["UnsupportedMediaType"];
            421: components["responses"]["MisdirectedRequest"];
            500: components["responses"]["InternalError"];
            503: components["responses"]["ServiceUnavailable"];
        };
    };
    getSnapshot: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
                snap: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description A copy of a workspace */
            200: {
                headers: {
                    /** @description This request’s id; the daemon’s log lines for it carry it as reqId */
                    "x-request-id"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Snapshot"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            421: components["responses"]["MisdirectedRequest"];
            500: components["responses"]["InternalError"];
        };
    };
    deleteSnapshot: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
                snap: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    /** @description This request’s id; the daemon’s log lines for it carry it as reqId */
                    "x-request-id"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["SnapshotDeleted"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            413: components["responses"]["PayloadTooLarge"];
            415: components["responses"]["UnsupportedMediaType"];
            421: components["responses"]["MisdirectedRequest"];
            500: components["responses"]["InternalError"];
        };
    };
    updateSnapshot: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
                snap: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["UpdateSnapshotInput"];
            };
        };
        responses: {
            /** @description A copy of a workspace */
            200: {
                headers: {
                    /** @description This request’s id; the daemon’s log lines for it carry it as reqId */
                    "x-request-id"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Snapshot"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            413: components["responses"]["PayloadTooLarge"];
            415: components["responses"]["UnsupportedMediaType"];
            421: components["responses"]["MisdirectedRequest"];
            500: components["responses"]["InternalError"];
        };
    };
    restoreSnapshot: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
                snap: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    /** @description This request’s id; the daemon’s log lines for it carry it as reqId */
                    "x-request-id"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["SnapshotRestored"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            413: components["responses"]["PayloadTooLarge"];
            415: components["responses"]["UnsupportedMediaType"];
            421: components["responses"]["MisdirectedRequest"];
            500: components["responses"]["InternalError"];
            503: components["responses"]["ServiceUnavailable"];
        };
    };
    listTemplates: {
        parameters: {
            query?: {
                /** @description At most this many items (1-1000; 100 when only a cursor is given). Without limit and cursor: every item */
                limit?: number;
                /** @description The next_cursor of the previous page */
                cursor?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    /** @description This request’s id; the daemon’s log lines for it carry it as reqId */
                    "x-request-id"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["SnapshotList"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            421: components["responses"]["MisdirectedRequest"];
            500: components["responses"]["InternalError"];
        };
    };
    undoTask: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
                taskId: string;
            };
            cookie?: never;
        };
        requestBody?: {
            content: {
                "application/json": components["schemas"]["UndoTaskInput"];
            };
        };
        responses: {
            /** @description OK */
            200: {
                headers: {
                    /** @description This request’s id; the daemon’s log lines for it carry it as reqId */
                    "x-request-id"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["TaskUndone"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            413: components["responses"]["PayloadTooLarge"];
            415: components["responses"]["UnsupportedMediaType"];
            421: components["responses"]["MisdirectedRequest"];
            500: components["responses"]["InternalError"];
            503: components["responses"]["ServiceUnavailable"];
        };
    };
    listTerminals: {
        parameters: {
            query?: {
                cols?: number;
                rows?: number;
                cwd?: string;
                cmd?: string | string[];
            };
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /**
             * @description Switching Protocols: the connection becomes a WebSocket. A new session is started and this socket attached to it. Offer the subprotocol `sandboxed.pty.v1`. Binary frames carry the terminal's bytes both ways; text frames are JSON control messages:
             *     the client sends `resize` {cols, rows}, `signal` {name}, `ping`; the server sends `hello` first ({session, offset, end, missed, cols, rows}), then `size`, `exit` {code}, `error` {error}, `pong`.
             *     Close codes: 1000 the session ended, 1001 the daemon is stopping, 1009 a frame over 64 KiB, 4008 the viewer read too slowly, 4009 no answer to pings.
             *     A browser, which cannot send a header, may give the token as a subprotocol `sandboxed.token.<secret>` or as `?token=`. Everything refused is refused before the upgrade, as HTTP. See AGENTS.md, "Terminals".
             */
            101: {
                headers: {
                    /** @description This request’s id; the daemon’s log lines for it carry it as reqId */
                    "x-request-id"?: string;
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description OK */
            200: {
                headers: {
                    /** @description This request’s id; the daemon’s log lines for it carry it as reqId */
                    "x-request-id"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["TerminalList"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            421: components["responses"]["MisdirectedRequest"];
            429: components["responses"]["TooManyRequests"];
            500: components["responses"]["InternalError"];
            502: components["responses"]["BadGateway"];
            503: components["responses"]["ServiceUnavailable"];
        };
    };
    createTerminal: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: {
            content: {
                "application/json": components["schemas"]["CreateTerminalInput"];
            };
        };
        responses: {
            /** @description A terminal session */
            201: {
                headers: {
                    /** @description This request’s id; the daemon’s log lines for it carry it as reqId */
                    "x-request-id"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Terminal"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            413: components["responses"]["PayloadTooLarge"];
            415: components["responses"]["UnsupportedMediaType"];
            421: components["responses"]["MisdirectedRequest"];
            429: components["responses"]["TooManyRequests"];
            500: components["responses"]["InternalError"];
            502: components["responses"]["BadGateway"];
            503: components["responses"]["ServiceUnavailable"];
        };
    };
    getTerminal: {
        parameters: {
            query?: {
                /** @description WebSocket: replay the output from this byte offset */
                since?: number;
            };
            header?: never;
            path: {
                id: string;
                session: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /**
             * @description Switching Protocols: the connection becomes a WebSocket. This socket is attached to the session; output replays from ?since= (default: all the buffer holds). Offer the subprotocol `sandboxed.pty.v1`. Binary frames carry the terminal's bytes both ways; text frames are JSON control messages:
             *     the client sends `resize` {cols, rows}, `signal` {name}, `ping`; the server sends `hello` first ({session, offset, end, missed, cols, rows}), then `size`, `exit` {code}, `error` {error}, `pong`.
             *     Close codes: 1000 the session ended, 1001 the daemon is stopping, 1009 a frame over 64 KiB, 4008 the viewer read too slowly, 4009 no answer to pings.
             *     A browser, which cannot send a header, may give the token as a subprotocol `sandboxed.token.<secret>` or as `?token=`. Everything refused is refused before the upgrade, as HTTP. See AGENTS.md, "Terminals".
             */
            101: {
                headers: {
                    /** @description This request’s id; the daemon’s log lines for it carry it as reqId */
                    "x-request-id"?: string;
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description A terminal session */
            200: {
                headers: {
                    /** @description This request’s id; the daemon’s log lines for it carry it as reqId */
                    "x-request-id"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Terminal"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            421: components["responses"]["MisdirectedRequest"];
            429: components["responses"]["TooManyRequests"];
            500: components["responses"]["InternalError"];
        };
    };
    deleteTerminal: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
                session: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The session as it ended */
            200: {
                headers: {
                    /** @description This request’s id; the daemon’s log lines for it carry it as reqId */
                    "x-request-id"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["TerminalEnded"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            413: components["responses"]["PayloadTooLarge"];
            415: components["responses"]["UnsupportedMediaType"];
            421: components["responses"]["MisdirectedRequest"];
            500: components["responses"]["InternalError"];
            502: components["responses"]["BadGateway"];
        };
    };
    getExecLogs: {
        parameters: {
            query?: {
                /** @description Stream the log live as SSE */
                follow?: "0" | "1" | "true" | "false";
                /** @description Size of the tail (default 64 KiB); with follow, where a stream without a cursor starts */
                bytes?: number;
                /** @description With follow: resume from this byte offset (Last-Event-ID wins) */
                since?: number;
            };
            header?: {
                /** @description With follow: the byte offset to resume from (a reconnecting EventSource sends it) */
                "last-event-id"?: string;
            };
            path: {
                id: string;
                execId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The log’s tail as text (headers `x-log-start` and `x-log-size` give its byte offsets); with `?follow=1`, SSE: `log` events as the file grows (resume with `Last-Event-ID` or `?since=`) */
            200: {
                headers: {
                    /** @description This request’s id; the daemon’s log lines for it carry it as reqId */
                    "x-request-id"?: string;
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example building
                     *     built
                     */
                    "text/plain": string;
                    /**
                     * @example {
                     *       "offset": 0,
                     *       "text": "building\n"
                     *     }
                     */
                    "text/event-stream": components["schemas"]["LogEvent"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            421: components["responses"]["MisdirectedRequest"];
            500: components["responses"]["InternalError"];
            503: components["responses"]["ServiceUnavailable"];
        };
    };
    getServiceLogs: {
        parameters: {
            query?: {
                /** @description Stream the log live as SSE */
                follow?: "0" | "1" | "true" | "false";
                /** @description Size of the tail (default 64 KiB); with follow, where a stream without a cursor starts */
                bytes?: number;
                /** @description With follow: resume from this byte offset (Last-Event-ID wins) */
                since?: number;
            };
            header?: {
                /** @description With follow: the byte offset to resume from (a reconnecting EventSource sends it) */
                "last-event-id"?: string;
            };
            path: {
                id: string;
                name: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The log’s tail as text (headers `x-log-start` and `x-log-size` give its byte offsets); with `?follow=1`, SSE: `log` events as the file grows (resume with `Last-Event-ID` or `?since=`) */
            200: {
                headers: {
                    /** @description This request’s id; the daemon’s log lines for it carry it as reqId */
                    "x-request-id"?: string;
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example building
                     *     built
                     */
                    "text/plain": string;
                    /**
                     * @example {
                     *       "offset": 0,
                     *       "text": "building\n"
                     *     }
                     */
                    "text/event-stream": components["schemas"]["LogEvent"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            421: components["responses"]["MisdirectedRequest"];
            500: components["responses"]["InternalError"];
            503: components["responses"]["ServiceUnavailable"];
        };
    };
    getSession: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    /** @description This request’s id; the daemon’s log lines for it carry it as reqId */
                    "x-request-id"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Session"];
                };
            };
            403: components["responses"]["Forbidden"];
            421: components["responses"]["MisdirectedRequest"];
            500: components["responses"]["InternalError"];
        };
    };
    signIn: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["SignInInputInput"];
            };
        };
        responses: {
            /** @description OK */
            200: {
                headers: {
                    /** @description This request’s id; the daemon’s log lines for it carry it as reqId */
                    "x-request-id"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Session"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            409: components["responses"]["Conflict"];
            413: components["responses"]["PayloadTooLarge"];
            415: components["responses"]["UnsupportedMediaType"];
            421: components["responses"]["MisdirectedRequest"];
            500: components["responses"]["InternalError"];
        };
    };
    signOut: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    /** @description This request’s id; the daemon’s log lines for it carry it as reqId */
                    "x-request-id"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["SignedOut"];
                };
            };
            400: components["responses"]["BadRequest"];
            403: components["responses"]["Forbidden"];
            413: components["responses"]["PayloadTooLarge"];
            415: components["responses"]["UnsupportedMediaType"];
            421: components["responses"]["MisdirectedRequest"];
            500: components["responses"]["InternalError"];
        };
    };
    getSystem: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The version and the settings that matter */
            200: {
                headers: {
                    /** @description This request’s id; the daemon’s log lines for it carry it as reqId */
                    "x-request-id"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["SystemInfo"];
                };
            };
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            421: components["responses"]["MisdirectedRequest"];
            500: components["responses"]["InternalError"];
        };
    };
    listUsage: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    /** @description This request’s id; the daemon’s log lines for it carry it as reqId */
                    "x-request-id"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["SandboxUsageList"];
                };
            };
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            421: components["responses"]["MisdirectedRequest"];
            500: components["responses"]["InternalError"];
            502: components["responses"]["BadGateway"];
        };
    };
    getUsage: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description What a sandbox uses now */
            200: {
                headers: {
                    /** @description This request’s id; the daemon’s log lines for it carry it as reqId */
                    "x-request-id"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["SandboxUsage"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            421: components["responses"]["MisdirectedRequest"];
            500: components["responses"]["InternalError"];
            502: components["responses"]["BadGateway"];
        };
    };
    streamEvents: {
        parameters: {
            query?: {
                /** @description Replay the stored events after this id (0: all kept), then follow. Without it (and without Last-Event-ID) only new events come. */
                since?: number;
                /** @description Comma-separated types or families: sandbox.created,task.* */
                types?: string;
                /** @description Only this sandbox’s events */
                sandbox_id?: string;
                /** @description false: end after the replay (default: follow live). A catch-up without a long-lived connection */
                follow?: "0" | "1" | "true" | "false";
            };
            header?: {
                /** @description The last id seen; what a reconnecting EventSource sends. Wins over ?since= */
                "last-event-id"?: string;
            };
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Lifecycle events, one SSE message each (`data` a LifecycleEvent, `id:` its id); first an `event: gap` when the replay asked for pruned events */
            200: {
                headers: {
                    /** @description This request’s id; the daemon’s log lines for it carry it as reqId */
                    "x-request-id"?: string;
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "id": 42,
                     *       "type": "sandbox.stopped",
                     *       "time": "2025-01-01T12:35:00.000Z",
                     *       "sandbox_id": "demo",
                     *       "metadata": {},
                     *       "reason": "idle"
                     *     }
                     */
                    "text/event-stream": components["schemas"]["EventStreamMessage"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            421: components["responses"]["MisdirectedRequest"];
            429: components["responses"]["TooManyRequests"];
            500: components["responses"]["InternalError"];
        };
    };
    listWebhookDeliveries: {
        parameters: {
            query?: {
                webhook?: string;
                status?: "pending" | "delivered" | "failed";
                sandbox_id?: string;
                limit?: number;
                cursor?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Newest first */
            200: {
                headers: {
                    /** @description This request’s id; the daemon’s log lines for it carry it as reqId */
                    "x-request-id"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["WebhookDeliveryList"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            421: components["responses"]["MisdirectedRequest"];
            500: components["responses"]["InternalError"];
        };
    };
    listImages: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The images sandboxes may run (SANDBOXD_IMAGES) */
            200: {
                headers: {
                    /** @description This request’s id; the daemon’s log lines for it carry it as reqId */
                    "x-request-id"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ImageList"];
                };
            };
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            421: components["responses"]["MisdirectedRequest"];
            500: components["responses"]["InternalError"];
            502: components["responses"]["BadGateway"];
        };
    };
}
