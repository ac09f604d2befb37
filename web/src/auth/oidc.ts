// Production sign-in: OpenID Connect authorization code + PKCE with oidc-client-ts, loaded only when needed.
// Tokens are kept in an in-memory store; only the PKCE verifier and state survive the redirect (in
// sessionStorage, as the protocol needs), and they are removed once the callback has used them.
import type { UserManager } from "oidc-client-ts";
import type { StudioConfig } from "../api/types";

let manager: Promise<UserManager> | null = null;

export function callbackUrl(): string {
  return `${window.location.origin}/signin/callback`;
}

export function oidcManager(config: NonNullable<StudioConfig["oidc"]>): Promise<UserManager> {
  manager ??= import("oidc-client-ts").then(({ UserManager, WebStorageStateStore, InMemoryWebStorage }) =>
    new UserManager({
      authority: config.issuer,
      client_id: config.client_id,
      redirect_uri: callbackUrl(),
      post_logout_redirect_uri: `${window.location.origin}/signin`,
      response_type: "code",
      scope: config.scope,
      extraQueryParams: config.audience ? { audience: config.audience } : {},
      userStore: new WebStorageStateStore({ store: new InMemoryWebStorage() }),
      stateStore: new WebStorageStateStore({ store: window.sessionStorage }),
      automaticSilentRenew: false,
    }));
  return manager;
}

export async function startOidcSignIn(config: NonNullable<StudioConfig["oidc"]>, returnTo: string): Promise<void> {
  const users = await oidcManager(config);
  await users.signinRedirect({ state: { returnTo } });
}

/** Completes the redirect back from the issuer: answers the access token and where the user was going. */
export async function finishOidcSignIn(config: NonNullable<StudioConfig["oidc"]>) {
  const users = await oidcManager(config);
  const user = await users.signinRedirectCallback();
  const state = user.state as { returnTo?: string } | undefined;
  return { accessToken: user.access_token, name: user.profile.name ?? user.profile.sub, returnTo: state?.returnTo };
}
