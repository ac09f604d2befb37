// Sign-in: a user name for a development token, or OpenID Connect (code + PKCE) in production.
import { useState, type FormEvent } from "react";
import { Navigate, useSearchParams } from "react-router";
import { useDevSignIn, useStudioConfig } from "../../api/queries";
import { ThemeToggle } from "../../app/Shell";
import { useAuth } from "../../auth/AuthContext";
import { startOidcSignIn } from "../../auth/oidc";
import { ErrorBanner } from "../../components/feedback/ErrorBanner";
import { Field } from "../../components/form/Field";

export function safeNext(next: string | null): string {
  // Only paths inside the studio: never an absolute URL another site could plant in the link.
  return next && next.startsWith("/") && !next.startsWith("//") ? next : "/create";
}

export default function SignInPage() {
  const { token, signIn } = useAuth();
  const [params] = useSearchParams();
  const next = safeNext(params.get("next"));
  const config = useStudioConfig();
  const devSignIn = useDevSignIn();
  const [userName, setUserName] = useState("");
  const [oidcError, setOidcError] = useState<unknown>(null);

  if (token) return <Navigate to={next} replace />;

  function submit(event: FormEvent) {
    event.preventDefault();
    devSignIn.mutate(userName.trim(), { onSuccess: (answer) => signIn(answer.access_token, userName.trim()) });
  }

  return (
    <div className="stack signin">
      <div className="row" style={{ justifyContent: "space-between", alignItems: "center" }}>
        <h1>Sign in to Image Studio</h1>
        <ThemeToggle />
      </div>
      <ErrorBanner error={config.error} />
      {config.isPending ? <p role="status">Loading…</p> : null}
      {config.data?.sign_in === "development" ? (
        <form className="card stack" onSubmit={submit} aria-label="Development sign-in">
          <p className="muted">
            Development sign-in: any user name gets a token for a user of that name. It is not offered in
            production.
          </p>
          <Field id="signin-user" label="User name" name="user_name" error={devSignIn.error}>
            <input value={userName} onChange={(e) => setUserName(e.target.value)} autoComplete="username" required
              maxLength={64} />
          </Field>
          <ErrorBanner error={devSignIn.error} fields={["user_name"]} />
          <div>
            <button type="submit" disabled={devSignIn.isPending || !userName.trim()}>Sign in</button>
          </div>
        </form>
      ) : null}
      {config.data?.sign_in === "oidc" && config.data.oidc ? (
        <div className="card stack">
          <p>Sign in with your organisation's account ({new URL(config.data.oidc.issuer).host}).</p>
          <ErrorBanner error={oidcError} />
          <div>
            <button type="button"
              onClick={() => startOidcSignIn(config.data!.oidc!, next).catch(setOidcError)}>
              Continue to sign in
            </button>
          </div>
        </div>
      ) : null}
    </div>
  );
}
