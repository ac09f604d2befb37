import { Suspense } from "react";
import { createBrowserRouter, Navigate } from "react-router";
import { MODULES, SharedBoardPage, SignInCallbackPage, SignInPage } from "./modules";
import { RouteError } from "./RouteError";
import { PageFallback, Shell } from "./Shell";

function Standalone({ children }: { children: React.ReactNode }) {
  return (
    <main id="main" className="standalone">
      <Suspense fallback={<PageFallback />}>{children}</Suspense>
    </main>
  );
}

export const routes = [
  { path: "/signin", element: <Standalone><SignInPage /></Standalone> },
  { path: "/signin/callback", element: <Standalone><SignInCallbackPage /></Standalone> },
  { path: "/shared/:token", element: <Standalone><SharedBoardPage /></Standalone>, errorElement: <RouteError /> },
  {
    path: "/",
    element: <Shell />,
    errorElement: <Standalone><RouteError /></Standalone>,
    children: [
      { index: true, element: <Navigate to="/create" replace /> },
      ...MODULES.map(({ path, Page }) => ({ path, element: <Page />, errorElement: <RouteError /> })),
      { path: "*", element: <p role="alert">There is no page at this address.</p> },
    ],
  },
];

export function makeRouter() {
  return createBrowserRouter(routes);
}
