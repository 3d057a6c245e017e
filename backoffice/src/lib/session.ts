// The signed-in member: supabase-js keeps the session in localStorage (its default) and refreshes
// it. Widget visitors are anonymous users; such a session never gets into the backoffice: it is
// signed out at once (locally only: the visitor's own widget session elsewhere stays valid) and
// the sign-in page says why.
import type { Session } from '@supabase/supabase-js';
import { useEffect, useState } from 'preact/hooks';
import { supabase } from '../supabase.ts';

export interface SessionState {
  loading: boolean;
  session: Session | null;
  /** Set when an anonymous (widget visitor) session was refused. */
  refused?: string;
}

export const ANONYMOUS_REFUSED =
  'That was a chat-widget visitor session. The backoffice is for site owners and their team: sign in with an e-mail account.';

export function isAnonymous(session: Session | null): boolean {
  return !!session?.user && (session.user.is_anonymous === true || !session.user.email);
}

export function useSession(): SessionState {
  const [state, setState] = useState<SessionState>({ loading: true, session: null });
  useEffect(() => {
    const accept = (session: Session | null) => {
      if (isAnonymous(session)) {
        // Not from inside the auth callback itself (supabase-js holds its lock there).
        setTimeout(() => void supabase.auth.signOut({ scope: 'local' }));
        setState({ loading: false, session: null, refused: ANONYMOUS_REFUSED });
        return;
      }
      setState((s) => ({ loading: false, session, refused: session ? undefined : s.refused }));
    };
    void supabase.auth.getSession().then(({ data }) => accept(data.session));
    // supabase-js also hands every new access token to Realtime, so private channels stay authorised.
    const { data } = supabase.auth.onAuthStateChange((_event, session) => accept(session));
    return () => data.subscription.unsubscribe();
  }, []);
  return state;
}
