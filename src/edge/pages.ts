/**
 * The small HTML pages the edge answers instead of the app. Every value is
 * escaped; none of them is cached (the caller sends Cache-Control: no-store).
 */
import { LOG_DIR_REL } from '../domain/layout.js';
import type { ServiceSpec } from '../domain/sandbox.js';

function esc(s: string | number): string {
  return String(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

function layout(title: string, body: string, head = ''): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<meta name="robots" content="noindex"><title>${esc(title)}</title>${head}
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:40rem;margin:4rem auto;padding:0 1rem;color:#222}
code{background:#f3f3f3;padding:.1em .3em;border-radius:3px;word-break:break-all}h1{font-size:1.4rem}
.spin{display:inline-block;width:1em;height:1em;border:.15em solid #ccc;border-top-color:#555;border-radius:50%;animation:s 1s linear infinite;vertical-align:-.15em;margin-right:.4em}
@keyframes s{to{transform:rotate(360deg)}}</style></head>
<body>${body}</body></html>
`;
}

/**
 * Shown while a sandbox wakes. The script asks for the same URL as a plain
 * fetch (which the edge holds until the app answers) and reloads once the
 * answer is no longer ours or a gateway error — so behind Traefik a reload
 * never lands on Traefik's own 502 while the app is still booting. Without
 * JavaScript the meta refresh reloads every second. The page gives up after
 * the wake timeout (plus slack), and the edge reports a failed wake once, so
 * it never loops forever.
 */
export function warmingPage(o: { id: string; port: number; timeoutMs: number }): string {
  const script = `(function(){var end=Date.now()+${o.timeoutMs + 15_000};
function again(){if(Date.now()>end){location.reload()}else{setTimeout(poll,1000)}}
function poll(){fetch(location.href,{cache:'no-store',credentials:'same-origin'}).then(function(r){
var e=r.headers.get('x-sandboxed-edge');if(e==='warming'||(!e&&r.status>=502&&r.status<=504)){again()}else{location.reload()}},again)}
setTimeout(poll,1000)})();`;
  return layout(
    'Starting…',
    `<h1><span class="spin"></span>Starting sandbox <code>${esc(o.id)}</code></h1>
<p>The app on port ${esc(o.port)} is waking up. This page reloads by itself as soon as it answers.</p>
<script>${script}</script>`,
    '<noscript><meta http-equiv="refresh" content="1"></noscript>',
  );
}

export function failedPage(o: { id: string; port: number; reason: string; services: ServiceSpec[] }): string {
  const logs = o.services.length
    ? `<p>Look at the service log${o.services.length > 1 ? 's' : ''} inside the sandbox:</p><ul>${o.services
        .map(
          (s) =>
            `<li><code>~/${LOG_DIR_REL}/${esc(s.name)}.log</code> — via the API: <code>GET /v1/sandboxes/${esc(o.id)}/files/content?path=${LOG_DIR_REL}/${esc(s.name)}.log</code></li>`,
        )
        .join('')}</ul>`
    : `<p>No service is declared for this sandbox, so nothing starts an app on its own. Declare one
(<code>services</code> at create or <code>PATCH /v1/sandboxes/${esc(o.id)}</code>) or start it with exec.</p>`;
  return layout(
    'App did not start',
    `<h1>The app on port ${esc(o.port)} did not come up</h1>
<p>Sandbox <code>${esc(o.id)}</code>: ${esc(o.reason)}.</p>
${logs}
<p>The app must listen on <code>0.0.0.0:${esc(o.port)}</code> (not only on localhost). Reload this page to try again.</p>`,
  );
}

/** Nothing is on its way up on the port: no reload loop, the page says what to do. */
export function noAppPage(o: { id: string; port: number; error: string; hint: string }): string {
  return layout(
    'No app on this port',
    `<h1>No app answers on port ${esc(o.port)}</h1>
<p>Sandbox <code>${esc(o.id)}</code> is running, but: ${esc(o.error)}.</p>
<p>What to do: ${esc(o.hint)}. Then reload this page.</p>`,
  );
}

/** A start refused for now (the host is short of memory): no reload loop, the page says when to try. */
export function unavailablePage(o: { id: string; port: number; reason: string; retryAfterS: number }): string {
  return layout(
    'Sandbox cannot start right now',
    `<h1>Sandbox <code>${esc(o.id)}</code> cannot start right now</h1>
<p>${esc(o.reason)}.</p>
<p>The app on port ${esc(o.port)} will be started when the host has room again: reload this page in about ${esc(o.retryAfterS)} s.</p>`,
  );
}

export function notFoundPage(id: string): string {
  return layout('No such sandbox', `<h1>No sandbox <code>${esc(id)}</code></h1><p>Check the preview URL the API returned.</p>`);
}

export function gonePage(id: string): string {
  return layout('Sandbox deleted', `<h1>Sandbox <code>${esc(id)}</code> was deleted</h1><p>Its preview is gone for good.</p>`);
}

export function undeclaredPortPage(o: { id: string; port: number; urls: Record<string, string> }): string {
  const entries = Object.entries(o.urls);
  const list = entries.length
    ? `<p>Declared ports:</p><ul>${entries.map(([p, u]) => `<li><a href="${esc(u)}">${esc(p)}</a></li>`).join('')}</ul>`
    : '<p>This sandbox declares no ports.</p>';
  return layout(
    'Port not declared',
    `<h1>Port ${esc(o.port)} is not declared for sandbox <code>${esc(o.id)}</code></h1>
<p>Only ports listed in <code>ports</code> when the sandbox was created get a preview.</p>${list}`,
  );
}

export function unauthorizedPage(o: { id: string; reason: string }): string {
  return layout(
    'Private preview',
    `<h1>This preview is private</h1><p>${esc(o.reason)}.</p>
<p>Open it with a link from <code>POST /v1/sandboxes/${esc(o.id)}/preview-token</code>, or send the token in the
<code>X-Sandboxed-Preview-Token</code> header.</p>`,
  );
}
