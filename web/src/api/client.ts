// The one way to call the gateway: a typed openapi-fetch client (paths from the generated schema) that adds
// the bearer token, plus helpers that turn a failed answer into an ApiError.
import createClient, { type Middleware } from "openapi-fetch";
import { getToken, setToken } from "../auth/tokenStore";
import { ApiError, errorFromResponse } from "./errors";
import type { paths } from "./schema";

const origin = typeof window === "undefined" ? "http://localhost" : window.location.origin;

const bearer: Middleware = {
  onRequest({ request }) {
    const token = getToken();
    if (token && !request.headers.has("Authorization")) request.headers.set("Authorization", `Bearer ${token}`);
    return request;
  },
  onResponse({ response }) {
    // An expired or revoked token signs the user out; the router then shows the sign-in page.
    if (response.status === 401 && getToken()) setToken(null);
    return response;
  },
};

export const api = createClient<paths>({ baseUrl: origin });
api.use(bearer);

interface FetchResult<T> {
  data?: T;
  error?: unknown;
  response: Response;
}

/** Resolves to the answer's body, or throws an ApiError carrying the API's own message and fields. */
export async function unwrap<T>(call: Promise<FetchResult<T>>): Promise<T> {
  const { data, error, response } = await call;
  if (!response.ok) throw new ApiError(response.status, error ?? "");
  return data as T;
}

/** fetch() with the bearer token, for what the typed client does not cover (downloads, streams). */
export async function authFetch(input: string, init: RequestInit = {}): Promise<Response> {
  const headers = new Headers(init.headers);
  const token = getToken();
  if (token && !headers.has("Authorization")) headers.set("Authorization", `Bearer ${token}`);
  const response = await fetch(new URL(input, origin), { ...init, headers });
  if (response.status === 401 && token) setToken(null);
  return response;
}

/** POSTs multipart form data (uploads) and answers the parsed JSON, or throws an ApiError. */
export async function postForm<T>(path: keyof paths & string, form: FormData, init: RequestInit = {}): Promise<T> {
  const response = await authFetch(path, { ...init, method: "POST", body: form });
  if (!response.ok) throw await errorFromResponse(response);
  return (await response.json()) as T;
}

/** Like unwrap, for answers the OpenAPI document leaves as plain objects: `T` is the shape in ./types. */
export function unwrapAs<T>(call: Promise<FetchResult<unknown>>): Promise<T> {
  return unwrap(call) as Promise<T>;
}
