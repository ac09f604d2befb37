// One route per studio module. Each page lives in src/pages/<path>/index.tsx with a default export and is
// loaded lazily, so a route's JavaScript is fetched only when it is visited.
import { lazy, type ComponentType, type LazyExoticComponent } from "react";

export interface StudioModule {
  path: string;
  label: string;
  Page: LazyExoticComponent<ComponentType>;
}

export const MODULES: StudioModule[] = [
  { path: "create", label: "Create", Page: lazy(() => import("../pages/create")) },
  { path: "edit", label: "Edit", Page: lazy(() => import("../pages/edit")) },
  { path: "upscale", label: "Upscale", Page: lazy(() => import("../pages/upscale")) },
  { path: "control", label: "Control", Page: lazy(() => import("../pages/control")) },
  { path: "social", label: "Social", Page: lazy(() => import("../pages/social")) },
  { path: "transform", label: "Transform", Page: lazy(() => import("../pages/transform")) },
  { path: "library", label: "Library", Page: lazy(() => import("../pages/library")) },
  { path: "batch", label: "Batch", Page: lazy(() => import("../pages/batch")) },
  { path: "account", label: "Account", Page: lazy(() => import("../pages/account")) },
];

export const SharedBoardPage = lazy(() => import("../pages/shared"));
export const SignInPage = lazy(() => import("../pages/signin"));
export const SignInCallbackPage = lazy(() => import("../pages/signin/Callback"));
