// Dark mode: follows the system until the user picks; the choice (not a secret) is remembered locally.
export type Theme = "light" | "dark";
const KEY = "studio.theme";

export function initialTheme(): Theme {
  const saved = window.localStorage.getItem(KEY);
  if (saved === "light" || saved === "dark") return saved;
  return window.matchMedia?.("(prefers-color-scheme: dark)").matches ? "dark" : "light";
}

export function applyTheme(theme: Theme): void {
  document.documentElement.dataset.theme = theme;
  window.localStorage.setItem(KEY, theme);
}
