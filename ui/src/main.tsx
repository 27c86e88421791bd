/**
 * The dashboard: signs in (or says auth is off), then routes between the
 * views. Every call goes through the SDK (./api.ts); every tenant string is
 * rendered as text by Preact, never as HTML.
 */
import { render } from 'preact';
import { useEffect } from 'preact/hooks';
import { client, onSignedOut } from './api';
import { useLoad } from './hooks';
import { ErrorNote, Loading } from './parts/notice';
import { href, useRoute } from './router';
import './styles.css';
import { CreateSandbox } from './views/create';
import { SandboxList } from './views/list';
import { SandboxPage } from './views/sandbox';
import { SignIn } from './views/sign-in';
import { SystemPage } from './views/system';

function Routes() {
  const path = useRoute();
  const [first, id, tab, sub] = path;
  if (first === undefined || first === 'sandboxes') return <SandboxList />;
  if (first === 'new') return <CreateSandbox />;
  if (first === 's' && id !== undefined) return <SandboxPage id={id} tab={tab ?? 'overview'} sub={sub} />;
  if (first === 'system') return <SystemPage />;
  return (
    <div class="empty">
      <p class="empty-title">There is no page here.</p>
      <a href={href()}>Back to the sandboxes</a>
    </div>
  );
}

function Shell({ auth, tokenName, signedOut }: { auth: boolean; tokenName: string | null; signedOut: () => void }) {
  const [first] = useRoute();
  const current = (name: string) => (first === name || (name === 'sandboxes' && (first === undefined || first === 's')) ? 'page' : undefined);
  const signOut = async () => {
    await client.session.signOut().catch(() => undefined);
    signedOut();
  };
  return (
    <>
      <a class="skip" href="#main" onClick={(e) => (e.preventDefault(), document.getElementById('main')?.focus())}>
        Skip to content
      </a>
      <header class="top">
        <a class="brand" href={href()}>
          sandboxed
        </a>
        <nav aria-label="Main">
          <a href={href()} aria-current={current('sandboxes')}>
            Sandboxes
          </a>
          <a href={href('new')} aria-current={current('new')}>
            New sandbox
          </a>
          <a href={href('system')} aria-current={current('system')}>
            System
          </a>
        </nav>
        {auth && (
          <div class="who">
            <span class="muted small">Signed in as {tokenName}</span>
            <button type="button" onClick={() => void signOut()}>
              Sign out
            </button>
          </div>
        )}
      </header>
      {!auth && (
        <p class="banner" role="status">
          Auth is off: whoever reaches this address controls every sandbox. Set <code>SANDBOXD_API_TOKENS</code> to require a sign-in.
        </p>
      )}
      <main id="main" tabIndex={-1}>
        <Routes />
      </main>
    </>
  );
}

function App() {
  const session = useLoad(() => client.session.get(), []);
  useEffect(() => onSignedOut(() => void session.reload()), [session.reload]);
  if (session.data === undefined) {
    if (session.error !== undefined) return <ErrorNote title="The daemon did not answer" error={session.error} retry={() => void session.reload()} />;
    return <Loading label="Connecting to the daemon…" />;
  }
  const { auth, token_name } = session.data;
  if (auth && token_name === null) return <SignIn done={() => void session.reload()} />;
  return <Shell auth={auth} tokenName={token_name} signedOut={() => void session.reload()} />;
}

render(<App />, document.getElementById('app')!);
