/**
 * Who the console is signed in as. The session itself is an HttpOnly cookie the page never sees; the
 * page holds only what `GET /console/api/session` says: the user, their grants and the CSRF token that
 * every changing call carries.
 */
import {
  createContext,
  useCallback,
  useContext,
  useEffect,
  useMemo,
  useRef,
  useState,
  type ReactNode,
} from 'react';
import { ApiError, createApi, type Api } from '../../shared/api.js';

export interface Grant {
  workspace: string;
  role: string;
}

export interface Session {
  user: string;
  grants: Grant[];
  expires_at?: string;
  csrf_token: string;
}

export type SignIn = { user: string; password: string } | { token: string };

interface SessionState {
  /** undefined while the first check runs; null when signed out. */
  session: Session | null | undefined;
  api: Api;
  signIn: (how: SignIn) => Promise<void>;
  signOut: () => Promise<void>;
}

const SESSION_PATH = '/console/api/session';
const SessionContext = createContext<SessionState | null>(null);

export function SessionProvider({ children }: { children: ReactNode }) {
  const [session, setSession] = useState<Session | null | undefined>(undefined);
  const csrf = useRef<string | undefined>(undefined);
  csrf.current = session?.csrf_token;
  // A 401 from any call means the session ended (expired, revoked): back to the sign-in page.
  const api = useMemo(
    () =>
      createApi(
        () => csrf.current,
        () => setSession(null),
      ),
    [],
  );

  useEffect(() => {
    let live = true;
    api.get<Session>(SESSION_PATH).then(
      (s) => live && setSession(s),
      () => live && setSession(null),
    );
    return () => {
      live = false;
    };
  }, [api]);

  const signIn = useCallback(
    async (how: SignIn) => {
      setSession(await api.request<Session>('POST', SESSION_PATH, how));
    },
    [api],
  );
  const signOut = useCallback(async () => {
    try {
      await api.request('DELETE', SESSION_PATH);
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
    }
    setSession(null);
  }, [api]);

  const value = useMemo(() => ({ session, api, signIn, signOut }), [session, api, signIn, signOut]);
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession(): SessionState {
  const s = useContext(SessionContext);
  if (s === null) throw new Error('useSession outside SessionProvider');
  return s;
}

/** The API of a signed-in page. */
export function useApi(): Api {
  return useSession().api;
}
