// Where the OpenID Connect issuer sends the browser back with an authorization code.
import { useEffect, useRef, useState } from "react";
import { Link, useNavigate } from "react-router";
import { useStudioConfig } from "../../api/queries";
import { useAuth } from "../../auth/AuthContext";
import { finishOidcSignIn } from "../../auth/oidc";
import { ErrorBanner } from "../../components/feedback/ErrorBanner";
import { safeNext } from "./index";

export default function SignInCallbackPage() {
  const config = useStudioConfig();
  const { signIn } = useAuth();
  const navigate = useNavigate();
  const [error, setError] = useState<unknown>(null);
  const started = useRef(false);

  useEffect(() => {
    const oidc = config.data?.oidc;
    if (!oidc || started.current) return;
    started.current = true; // the code can be exchanged once only, even under StrictMode's double effects
    finishOidcSignIn(oidc).then(({ accessToken, name, returnTo }) => {
      signIn(accessToken, name);
      navigate(safeNext(returnTo ?? null), { replace: true });
    }, setError);
  }, [config.data, navigate, signIn]);

  return (
    <div className="stack">
      <h1>Signing in…</h1>
      <ErrorBanner error={error ?? config.error} />
      {error ? <Link to="/signin">Try again</Link> : null}
    </div>
  );
}
