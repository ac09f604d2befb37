import { createContext, useContext, useMemo, useSyncExternalStore, type ReactNode } from "react";
import { getToken, setToken, subscribeToken } from "./tokenStore";

interface Auth {
  token: string | null;
  userName: string | null;
  signIn: (token: string, userName: string) => void;
  signOut: () => void;
}

const AuthContext = createContext<Auth | null>(null);
let currentUser: string | null = null;

export function AuthProvider({ children }: { children: ReactNode }) {
  const token = useSyncExternalStore(subscribeToken, getToken, getToken);
  const value = useMemo<Auth>(() => ({
    token,
    userName: token ? currentUser : null,
    signIn: (next, userName) => {
      currentUser = userName;
      setToken(next);
    },
    signOut: () => {
      currentUser = null;
      setToken(null);
    },
  }), [token]);
  return <AuthContext.Provider value={value}>{children}</AuthContext.Provider>;
}

export function useAuth(): Auth {
  const auth = useContext(AuthContext);
  if (!auth) throw new Error("useAuth needs an <AuthProvider>");
  return auth;
}
