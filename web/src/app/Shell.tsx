import { Suspense, useEffect, useState } from "react";
import { NavLink, Navigate, Outlet, useLocation } from "react-router";
import { useBalance } from "../api/queries";
import { useAuth } from "../auth/AuthContext";
import { MODULES } from "./modules";
import { applyTheme, initialTheme, type Theme } from "./theme";

function BalanceBadge() {
  const { data } = useBalance();
  if (!data) return null;
  return (
    <NavLink to="/account" className="balance-badge" data-testid="balance"
      aria-label={`${data.available_credits} credits${data.pending_credits ? ` · ${data.pending_credits} pending` : ""}: your balance`}>
      <strong data-testid="balance-available">{data.available_credits}</strong> credits
      {data.pending_credits ? <span className="muted"> · {data.pending_credits} pending</span> : null}
    </NavLink>
  );
}

export function ThemeToggle() {
  const [theme, setTheme] = useState<Theme>(initialTheme);
  useEffect(() => applyTheme(theme), [theme]);
  const next = theme === "dark" ? "light" : "dark";
  return (
    <button type="button" className="ghost" onClick={() => setTheme(next)} aria-label={`Switch to ${next} mode`}
      aria-pressed={theme === "dark"}>
      {theme === "dark" ? "☀ Light" : "☾ Dark"}
    </button>
  );
}

export function PageFallback() {
  return <p className="muted" role="status">Loading…</p>;
}

export function Shell() {
  const { token, userName, signOut } = useAuth();
  const location = useLocation();
  if (!token) {
    const next = encodeURIComponent(location.pathname + location.search);
    return <Navigate to={`/signin?next=${next}`} replace />;
  }
  return (
    <div className="shell">
      <a className="skip-link" href="#main">Skip to content</a>
      <header className="topbar">
        <NavLink to="/create" className="brand">Image Studio</NavLink>
        <nav aria-label="Studio modules" className="modules-nav">
          <ul>
            {MODULES.map((m) => (
              <li key={m.path}><NavLink to={`/${m.path}`}>{m.label}</NavLink></li>
            ))}
          </ul>
        </nav>
        <div className="topbar-tools">
          <BalanceBadge />
          <ThemeToggle />
          <button type="button" className="ghost" onClick={signOut}
            aria-label={`Sign out${userName ? ` ${userName}` : ""}`}>Sign out</button>
        </div>
      </header>
      <main id="main" className="main" tabIndex={-1}>
        <Suspense fallback={<PageFallback />}>
          <Outlet />
        </Suspense>
      </main>
    </div>
  );
}
